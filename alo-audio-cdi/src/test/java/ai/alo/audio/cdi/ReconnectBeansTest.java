package ai.alo.audio.cdi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.alo.audio.AloAudio;
import ai.alo.audio.AloAudioConfig;
import ai.alo.audio.AloAudioConfigException;
import ai.alo.audio.AudioUser;
import ai.alo.audio.ConnectionState;
import ai.alo.audio.DisconnectReason;
import ai.alo.audio.UserAuthTokenProvider;
import ai.alo.audio.event.AloAudioEvent;
import ai.alo.audio.event.ConnectionChangeEvent;
import ai.alo.audio.event.DisconnectEvent;
import ai.alo.audio.event.ReconnectedEvent;
import ai.alo.audio.spi.ReconnectAttempt;
import ai.alo.audio.spi.ReconnectPolicy;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Dependent;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.ObservesAsync;
import jakarta.enterprise.inject.se.SeContainer;
import jakarta.enterprise.inject.spi.DeploymentException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The application's {@link UserAuthTokenProvider} and {@link ReconnectPolicy} beans, used by the clients the module
 * makes, against the real reference service: asked before every attempt, per client qualifier over {@code @Default},
 * over the configuration keys, {@code @Dependent} ones destroyed with their client; and the reconnect events reaching
 * CDI observers.
 */
class ReconnectBeansTest extends ServerBackedTest {

    /** The {@code @Default} token provider: issues a fresh token for the user on each call, and counts the calls. */
    @ApplicationScoped
    static class DefaultTokens implements UserAuthTokenProvider {
        private final AtomicInteger calls = new AtomicInteger();
        private final List<String> threads = new CopyOnWriteArrayList<>();

        @Override
        public String userAuthToken(AudioUser user) {
            calls.incrementAndGet();
            threads.add(Thread.currentThread().getName());
            return server.tokens().issue(user.id(), Duration.ofHours(1));
        }

        int calls() {
            return calls.get();
        }

        List<String> threads() {
            return List.copyOf(threads);
        }
    }

    /** The token provider of the client {@code x} only. */
    @ApplicationScoped
    @AloClient("x")
    static class XTokens implements UserAuthTokenProvider {
        private final AtomicInteger calls = new AtomicInteger();

        @Override
        public String userAuthToken(AudioUser user) {
            calls.incrementAndGet();
            return server.tokens().issue(user.id(), Duration.ofHours(1));
        }

        int calls() {
            return calls.get();
        }
    }

    /** A second {@code @Default} token provider: with {@link DefaultTokens}, ambiguous. */
    @ApplicationScoped
    static class OtherTokens implements UserAuthTokenProvider {
        @Override
        public String userAuthToken(AudioUser user) {
            return server.tokens().issue(user.id(), Duration.ofHours(1));
        }
    }

    /** A {@code @Default} reconnect policy that never reconnects, and records what it was asked. */
    @ApplicationScoped
    static class GiveUpPolicy implements ReconnectPolicy {
        private final List<ReconnectAttempt> asked = new CopyOnWriteArrayList<>();

        @Override
        public Optional<Duration> delayBefore(ReconnectAttempt next) {
            asked.add(next);
            return Optional.empty();
        }

        List<ReconnectAttempt> asked() {
            return List.copyOf(asked);
        }
    }

    /** A {@code @Dependent} token provider: one instance per client; counts instances made and destroyed. */
    @Dependent
    static class PerClientTokens implements UserAuthTokenProvider {
        static final AtomicInteger CREATED = new AtomicInteger();
        static final AtomicInteger DESTROYED = new AtomicInteger();

        @PostConstruct
        void created() {
            CREATED.incrementAndGet();
        }

        @PreDestroy
        void destroyed() {
            DESTROYED.incrementAndGet();
        }

        @Override
        public String userAuthToken(AudioUser user) {
            return server.tokens().issue(user.id(), Duration.ofHours(1));
        }
    }

    /** A {@code @Dependent} reconnect policy: the default backoff's first step; counts instances. */
    @Dependent
    static class PerClientPolicy implements ReconnectPolicy {
        static final AtomicInteger CREATED = new AtomicInteger();
        static final AtomicInteger DESTROYED = new AtomicInteger();

        @PostConstruct
        void created() {
            CREATED.incrementAndGet();
        }

