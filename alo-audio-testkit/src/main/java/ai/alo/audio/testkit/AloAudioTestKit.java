package ai.alo.audio.testkit;

import ai.alo.audio.server.AloAudioServer;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * A JUnit 5 extension that runs the ALO reference audio service ({@link AloAudioServer}) behind a {@link FaultProxy}
 * for a test class (or for each test), and injects them, so that a test can connect real clients and break their
 * network on purpose.
 *
 * <pre>{@code
 * @ExtendWith(AloAudioTestKit.class)
 * class DisconnectHandlingTest {
 *     @Test
 *     void cutConnection_isReportedAsLost(FaultProxy proxy, TestUsers users) throws Exception {
 *         BlockingQueue<DisconnectEvent> lost = new LinkedBlockingQueue<>();
 *         try (AloAudio audio = AloAudio.create(users.user("alice").config().build())) {
 *             audio.addListener(new AloAudioListener() {
 *                 public void onDisconnect(DisconnectEvent e) { lost.add(e); }
 *             });
 *             audio.connect(AudioChannel.pushToTalk("dispatch", "Dispatch")).get(10, TimeUnit.SECONDS);
 *             proxy.cut();
 *             assertEquals("Lost connection to the server", lost.poll(5, TimeUnit.SECONDS).message());
 *         }
 *     }
 * }
 * }</pre>
 *
 * <h2>Using it</h2>
 * <ul>
 *   <li>{@code @ExtendWith(AloAudioTestKit.class)}: the defaults, adjustable with {@link TestKitSettings} on the test
 *       class.</li>
 *   <li>{@code @RegisterExtension static AloAudioTestKit kit = AloAudioTestKit.builder()...build();}: configured in
 *       code, and the kit's own accessors ({@link #server()}, {@link #proxy()}, {@link #uri()}, {@link
 *       #user(String)}) work in the test. A non-static field works too, but then every test gets its own service
 *       (JUnit calls no class-level callback on it).</li>
 * </ul>
 * Parameters of test methods, lifecycle methods and (with {@link Scope#CLASS}) test constructors are resolved by type:
 * {@link AloAudioServer}, {@link FaultProxy}, {@link ServiceUri}, {@link URI} (the service's URI through the proxy)
 * and {@link TestUsers}. Use one kit per test class (two would compete for these parameters).
 *
 * <h2>Lifecycle</h2>
 * <p>With {@link Scope#CLASS} (the default) the service and the proxy start before the class's first test and stop
 * after its last; {@link FaultProxy#heal()} runs before each test, so one test's faults never reach the next (the
 * service's channels and sessions are not reset: give each test its own user ids). {@code @Nested} classes share their
 * enclosing class's service. With {@link Scope#TEST} every test gets a fresh service and proxy, stopped after it.
 * Stopping closes the proxy first (every connection through it ends), then stops the service gracefully, and waits for
 * their threads: the kit leaves no thread, socket or timer behind. Clients the test created are the test's to close.
 *
 * <h2>Media</h2>
 * <p>The service runs signalling only by default ({@link Builder#media(boolean)}): its WebRTC relay needs a network
 * interface other than loopback, which tests normally do not have. {@link TestUser#config()} sets the client's
 * {@code mediaEnabled} to match.
 *
 * <h2>Threads</h2>
 * <p>The extension itself starts no thread: the service starts its fixed set ({@code alo-audio-server-<id>-...}), the
 * proxy one ({@code alo-testkit-proxy-<port>}). An instance is thread-safe; with parallel test execution and {@link
 * Scope#TEST}, inject the parameters rather than calling the kit's accessors (which then cannot tell the tests
 * apart).
 *
 * <h2>Other test frameworks</h2>
 * <p>It resolves only its own types and holds no static state. With Weld's JUnit 5 extension (weld-junit5), put
 * {@code @ExplicitParamInjection} on the test class: otherwise weld-junit5 claims every unqualified test-method
 * parameter and fails on those that are not beans (such as {@code FaultProxy}); CDI beans can get the kit's URI from a
 * bean created with {@code kit.uri()} (see {@code docs/testkit.md}). In an Arquillian client-side test
 * ({@code @RunAsClient}, Arquillian's extension next to a static {@code @RegisterExtension} kit) the service and the
 * proxy run in the test's JVM, next to the application server, and the {@code @Deployment} method may call the kit's
 * accessors ({@code kit.uri()}, {@code kit.user(..)}) to point the deployed application at the proxy: Arquillian
 * calls that method from its own {@code beforeAll}, which JUnit runs before the kit's, so an accessor of a {@link
 * Scope#CLASS} kit called while none of its services runs starts the class's service at once, and the class's
 * {@code beforeAll} adopts it (stopped after the class as usual). An accessor called outside any test class that
 * registers the kit would start a service nobody stops: call them only from the class's tests, lifecycle methods
 * and its {@code @Deployment} method.
 *
 * @since 0.1
 */
public final class AloAudioTestKit implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback,
        AfterEachCallback, ParameterResolver {

    /** How long the kit's service and proxy live. */
    public enum Scope {
        /** One service and proxy for a test class (and its {@code @Nested} classes); faults healed before each test. */
        CLASS,
        /** A fresh service and proxy for every test. */
        TEST
    }

    /** The default lifetime of the tokens {@link TestUsers} issues. */
    public static final Duration DEFAULT_TOKEN_LIFETIME = Duration.ofHours(1);

    private static final List<Class<?>> RESOLVED = List.of(AloAudioServer.class, FaultProxy.class, ServiceUri.class,
            URI.class, TestUsers.class);

    private final Settings configured;
    private final ExtensionContext.Namespace namespace;
    private final Set<TestKitEnvironment> active = ConcurrentHashMap.newKeySet();
    /**
     * A {@link Scope#CLASS} environment an accessor started before the class's {@code beforeAll} (Arquillian calls
     * a {@code @Deployment} method from its own {@code beforeAll}, which JUnit runs before a {@code @RegisterExtension}
     * field's); the next {@code beforeAll} or {@code beforeEach} of this kit adopts it, and its context closes it.
     */
    private final AtomicReference<TestKitEnvironment> early = new AtomicReference<>();

    /**
     * The kit with its defaults ({@link Scope#CLASS}, media off), adjusted by a {@link TestKitSettings} annotation on
     * the test class if there is one. Used by {@code @ExtendWith(AloAudioTestKit.class)}.
     */
    public AloAudioTestKit() {
        this(null);
    }

    private AloAudioTestKit(Settings settings) {
        this.configured = settings;
        this.namespace = ExtensionContext.Namespace.create(AloAudioTestKit.class, this);
    }

    /**
     * Starts configuring a kit for {@code @RegisterExtension}.
     *
     * @return a builder with the defaults
     */
    public static Builder builder() {
        return new Builder();
    }

    // ------------------------------------------------------------------ accessors for @RegisterExtension fields

    /**
     * The running service of the current test.
     *
     * @return the service
     * @throws IllegalStateException outside a test, or when tests of a {@link Scope#TEST} kit run in parallel
     */
    public AloAudioServer server() {
        return current().server();
    }

    /**
     * The fault proxy in front of the service of the current test.
     *
     * @return the proxy
     * @throws IllegalStateException as {@link #server()}
     */
    public FaultProxy proxy() {
        return current().proxy();
    }

    /**
     * The service's URI through the proxy: where clients connect.
     *
     * @return for example {@code ws://127.0.0.1:41235/audio}
     * @throws IllegalStateException as {@link #server()}
     */
    public URI uri() {
        return current().serviceUri().uri();
    }

    /**
     * The service's URI through the proxy and without it.
     *
     * @return both URIs
     * @throws IllegalStateException as {@link #server()}
     */
    public ServiceUri serviceUri() {
        return current().serviceUri();
    }

    /**
     * The user and token factory of the current test's service.
     *
     * @return the factory
     * @throws IllegalStateException as {@link #server()}
     */
    public TestUsers users() {
        return current().users();
    }

    /**
     * A user of the current test's service with a fresh token; see {@link TestUsers#user(String)}.
     *
     * @param id the user id; not blank
     * @return the user, its token and the URI through the proxy
     * @throws IllegalStateException as {@link #server()}
     */
    public TestUser user(String id) {
        return users().user(id);
    }

    private TestKitEnvironment current() {
        if (active.isEmpty() && configured != null && configured.scope() == Scope.CLASS) {
            startEarly();
        }
        int count = active.size();
        if (count == 1) {
            for (TestKitEnvironment environment : active) {
                return environment;
            }
        }
        if (count == 0) {
            throw new IllegalStateException("The ALO audio test kit has no running service: call it from a test or a "
                    + "@BeforeEach/@AfterEach method of a class that registers it (with a static @RegisterExtension "
                    + "field for @BeforeAll)");
        }
        throw new IllegalStateException("The ALO audio test kit runs " + count + " services for tests running in "
                + "parallel; inject AloAudioServer, FaultProxy, ServiceUri, URI or TestUsers as test parameters "
                + "instead");
    }

    /**
     * Starts the class's environment ahead of {@code beforeAll}, for an accessor called from another extension's
     * {@code beforeAll} that runs first (Arquillian's deployment); see {@link #early}.
     */
    private synchronized void startEarly() {
        if (active.isEmpty() && early.get() == null) {
            TestKitEnvironment environment = TestKitEnvironment.start(configured);
            early.set(environment);
            active.add(environment);
        }
    }

    /** Takes the environment an accessor started early into {@code context}'s store; {@code null} if none. */
    private TestKitEnvironment adoptEarly(ExtensionContext context) {
        TestKitEnvironment environment = early.getAndSet(null);
        if (environment != null) {
            context.getStore(namespace).put(TestKitEnvironment.class, environment);
        }
        return environment;
    }

    // ------------------------------------------------------------------ JUnit callbacks

    @Override
    public void beforeAll(ExtensionContext context) {
        Settings settings = settings(context);
        if (settings.scope() == Scope.CLASS && find(context) == null && adoptEarly(context) == null) {
            open(context, settings);
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        closeOwned(context);
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        Settings settings = settings(context);
        TestKitEnvironment environment = find(context);
        if (environment == null && settings.scope() == Scope.CLASS) {
            environment = adoptEarly(context);
        }
        if (settings.scope() == Scope.TEST || environment == null) {
            open(context, settings);
        } else {
            environment.proxy().heal();
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        closeOwned(context);
    }

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return RESOLVED.contains(parameterContext.getParameter().getType());
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        TestKitEnvironment environment = find(extensionContext);
        if (environment == null) {
            Settings settings = settings(extensionContext);
            if (settings.scope() == Scope.TEST || extensionContext.getTestMethod().isPresent()) {
                throw new ParameterResolutionException("The ALO audio test kit has no service for "
                        + parameterContext.getDeclaringExecutable() + ": with Scope.TEST inject into test methods, "
                        + "@BeforeEach or @AfterEach methods, not constructors or @BeforeAll methods");
            }
            // a constructor with @TestInstance(PER_CLASS) runs before beforeAll: start the class's service now
            environment = open(extensionContext, settings);
        }
        Class<?> type = parameterContext.getParameter().getType();
        if (type == AloAudioServer.class) {
            return environment.server();
        }
        if (type == FaultProxy.class) {
            return environment.proxy();
        }
        if (type == ServiceUri.class) {
            return environment.serviceUri();
        }
        if (type == URI.class) {
            return environment.serviceUri().uri();
        }
        return environment.users();
    }

    // ------------------------------------------------------------------ environments in the context stores

    private TestKitEnvironment find(ExtensionContext context) {
        return context.getStore(namespace).get(TestKitEnvironment.class, TestKitEnvironment.class);
    }

    private TestKitEnvironment open(ExtensionContext context, Settings settings) {
        TestKitEnvironment environment = TestKitEnvironment.start(settings);
        context.getStore(namespace).put(TestKitEnvironment.class, environment);
        active.add(environment);
        return environment;
    }

    private void closeOwned(ExtensionContext context) {
        // remove() acts on this context's own store only, never on an enclosing class's
        TestKitEnvironment environment = context.getStore(namespace).remove(TestKitEnvironment.class,
                TestKitEnvironment.class);
        if (environment != null) {
            active.remove(environment);
            environment.close();
        }
    }

    private Settings settings(ExtensionContext context) {
        if (configured != null) {
            return configured;
        }
        Optional<TestKitSettings> annotation = findSettings(context);
        return annotation.map(a -> new Settings(a.scope(), a.media(), builder -> { }, DEFAULT_TOKEN_LIFETIME))
                .orElse(Settings.DEFAULTS);
    }

    private static Optional<TestKitSettings> findSettings(ExtensionContext context) {
        Optional<ExtensionContext> current = Optional.of(context);
        while (current.isPresent()) {
            Optional<Class<?>> type = current.get().getTestClass();
            while (type.isPresent()) {
                TestKitSettings found = type.get().getAnnotation(TestKitSettings.class);
                if (found != null) {
                    return Optional.of(found);
                }
                type = Optional.ofNullable(type.get().getEnclosingClass());
            }
            current = current.get().getParent();
        }
        return Optional.empty();
    }

    @Override
    public String toString() {
        return "AloAudioTestKit[" + (configured != null ? configured.scope() : "@ExtendWith") + ", running "
                + active.size() + "]";
    }

    // ------------------------------------------------------------------ builder

    /**
     * Configures an {@link AloAudioTestKit} for {@code @RegisterExtension}. Not thread-safe.
     *
     * @since 0.1
     */
    public static final class Builder {

        private Scope scope = Scope.CLASS;
        private boolean media;
        private Consumer<AloAudioServer.Builder> server = builder -> { };
        private Duration tokenLifetime = DEFAULT_TOKEN_LIFETIME;

        private Builder() {
        }

        /**
         * One service for the class (default) or one per test.
         *
         * @param scope the scope
         * @return this builder
         */
        public Builder scope(Scope scope) {
            this.scope = Objects.requireNonNull(scope, "scope");
            return this;
        }

        /**
         * Whether the service relays audio (default {@code false}: signalling only). Media needs a network interface
         * other than loopback (WebRTC ignores loopback), such as a network namespace.
         *
         * @param enabled {@code true} for the media relay
         * @return this builder
         */
        public Builder media(boolean enabled) {
            this.media = enabled;
            return this;
        }

        /**
         * Adjusts the service's builder (heartbeat limits, connection caps, a fixed clock, ...), called after the
         * kit's own settings for every service the kit starts. Its host must stay on the loopback interface.
         *
         * @param customizer changes the builder
         * @return this builder
         */
        public Builder server(Consumer<AloAudioServer.Builder> customizer) {
            this.server = Objects.requireNonNull(customizer, "customizer");
            return this;
        }

        /**
         * The lifetime of the tokens {@link TestUsers#user(String)} issues (default 1 hour).
         *
         * @param lifetime positive
         * @return this builder
         * @throws IllegalArgumentException if not positive
         */
        public Builder tokenLifetime(Duration lifetime) {
            Objects.requireNonNull(lifetime, "lifetime");
            if (lifetime.isNegative() || lifetime.isZero()) {
                throw new IllegalArgumentException("tokenLifetime must be positive, was " + lifetime);
            }
            this.tokenLifetime = lifetime;
            return this;
        }

        /**
         * Builds the extension.
         *
         * @return the extension; register it with {@code @RegisterExtension}
         */
        public AloAudioTestKit build() {
            return new AloAudioTestKit(new Settings(scope, media, server, tokenLifetime));
        }
    }

    /** What a kit starts. */
    record Settings(Scope scope, boolean media, Consumer<AloAudioServer.Builder> server, Duration tokenLifetime) {
        static final Settings DEFAULTS = new Settings(Scope.CLASS, false, builder -> { }, DEFAULT_TOKEN_LIFETIME);
    }
}
