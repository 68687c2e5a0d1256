package ai.alo.audio.impl;

import ai.alo.audio.AloAudio;
import ai.alo.audio.AloAudioConfig;
import ai.alo.audio.AloAudioRuntimeConfig;
import ai.alo.audio.impl.runtime.ClientRuntime;

/**
 * The default runtime of this class loader, behind {@link AloAudio#create(AloAudioConfig)}: created with the first
 * client, ended when the last one is closed, created again by the next. So a Java SE application that closes its
 * clients holds no thread of this module afterwards, and one deployed in a server's class loader keeps nothing of it
 * after undeploy. Applications that want to own the runtime create one with {@code AloAudioRuntime.create(...)}.
 */
final class DefaultRuntime {

    private static final Object LOCK = new Object();
    // guarded by LOCK
    private static ClientRuntime current;

    private DefaultRuntime() {
    }

    static AloAudio newClient(AloAudioConfig config) {
        synchronized (LOCK) {
            while (true) {
                if (current == null || current.isClosed()) {
                    current = DefaultAloAudioProvider.newRuntime(AloAudioRuntimeConfig.defaults(), true);
                }
                ClientRuntime.RuntimeClient client = current.tryNewClient(config);
                if (client != null) {
                    return client.facade();
                }
                // it ended with its last client just now: make a new one
                current = null;
            }
        }
    }
}