        @PreDestroy
        void destroyed() {
            DESTROYED.incrementAndGet();
        }

        @Override
        public Optional<Duration> delayBefore(ReconnectAttempt next) {
            return Optional.of(Duration.ZERO);
        }
    }

    /** Records every event of every client in order, {@code RECONNECT_PENDING} and async {@code ReconnectedEvent}. */
    @ApplicationScoped
    static class EventLog {
        private final Recording<AloAudioEvent> events = new Recording<>();
        private final Recording<ConnectionChangeEvent> pending = new Recording<>();
        private final Recording<Seen> reconnectedAsync = new Recording<>();

        void onEvent(@Observes AloAudioEvent event) {
            events.add(event);
        }

        void onDefaultChange(@Observes @AloClient("default") ConnectionChangeEvent event) {
            if (event.state() == ConnectionState.RECONNECT_PENDING) {
                pending.add(event);
            }
        }

        void onReconnectedAsync(@ObservesAsync ReconnectedEvent event) {
            reconnectedAsync.add(Seen.now(event, "async"));
        }

        Recording<AloAudioEvent> events() {
            return events;
        }

        Recording<ConnectionChangeEvent> pending() {
            return pending;
        }

        Recording<Seen> reconnectedAsync() {
            return reconnectedAsync;
        }
    }

    @BeforeEach
    void resetCounters() {
        PerClientTokens.CREATED.set(0);
        PerClientTokens.DESTROYED.set(0);
        PerClientPolicy.CREATED.set(0);
        PerClientPolicy.DESTROYED.set(0);
    }

    /** Configures the default client without a token: server, user, signalling only. */
    private String configureDefaultClientWithoutToken() {
        String userId = newUserId("token-bean");
        setProperty("alo.audio.server-uri", server.uri().toString());
        setProperty("alo.audio.media-enabled", "false");
        setProperty("alo.audio.user.id", userId);
        return userId;
    }

    @Test
    void defaultProviderBean_isAskedBeforeEveryAttempt_andObserversSeeTheReconnect() throws Exception {
        String userId = configureDefaultClientWithoutToken();
        // deploys: with a provider bean, alo.audio.user-auth-token is not required
        SeContainer container = boot(DefaultClientTest.Dispatch.class, DefaultTokens.class, EventLog.class);
        AloAudio audio = container.select(DefaultClientTest.Dispatch.class).get().audio();
        DefaultTokens tokens = container.select(DefaultTokens.class).get();
        EventLog log = container.select(EventLog.class).get();
        assertTrue(audio.config().userAuthToken() == null, "no token key: the provider bean supplies it");
        assertTrue(audio.config().userAuthTokenProvider().isPresent());
        assertEquals(0, tokens.calls(), "nothing is asked before connect()");

        audio.connect(CHANNEL).get(10, TimeUnit.SECONDS);
        assertEquals(1, tokens.calls(), "asked for the first attempt");
        String sessionId = audio.sessionId().orElseThrow();

        assertTrue(server.dropConnection(userId));
        DisconnectEvent lost = (DisconnectEvent) log.events().next(e -> e instanceof DisconnectEvent);
        assertEquals(ConnectionState.ERROR, lost.state());
        assertEquals("Lost connection to the server", lost.message());
        assertTrue(lost.willReconnect());
        assertEquals(sessionId, lost.sessionId());
        ConnectionChangeEvent pending = log.pending().next();
        assertEquals("default", pending.clientName());
        assertEquals(ConnectionState.ERROR, pending.previousState());
        AloAudioEvent next = log.events().next(e -> e instanceof ConnectionChangeEvent c
                && c.state() == ConnectionState.CONNECTED || e instanceof DisconnectEvent);
        assertInstanceOf(ConnectionChangeEvent.class, next, "connected again, without a second loss");
        ReconnectedEvent reconnected = assertInstanceOf(ReconnectedEvent.class, log.events().next(),
                "the ReconnectedEvent comes right after CONNECTED");
        assertEquals(CHANNEL, reconnected.channel());
        assertEquals(sessionId, reconnected.previousSessionId());
        assertEquals(ConnectionState.CONNECTED, audio.state());
        assertEquals(1 + reconnected.attempts(), tokens.calls(),
                "asked once for the first connect and once before each reconnect attempt");
        assertEquals(reconnected, log.reconnectedAsync().next().event(), "@ObservesAsync receives it too");

        String runtime = container.select(ClientRegistry.class).get().runtime().orElseThrow().config().name();
        String testThread = Thread.currentThread().getName();
        for (String thread : tokens.threads()) {
            assertTrue(thread.startsWith(runtime + "-"), "asked on a thread of the runtime, through the client "
                    + "proxy: " + thread);
            assertFalse(thread.equals(testThread), thread);
        }

        audio.disconnect();
        DisconnectEvent end = (DisconnectEvent) log.events().next(e -> e instanceof DisconnectEvent);
        assertEquals(ConnectionState.DISCONNECTED, end.state());
        assertFalse(end.willReconnect());
    }

