package ai.alo.audio.impl;

import ai.alo.audio.AloAudio;
import ai.alo.audio.AloAudioConfig;
import ai.alo.audio.AloAudioRuntime;
import ai.alo.audio.AloAudioRuntimeConfig;
import ai.alo.audio.impl.observe.OpenTelemetryMetrics;
import ai.alo.audio.impl.runtime.ClientRuntime;
import ai.alo.audio.impl.ws.WebSocketTransport;
import ai.alo.audio.spi.AloAudioProvider;
import java.util.Objects;

/**
 * The default provider: {@link DefaultAloAudio} clients on a {@link ClientRuntime} with a Tyrus WebSocket transport.
 * Priority 0. Registered in {@code META-INF/services/ai.alo.audio.spi.AloAudioProvider}.
 *
 * <p>{@link #create(AloAudioConfig)} uses the default runtime of this class loader: created on first use, ended when
 * its last client is closed (see {@link DefaultRuntime}).
 */
public final class DefaultAloAudioProvider extends AloAudioProvider {

    /** Called by {@link java.util.ServiceLoader}. */
    public DefaultAloAudioProvider() {
    }

    @Override
    public boolean isAvailable() {
        return WebSocketTransport.isAvailable(DefaultAloAudioProvider.class.getClassLoader());
    }

    @Override
    public AloAudio create(AloAudioConfig config) {
        Objects.requireNonNull(config, "config");
        return DefaultRuntime.newClient(config);
    }

    @Override
    public AloAudioRuntime createRuntime(AloAudioRuntimeConfig config) {
        Objects.requireNonNull(config, "config");
        return newRuntime(config, false);
    }

    static ClientRuntime newRuntime(AloAudioRuntimeConfig config, boolean endsWithLastClient) {
        ClientRuntime runtime = new ClientRuntime(config, endsWithLastClient, DefaultAloAudio::new);
        // only when the application (or the OpenTelemetry agent) installed a global OpenTelemetry; detached when
        // the runtime ends
        OpenTelemetryMetrics.attachGlobalIfPresent(runtime);
        return runtime;
    }
}
