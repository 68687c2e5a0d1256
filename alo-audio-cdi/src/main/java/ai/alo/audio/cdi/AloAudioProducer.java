package ai.alo.audio.cdi;

import ai.alo.audio.AloAudio;
import ai.alo.audio.AloAudioConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Default;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

/**
 * Produces the default client, {@code @Inject AloAudio}.
 *
 * <p>The bean is {@code @ApplicationScoped}: the application receives a client proxy, and the client is created on
 * the first call through it, on the deployment's runtime (see {@link ClientRegistry}), configured by {@link
 * ConfigResolver} for the name {@value AloAudioConfig#DEFAULT_NAME} and the application's {@code
 * UserAuthTokenProvider} / {@code ReconnectPolicy} beans (see {@link ClientBeans}), with its {@link CdiEventBridge}
 * already attached. Nothing connects until the application calls {@code connect()}.
 * At shutdown {@link ClientRegistry} closes the client while observers are alive; the disposer then only confirms
 * the close (idempotent).
 *
 * <p>Internal. Thread-safe.
 */
@Singleton
class AloAudioProducer {

    private final ClientRegistry registry;

    /**
     * Created by the container.
     *
     * @param registry where the default client is registered
     */
    @Inject
    AloAudioProducer(ClientRegistry registry) {
        this.registry = registry;
    }

    /**
     * Creates the default client on the first call through its client proxy.
     *
     * @return the client, not connected, with its event bridge attached
     * @throws ai.alo.audio.AloAudioConfigException if its configuration is missing or invalid
     */
    @Produces
    @ApplicationScoped
    @Default
    AloAudio createDefaultClient() {
        String name = AloAudioConfig.DEFAULT_NAME;
        return registry.open(ConfigResolver.forApplication().resolve(name, registry.beansFor(name)));
    }

    /**
     * Closes the default client when the application context is destroyed; normally it was already closed by the
     * registry while the observers were alive, and this is a no-op.
     *
     * @param client the client
     */
    void closeDefaultClient(@Disposes @Default AloAudio client) {
        registry.close(client);
    }
}
