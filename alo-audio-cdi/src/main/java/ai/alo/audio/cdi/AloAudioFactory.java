package ai.alo.audio.cdi;

import ai.alo.audio.AloAudio;
import ai.alo.audio.AloAudioConfig;
import ai.alo.audio.AloAudioConfigException;
import ai.alo.audio.AloAudioStateException;
import ai.alo.audio.media.AudioDevices;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Objects;

/**
 * Creates further {@link AloAudio} clients in a CDI application, beside the injected default one.
 *
 * <pre>{@code
 * @Inject AloAudioFactory factory;
 *
 * AloAudio support = factory.create(factory.configuration("support")
 *         .userAuthToken(tokenFor("support-desk"))     // override what differs
 *         .build());
 *
 * void onSupportLost(@Observes @AloClient("support") DisconnectEvent event) { ... }
 * }</pre>
 *
 * <h2>Events</h2>
 * <p>A client made here fires its events to CDI exactly like the default client, with the qualifier
 * {@code @AloClient(config.name())}: observers with that qualifier or with none receive them, on an event thread of
 * the application's runtime, one at a time and in order (see {@link AloClient}).
 *
 * <h2>Ownership</h2>
 * <ul>
 *   <li>The application owns each client it creates: it may share it between threads and {@linkplain AloAudio#close()
 *       close} it whenever it wants. Closing is idempotent.</li>
 *   <li>The deployment closes every client made here that is still open when the application stops (when the
 *       application context is about to be destroyed): each disconnects with close code 1001 and its final {@code
 *       DisconnectEvent} is delivered while the application's observers are still alive. Nothing leaks if the
 *       application forgets to close.</li>
 *   <li>A closed client releases its name: a new client of the same name may then be created.</li>
 *   <li>A client is not a bean: it is not injectable and not proxied. Do not keep it beyond the application's
 *       lifetime.</li>
 * </ul>
 *
 * <h2>Threads</h2>
 * <p>An {@code @ApplicationScoped} bean; every method is thread-safe and returns at once (nothing connects until
 * {@code connect()}).
 *
 * @since 0.1
 */
@ApplicationScoped
public class AloAudioFactory {

    private ClientRegistry registry;

    /** For the container, which creates the single instance. */
    AloAudioFactory() {
    }

    /**
     * Called by the container.
     *
     * @param registry the registry of the application's clients
     */
    @Inject
    void setRegistry(ClientRegistry registry) {
        this.registry = registry;
    }

    /**
     * Creates a client with its CDI event bridge attached.
     *
     * @param config the configuration; its {@linkplain AloAudioConfig#name() name} identifies the client in events
     *               ({@code @AloClient(name)}), log lines and the readiness check, and must not be {@value
     *               AloAudioConfig#DEFAULT_NAME}
     * @return a new client in state {@code NOT_CONNECTED} on the application's shared runtime (its threads do not
     *         depend on the number of clients), owned by the caller and closed at application shutdown if still open;
     *         if {@code config} came from {@link #configuration(String)} with the application's beans, they are
     *         obtained for this client now (a {@code @Dependent} bean is destroyed when the client is closed)
     * @throws NullPointerException     if {@code config} is null
     * @throws IllegalArgumentException if the name is {@value AloAudioConfig#DEFAULT_NAME}, which is reserved for the
     *                                  injected default client
     * @throws AloAudioStateException   if a client of the same name is still open in this application, or the
     *                                  application is stopping
     * @throws ai.alo.audio.AloAudioException if no {@code AloAudioProvider} implementation is available
     */
    public AloAudio create(AloAudioConfig config) {
        Objects.requireNonNull(config, "config");
        if (AloAudioConfig.DEFAULT_NAME.equals(config.name())) {
            throw new IllegalArgumentException("The client name '" + AloAudioConfig.DEFAULT_NAME + "' is reserved "
                    + "for the injected default AloAudio; give this client its own name with "
                    + "AloAudioConfig.Builder.name(...) or start from configuration(name)");
        }
        return registry.open(config);
    }

    /**
     * A configuration builder for a client named {@code name}, pre-filled from the configuration keys: each setting
     * is read from {@code alo.audio.client.<name>.<key>} and, when that is not set, from {@code alo.audio.<key>}
     * (keys and sources as for the default client: MicroProfile Config when present, else system properties and
     * environment variables). Settings that are not configured keep the builder's defaults or stay unset; the
     * caller sets what is missing (for example the user auth token) and calls {@link AloAudioConfig.Builder#build()},
     * which checks every rule (required values, ranges). The user is set only when {@code user.id} is configured.
     * Durations must carry a unit ({@code 250ms}, {@code 2.5s}, {@code 1m}, {@code PT2.5S}). The reconnect policy
     * comes from the {@code reconnect.*} keys ({@code ReconnectBackoff.defaults()} when none is set).
     *
     * <p><b>The application's beans.</b> If the application declares a bean of type {@link
     * ai.alo.audio.UserAuthTokenProvider} or {@link ai.alo.audio.spi.ReconnectPolicy} with the qualifier {@code
     * @AloClient("<name>")}, or else with {@code @Default}, the builder comes with it set ({@code
     * userAuthTokenProvider(...)}, {@code reconnectPolicy(...)}): a bean wins over the keys, and with a token provider
     * no {@code user-auth-token} is needed. Setting either in code afterwards wins over the bean. (A provider is used
     * instead of a fixed token even if the caller sets {@code userAuthToken(...)}; to give one client a fixed token
     * while a {@code @Default} provider bean exists, set {@code userAuthTokenProvider(user -> token)}.) No bean
     * instance is made here: {@link #create(AloAudioConfig)} obtains the beans for the client it creates, and
     * destroys {@code @Dependent} ones when that client is closed.
     *
     * @param name the client name (letters, digits, {@code .}, {@code _}, {@code -}; at most 64 characters)
     * @return a new builder, named {@code name}; not thread-safe
     * @throws AloAudioConfigException naming every configured key whose value cannot be read (a duration without a
     *                                 unit, a reconnect value out of range, a {@code reconnect.policy} class that
     *                                 cannot be instantiated; the user auth token's value is never shown); naming the
     *                                 type if the application has several beans of one of the types above for this
     *                                 client; or with {@linkplain AloAudioConfigException#property() property} {@code
     *                                 "name"} if the name is not valid
     */
    public AloAudioConfig.Builder configuration(String name) {
        return ConfigResolver.forApplication().builder(name, registry.beansFor(name));
    }

    /**
     * The media devices of the application's runtime, which every client of the application (the injected default
     * one and those made here) speaks from and plays into: add the inputs and outputs the configuration's {@code
     * audio-input-device-id} / {@code audio-output-device-id} name before a client connects with media, e.g.
     * {@code factory.devices().addToneInput("tone", "Tone", 440, 0.5)}. Creates the runtime if no client exists yet.
     * The devices are released when the application stops (with the runtime).
     *
     * @return the runtime's devices, shared by all clients of the application
     * @throws AloAudioStateException if the application is stopping
     * @throws ai.alo.audio.AloAudioException if no {@code AloAudioProvider} implementation is available
     * @since 0.2
     */
    public AudioDevices devices() {
        return registry.devices();
    }
}
