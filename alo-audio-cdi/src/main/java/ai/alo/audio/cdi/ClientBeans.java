package ai.alo.audio.cdi;

import ai.alo.audio.AloAudioConfig;
import ai.alo.audio.AloAudioConfigException;
import ai.alo.audio.AudioUser;
import ai.alo.audio.UserAuthTokenProvider;
import ai.alo.audio.spi.ReconnectAttempt;
import ai.alo.audio.spi.ReconnectPolicy;
import jakarta.enterprise.context.Dependent;
import jakarta.enterprise.context.spi.CreationalContext;
import jakarta.enterprise.inject.AmbiguousResolutionException;
import jakarta.enterprise.inject.Default;
import jakarta.enterprise.inject.spi.Bean;
import jakarta.enterprise.inject.spi.BeanManager;
import java.lang.System.Logger.Level;
import java.lang.annotation.Annotation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The application's beans that configure a client: a {@link UserAuthTokenProvider} and a {@link ReconnectPolicy}.
 *
 * <h2>Which bean</h2>
 * <p>For a client named {@code <name>}, a bean of the type with the qualifier {@code @AloClient("<name>")}; if there
 * is none, a bean with {@code @Default} (a bean without qualifiers). Alternatives are resolved as for an injection
 * point ({@link BeanManager#resolve(Set)}). Several candidates that resolution cannot tell apart are refused with an
 * {@link AloAudioConfigException} naming the type, the qualifier, the client and the beans. A bean wins over the
 * configuration keys: with a provider bean, {@code user-auth-token} is not required (and not used); with a policy
 * bean, the {@code reconnect.*} keys are not read.
 *
 * <h2>Two steps</h2>
 * <ol>
 *   <li>{@link #standIns(BeanManager, String)}, when a configuration is read: the bean is chosen, but no instance is
 *       made; the configuration holds a stand-in ({@link BeanTokenProvider}, {@link BeanReconnectPolicy}) that names
 *       the bean. So {@link AloAudioFactory#configuration(String)} creates nothing that could leak if the
 *       application never creates the client.</li>
 *   <li>{@link #bind(BeanManager, AloAudioConfig)}, when the registry creates the client: each stand-in of this
 *       deployment is replaced by a reference to the bean, obtained for that client. For a normal-scoped bean
 *       ({@code @ApplicationScoped}) that is the container's client proxy, which the client may call from any of the
 *       runtime's threads. For a {@code @Dependent} bean it is an instance of the client's own, destroyed by {@link
 *       Bound#release()} when the client is closed (the registry calls it).</li>
 * </ol>
 * A stand-in that is never bound (a configuration handed to something other than {@link AloAudioFactory#create})
 * still works: each call obtains the bean, calls it and, for a {@code @Dependent} bean, destroys the instance.
 *
 * <p>Beans of a scope that is not active on the runtime's threads ({@code @RequestScoped}, {@code @SessionScoped})
 * cannot be called there: each call fails, which fails that connection attempt with a message naming the exception.
 *
 * <p>Internal. Thread-safe; nothing here holds a lock while it calls the container.
 */
final class ClientBeans {

    private static final System.Logger LOG = System.getLogger("ai.alo.audio.cdi");

    private ClientBeans() {
    }

    /**
     * Stand-ins for the application's beans for a client, chosen but not yet instantiated.
     *
     * @param beanManager the deployment's bean manager
     * @param clientName  the client's name
     * @return the stand-ins; a part is null when the application has no bean of that type for the client
     * @throws AloAudioConfigException if the beans of a type are ambiguous, naming the type
     */
    static ConfigResolver.Overrides standIns(BeanManager beanManager, String clientName) {
        BeanRef<UserAuthTokenProvider> tokens = choose(beanManager, UserAuthTokenProvider.class, clientName,
                "userAuthTokenProvider");
        BeanRef<ReconnectPolicy> policy = choose(beanManager, ReconnectPolicy.class, clientName, "reconnectPolicy");
        if (tokens == null && policy == null) {
            return ConfigResolver.Overrides.NONE;
        }
        return new ConfigResolver.Overrides(tokens == null ? null : new BeanTokenProvider(tokens, clientName),
                policy == null ? null : new BeanReconnectPolicy(policy, clientName));
    }

    /**
     * Replaces the stand-ins of this deployment in a configuration by references obtained for one client.
     *
     * @param beanManager the deployment's bean manager
     * @param config      the configuration the client is created with
     * @return the configuration to create the client with, and what to release when it is closed
     * @throws AloAudioConfigException if a bean produced null
     * @throws RuntimeException        if the container fails to create a bean; nothing is left obtained then
     */
    static Bound bind(BeanManager beanManager, AloAudioConfig config) {
        UserAuthTokenProvider tokens = config.userAuthTokenProvider().orElse(null);
        ReconnectPolicy policy = config.reconnectPolicy();
        BeanRef<UserAuthTokenProvider> tokensRef = tokens instanceof BeanTokenProvider s
                && s.ref.beanManager == beanManager ? s.ref : null;
        BeanRef<ReconnectPolicy> policyRef = policy instanceof BeanReconnectPolicy s
                && s.ref.beanManager == beanManager ? s.ref : null;
        if (tokensRef == null && policyRef == null) {
            return new Bound(config, List.of());
        }
        List<Obtained<?>> obtained = new ArrayList<>(2);
        Bound bound = new Bound(config, obtained);
        try {
            AloAudioConfig.Builder builder = config.toBuilder();
            if (tokensRef != null) {
                Obtained<UserAuthTokenProvider> o = tokensRef.obtain(config.name());
                obtained.add(o);
                builder.userAuthTokenProvider(o.instance());
            }
            if (policyRef != null) {
                Obtained<ReconnectPolicy> o = policyRef.obtain(config.name());
                obtained.add(o);
                builder.reconnectPolicy(o.instance());
            }
            AloAudioConfig boundConfig = builder.build();
            LOG.log(Level.DEBUG, () -> "[" + config.name() + "] uses " + (tokensRef == null ? "" : tokensRef + " "
                    + "for its user auth token") + (tokensRef != null && policyRef != null ? " and " : "")
                    + (policyRef == null ? "" : policyRef + " as its reconnect policy"));
            return new Bound(boundConfig, obtained);
        } catch (RuntimeException | Error e) {
            bound.release();
            throw e;
        }
    }

    /** Chooses the bean of a type for a client: {@code @AloClient(name)}, else {@code @Default}; null if none. */
    private static <T> BeanRef<T> choose(BeanManager beanManager, Class<T> type, String clientName,
                                         String property) {
        Annotation[] candidates = {AloClient.Literal.of(clientName), Default.Literal.INSTANCE};
        for (Annotation qualifier : candidates) {
            Set<Bean<?>> beans = beanManager.getBeans(type, qualifier);
            if (beans.isEmpty()) {
                continue;
            }
            Bean<?> bean;
            try {
                bean = beanManager.resolve(beans);
            } catch (AmbiguousResolutionException e) {
                List<String> names = beans.stream().map(ClientBeans::describe).sorted().toList();
                throw new AloAudioConfigException(property, "The ALO audio client '" + clientName + "' finds "
                        + beans.size() + " beans of type " + type.getName() + " with qualifier " + show(qualifier)
                        + " and cannot choose: " + names + ". Keep one, make one an @Alternative with @Priority, or "
                        + "give each client its own with @AloClient(\"<client name>\")", e);
            }
            if (bean != null) {
                return new BeanRef<>(beanManager, type, bean, show(qualifier));
            }
        }
        return null;
    }

    private static String show(Annotation qualifier) {
        return qualifier instanceof AloClient client ? "@AloClient(\"" + client.value() + "\")" : "@Default";
    }

    private static String describe(Bean<?> bean) {
        return bean.getBeanClass().getName() + " (scope @" + bean.getScope().getSimpleName() + ")";
    }

    /**
     * A configuration whose stand-ins were replaced for one client, and the {@code @Dependent} instances obtained for
     * it.
     */
    static final class Bound {

        private final AloAudioConfig config;
        private final List<Obtained<?>> obtained;
        private final AtomicBoolean released = new AtomicBoolean();

        Bound(AloAudioConfig config, List<Obtained<?>> obtained) {
            this.config = config;
            this.obtained = obtained;
        }

        /**
         * The configuration to create the client with.
         *
         * @return the configuration, with references instead of stand-ins
         */
        AloAudioConfig config() {
            return config;
        }

        /** Destroys the {@code @Dependent} instances obtained for the client, newest first. Idempotent; never throws. */
        void release() {
            if (!released.compareAndSet(false, true)) {
                return;
            }
            for (int i = obtained.size() - 1; i >= 0; i--) {
                obtained.get(i).release(config.name());
            }
        }
    }

    /** A reference obtained from the container, and its creational context if it must be destroyed. */
    private record Obtained<T>(T instance, CreationalContext<?> dependent, String bean) {

        void release(String clientName) {
            if (dependent == null) {
                return;
            }
            try {
                dependent.release();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "ALOAUD-3004 [" + clientName + "] destroying the @Dependent bean " + bean
                        + " failed", e);
            }
        }
    }

    /** A bean chosen for a type, with the qualifier it was chosen by. */
    private record BeanRef<T>(BeanManager beanManager, Class<T> type, Bean<?> bean, String qualifier) {

        /** A reference for one client (or one call); a {@code @Dependent} bean's creational context with it. */
        Obtained<T> obtain(String clientName) {
            CreationalContext<?> context = beanManager.createCreationalContext(bean);
            boolean dependent = bean.getScope() == Dependent.class;
            Object reference;
            try {
                reference = beanManager.getReference(bean, type, context);
            } catch (RuntimeException | Error e) {
                if (dependent) {
                    context.release();
                }
                throw e;
            }
            if (reference == null) {
                if (dependent) {
                    context.release();
                }
                throw new AloAudioConfigException(type == UserAuthTokenProvider.class ? "userAuthTokenProvider"
                        : "reconnectPolicy", "The " + this + " chosen for the ALO audio client '" + clientName
                        + "' produced null", null);
            }
            return new Obtained<>(type.cast(reference), dependent ? context : null, toString());
        }

        @Override
        public String toString() {
            return "CDI bean " + describe(bean) + " of type " + type.getSimpleName() + " " + qualifier;
        }
    }

    /**
     * Stands for the application's {@link UserAuthTokenProvider} bean in a configuration until the registry binds it
     * to a client; called unbound, it obtains the bean for each call.
     */
    static final class BeanTokenProvider implements UserAuthTokenProvider {

        private final BeanRef<UserAuthTokenProvider> ref;
        private final String clientName;

        private BeanTokenProvider(BeanRef<UserAuthTokenProvider> ref, String clientName) {
            this.ref = ref;
            this.clientName = clientName;
        }

        @Override
        public String userAuthToken(AudioUser user) throws Exception {
            Obtained<UserAuthTokenProvider> o = ref.obtain(clientName);
            try {
                return o.instance().userAuthToken(user);
            } finally {
                o.release(clientName);
            }
        }

        @Override
        public String toString() {
            return ref.toString();
        }
    }

    /**
     * Stands for the application's {@link ReconnectPolicy} bean in a configuration until the registry binds it to a
     * client; called unbound, it obtains the bean for each call.
     */
    static final class BeanReconnectPolicy implements ReconnectPolicy {

        private final BeanRef<ReconnectPolicy> ref;
        private final String clientName;

        private BeanReconnectPolicy(BeanRef<ReconnectPolicy> ref, String clientName) {
            this.ref = ref;
            this.clientName = clientName;
        }

        @Override
        public Optional<Duration> delayBefore(ReconnectAttempt next) {
            Obtained<ReconnectPolicy> o = ref.obtain(clientName);
            try {
                return o.instance().delayBefore(next);
            } finally {
                o.release(clientName);
            }
        }

        @Override
        public String toString() {
            return ref.toString();
        }
    }
}