    @Test
    void perClientBean_winsOverTheDefaultBean_andOverTheTokenKey() throws Exception {
        String defaultUser = configureDefaultClientWithoutToken();
        String xUser = newUserId("x");
        // if the key were used, the service would refuse the connection: the token names another user
        setProperty("alo.audio.client.x.user-auth-token", server.tokens().issue("someone-else", Duration.ofHours(1)));
        SeContainer container = boot(DefaultClientTest.Dispatch.class, DefaultTokens.class, XTokens.class,
                EventLog.class);
        AloAudioFactory factory = container.select(AloAudioFactory.class).get();
        DefaultTokens defaults = container.select(DefaultTokens.class).get();
        XTokens xTokens = container.select(XTokens.class, AloClient.Literal.of("x")).get();

        AloAudio x = factory.create(factory.configuration("x").user(AudioUser.of(xUser, "X")).build());
        x.connect(CHANNEL).get(10, TimeUnit.SECONDS);
        assertEquals(1, xTokens.calls());
        assertEquals(0, defaults.calls(), "the @AloClient(\"x\") bean is used for x, not the @Default one");

        AloAudio y = factory.create(factory.configuration("y").user(AudioUser.of(newUserId("y"), "Y")).build());
        y.connect(CHANNEL).get(10, TimeUnit.SECONDS);
        assertEquals(1, defaults.calls(), "a client without its own bean uses the @Default one");

        AloAudio audio = container.select(DefaultClientTest.Dispatch.class).get().audio();
        audio.connect(CHANNEL).get(10, TimeUnit.SECONDS);
        assertEquals(2, defaults.calls());
        assertEquals(1, xTokens.calls());
        assertTrue(server.sessions().stream().anyMatch(s -> s.userId().equals(defaultUser) && s.inChannel()));
        x.disconnect();
        y.disconnect();
        audio.disconnect();
    }

    @Test
    void policyBeanReturningEmpty_makesALossFinalAtOnce() throws Exception {
        String userId = configureDefaultClient();
        setProperty("alo.audio.reconnect.max-attempts", "5"); // a bean wins over the keys
        SeContainer container = boot(DefaultClientTest.Dispatch.class, GiveUpPolicy.class, EventLog.class);
        AloAudio audio = container.select(DefaultClientTest.Dispatch.class).get().audio();
        GiveUpPolicy policy = container.select(GiveUpPolicy.class).get();
        EventLog log = container.select(EventLog.class).get();
        audio.connect(CHANNEL).get(10, TimeUnit.SECONDS);

        assertTrue(server.dropConnection(userId));
        DisconnectEvent lost = (DisconnectEvent) log.events().next(e -> e instanceof DisconnectEvent);
        assertEquals(ConnectionState.ERROR, lost.state());
        assertEquals(DisconnectReason.CONNECTION_LOST, lost.reason());
        assertFalse(lost.willReconnect(), "the policy gave up: the loss is final");
        assertEquals(ConnectionState.ERROR, audio.state());
        List<ReconnectAttempt> asked = policy.asked();
        assertEquals(1, asked.size(), asked.toString());
        assertEquals(1, asked.get(0).attempt());
        assertEquals("default", asked.get(0).clientName());
        assertEquals(DisconnectReason.CONNECTION_LOST, asked.get(0).lastReason());

        // the marker: nothing of the lost session comes between the loss and the application's disconnect()
        audio.disconnect();
        List<AloAudioEvent> after = new ArrayList<>();
        while (true) {
            AloAudioEvent event = log.events().next();
            after.add(event);
            if (event instanceof ConnectionChangeEvent c && c.state() == ConnectionState.DISCONNECTED) {
                break;
            }
        }
        assertEquals(ConnectionState.ERROR, ((ConnectionChangeEvent) after.get(after.size() - 1)).previousState(),
                "from ERROR straight to DISCONNECTED: " + after);
        for (AloAudioEvent event : after) {
            assertFalse(event instanceof DisconnectEvent || event instanceof ReconnectedEvent
                    || event instanceof ConnectionChangeEvent c && c.state() != ConnectionState.DISCONNECTED,
                    "nothing of a reconnect: " + after);
        }
        log.pending().assertNoMore();
        assertEquals(1, policy.asked().size());
    }

