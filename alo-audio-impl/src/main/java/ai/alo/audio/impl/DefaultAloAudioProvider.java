package ai.alo.audio.impl;

import ai.alo.audio.AloAudio;
import ai.alo.audio.AloAudioConfig;
import ai.alo.audio.impl.ws.TyrusTransport;
import ai.alo.audio.spi.AloAudioProvider;
import java.util.Objects;

/**
 * The default provider: {@link DefaultAloAudio} over a Tyrus WebSocket transport. Priority 0. Registered in {@code
 * META-INF/services/ai.alo.audio.spi.AloAudioProvider}.
 */
public final class DefaultAloAudioProvider extends AloAudioProvider {

    /** Called by {@link java.util.ServiceLoader}. */
    public DefaultAloAudioProvider() {
    }

    @Override
    public boolean isAvailable() {
        return TyrusTransport.isAvailable(DefaultAloAudioProvider.class.getClassLoader());
    }

    @Override
    public AloAudio create(AloAudioConfig config) {
        Objects.requireNonNull(config, "config");
        return new DefaultAloAudio(config, new TyrusTransport());
    }
}
