package ai.alo.audio.spi;

import ai.alo.audio.AloAudio;
import ai.alo.audio.AloAudioConfig;
import ai.alo.audio.AloAudioException;
import ai.alo.audio.AloAudioRuntime;
import ai.alo.audio.AloAudioRuntimeConfig;
import java.util.Comparator;
import java.util.Objects;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/**
 * Creates {@link AloAudio} clients. Implementations are found with {@link ServiceLoader}.
 *
 * <p>Lookups are not cached: on an application server the API jar may outlive a deployment's class loader, and a
 * cached provider would keep that class loader alive.
 *
 * @since 0.1
 */
public abstract class AloAudioProvider {

    /** The artifact of the default implementation, named in the error when no provider is found. */
    public static final String DEFAULT_IMPLEMENTATION_ARTIFACT = "ai.alo:alo-audio-impl";

    /** For subclasses. */
    protected AloAudioProvider() {
    }

    /**
     * The priority of this provider; the available provider with the highest value wins. The default
     * implementation uses 0.
     *
     * @return the priority
     */
    public int priority() {
        return 0;
    }

    /**
     * Whether this provider can run in the current environment (for example, whether its dependencies are on the
     * class path).
     *
     * @return {@code true} by default
     */
    public boolean isAvailable() {
        return true;
    }

    /**
     * Creates a client on the implementation's default runtime (see {@link AloAudioRuntime}). The client starts in
     * {@link ai.alo.audio.ConnectionState#NOT_CONNECTED}, owns no thread or socket until it connects, and must be
     * {@linkplain AloAudio#close() closed} by the caller.
     *
     * @param config the configuration
     * @return a new client
     */
    public abstract AloAudio create(AloAudioConfig config);

    /**
     * Creates a runtime owned by the caller, on which clients share threads, timers and sockets' I/O.
     *
     * @param config the runtime's settings
     * @return a new runtime; the caller must {@linkplain AloAudioRuntime#close() close} it
     * @throws AloAudioException if this provider does not support runtimes (the default implementation does)
     */
    public AloAudioRuntime createRuntime(AloAudioRuntimeConfig config) {
        throw new AloAudioException(getClass().getName() + " does not support application-owned runtimes");
    }

    /**
     * Finds the provider with the thread's context class loader (or, if it has none, this class's loader).
     *
     * @return the available provider with the highest priority
     * @throws AloAudioException if there is none; the message names the artifact to add
     */
    public static AloAudioProvider provider() {
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        return provider(loader != null ? loader : AloAudioProvider.class.getClassLoader());
    }

    /**
     * Finds the provider visible to a class loader.
     *
     * @param loader the class loader to search
     * @return the available provider with the highest priority
     * @throws AloAudioException if there is none; the message names the artifact to add
     */
    public static AloAudioProvider provider(ClassLoader loader) {
        Objects.requireNonNull(loader, "loader");
        ServiceLoader<AloAudioProvider> services = ServiceLoader.load(AloAudioProvider.class, loader);
        AloAudioProvider best = null;
        Throwable firstFailure = null;
        for (var it = services.stream().iterator(); ; ) {
            ServiceLoader.Provider<AloAudioProvider> candidate;
            AloAudioProvider provider;
            try {
                if (!it.hasNext()) {
                    break;
                }
                candidate = it.next();
                provider = candidate.get();
            } catch (ServiceConfigurationError | LinkageError e) {
                if (firstFailure == null) {
                    firstFailure = e;
                }
                continue;
            }
            if (provider.isAvailable()
                    && (best == null || Comparator.comparingInt(AloAudioProvider::priority).compare(provider, best) > 0)) {
                best = provider;
            }
        }
        if (best == null) {
            throw new AloAudioException("No AloAudioProvider found; add " + DEFAULT_IMPLEMENTATION_ARTIFACT
                    + " to the class path of the application (for example WEB-INF/lib)", firstFailure);
        }
        return best;
    }
}