    @Test
    void dependentBeans_areObtainedPerClient_andDestroyedWhenTheClientCloses() throws Exception {
        setProperty("alo.audio.server-uri", server.uri().toString());
        setProperty("alo.audio.media-enabled", "false");
        SeContainer container = boot(PerClientTokens.class, PerClientPolicy.class, EventLog.class);
        AloAudioFactory factory = container.select(AloAudioFactory.class).get();

        AloAudioConfig configA = factory.configuration("a").user(AudioUser.of(newUserId("a"), "A")).build();
        AloAudioConfig configB = factory.configuration("b").user(AudioUser.of(newUserId("b"), "B")).build();
        assertEquals(0, PerClientTokens.CREATED.get(), "configuration() makes no instance");
        AloAudio a = factory.create(configA);
        AloAudio b = factory.create(configB);
        assertEquals(2, PerClientTokens.CREATED.get(), "one per client");
        assertEquals(2, PerClientPolicy.CREATED.get(), "one per client");
        PerClientTokens tokensA = assertInstanceOf(PerClientTokens.class, a.config().userAuthTokenProvider()
                .orElseThrow());
        assertNotSame(tokensA, b.config().userAuthTokenProvider().orElseThrow());
        assertInstanceOf(PerClientPolicy.class, a.config().reconnectPolicy());

        a.connect(CHANNEL).get(10, TimeUnit.SECONDS);
        a.close(); // by the application, not the registry: released after the client's last event
        awaitCount(PerClientTokens.DESTROYED::get, 1);
        awaitCount(PerClientPolicy.DESTROYED::get, 1);

        b.connect(CHANNEL).get(10, TimeUnit.SECONDS);
        container.close(); // b is closed at shutdown
        assertEquals(2, PerClientTokens.DESTROYED.get());
        assertEquals(2, PerClientPolicy.DESTROYED.get());
        assertEquals(2, PerClientTokens.CREATED.get(), "nothing else was made");
    }

    @Test
    void ambiguousBeans_areRefused_namingTheType() {
        configureDefaultClientWithoutToken();
        SeContainer container = boot(MisconfigurationTest.FactoryOnly.class, DefaultTokens.class, OtherTokens.class);
        AloAudioFactory factory = container.select(MisconfigurationTest.FactoryOnly.class).get().factory();
        AloAudioConfigException e = assertThrows(AloAudioConfigException.class, () -> factory.configuration("x"));
        assertEquals(Optional.of("userAuthTokenProvider"), e.property());
        assertTrue(e.getMessage().contains("The ALO audio client 'x' finds 2 beans of type "
                + "ai.alo.audio.UserAuthTokenProvider with qualifier @Default and cannot choose"), e.getMessage());
        assertTrue(e.getMessage().contains(DefaultTokens.class.getName()), e.getMessage());
        assertTrue(e.getMessage().contains(OtherTokens.class.getName()), e.getMessage());

        RuntimeException deploy = assertThrows(RuntimeException.class, () -> boot(DefaultClientTest.Dispatch.class,
                DefaultTokens.class, OtherTokens.class).close());
        assertInstanceOf(DeploymentException.class, deploy, () -> ConfigResolverTest.fullText(deploy));
        assertTrue(ConfigResolverTest.fullText(deploy).contains("finds 2 beans of type "
                + "ai.alo.audio.UserAuthTokenProvider"), () -> ConfigResolverTest.fullText(deploy));
    }

    private static void awaitCount(IntSupplier count, int expected) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Recording.WAIT_SECONDS);
        while (count.getAsInt() < expected && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(expected, count.getAsInt());
    }
}
