package ai.alo.audio.scenarios;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.alo.audio.AloAudio;
import ai.alo.audio.AloAudioRuntime;
import ai.alo.audio.AloAudioRuntimeConfig;
import ai.alo.audio.AudioChannel;
import ai.alo.audio.ConnectionState;
import ai.alo.audio.DisconnectReason;
import ai.alo.audio.UserAuthTokenProvider;
import ai.alo.audio.event.DisconnectEvent;
import ai.alo.audio.event.ReconnectedEvent;
import ai.alo.audio.server.AloAudioServer;
import ai.alo.audio.testkit.AloAudioTestKit;
import ai.alo.audio.testkit.FaultProxy;
import ai.alo.audio.testkit.TestUser;
import ai.alo.audio.testkit.TestUsers;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The token expires while the client is away: a provider is asked before every attempt, an expired token is asked
 * for again once, and only a second expired token ends the session. A fixed token that expired ends it at once.
 */
class TokenExpiryTest {

    static final AudioChannel CHANNEL = AudioChannel.pushToTalk("ops", "Operations");

    final MovableClock clock = new MovableClock();

    @RegisterExtension
    final AloAudioTestKit kit = AloAudioTestKit.builder().scope(AloAudioTestKit.Scope.TEST)
            .server(b -> b.clock(clock)).build();

    private AloAudioRuntime runtime;

    @BeforeEach
    void runtime() {
        runtime = AloAudioRuntime.create(AloAudioRuntimeConfig.builder().name("token-expiry").build());
    }

    @AfterEach
    void close() {
        runtime.close();
    }

    /** Gives the scripted tokens in turn, then fresh ones issued on the service's (moved) clock; counts calls. */
    static final class ScriptedProvider implements UserAuthTokenProvider {

        final List<String> script = new CopyOnWriteArrayList<>();
        final AtomicInteger calls = new AtomicInteger();
        final AloAudioServer server;
        final String userId;
        volatile boolean freshAfterScript = true;

        ScriptedProvider(AloAudioServer server, String userId) {
            this.server = server;
            this.userId = userId;
        }

        @Override
        public String userAuthToken(ai.alo.audio.AudioUser user) {
            int n = calls.getAndIncrement();
            if (n < script.size()) {
                return script.get(n);
            }
            if (!freshAfterScript) {
                return script.get(script.size() - 1);
            }
            return server.tokens().issue(userId, Duration.ofHours(1));
        }
    }

    @Test
    void expiredTokenIsRefreshedOnceAndTheClientComesBack(AloAudioServer server, FaultProxy proxy, TestUsers users)
            throws Exception {
        TestUser alice = users.user("alice");
        ScriptedProvider provider = new ScriptedProvider(server, "alice");
        String first = server.tokens().issue("alice", Duration.ofHours(1));
        provider.script.add(first);     // connect
        provider.script.add(first);     // the first reconnect attempt: stale
        EventLog log = new EventLog();
        try (AloAudio client = runtime.newClient(alice.config().name("alice").userAuthTokenProvider(provider)
                .build())) {
            client.addListener(log);
            client.connect(CHANNEL).get(10, TimeUnit.SECONDS);
            clock.advance(Duration.ofHours(2)); // the first token has expired now
            proxy.cut();
            ReconnectedEvent back = log.await(ReconnectedEvent.class, e -> true, Duration.ofSeconds(20));
            assertEquals(ConnectionState.CONNECTED, client.state());
            assertEquals(3, provider.calls.get(), "asked on connect, on the attempt, and once more after 'expired'");
            assertEquals(2, back.attempts(), "the refresh is the second attempt");
            assertTrue(log.all(ai.alo.audio.event.ConnectionChangeEvent.class).stream().anyMatch(e ->
                    e.state() == ConnectionState.RECONNECT_PENDING && e.message().contains("expired")),
                    "the failed attempt's cause is told: " + log.sequence());
            assertEquals(1, SessionRules.check(log.sequence())[0]);
            assertEquals(1, log.disconnects().size(), log.sequence().toString());
        }
    }

    @Test
    void tokenStillExpiredAfterTheRefreshEndsTheSession(AloAudioServer server, FaultProxy proxy, TestUsers users)
            throws Exception {
        ScriptedProvider provider = new ScriptedProvider(server, "alice");
        String first = server.tokens().issue("alice", Duration.ofHours(1));
        provider.script.add(first);
        provider.freshAfterScript = false; // keeps giving the stale token
        EventLog log = new EventLog();
        try (AloAudio client = runtime.newClient(users.user("alice").config().name("alice")
                .userAuthTokenProvider(provider).build())) {
            client.addListener(log);
            client.connect(CHANNEL).get(10, TimeUnit.SECONDS);
            clock.advance(Duration.ofHours(2));
            proxy.cut();
            DisconnectEvent last = log.awaitFinal(Duration.ofSeconds(20));
            assertEquals(DisconnectReason.TOKEN_EXPIRED, last.reason(), last.toString());
            assertEquals(ConnectionState.ERROR, client.state());
            assertFalse(last.willReconnect());
            Thread.sleep(1_500);
            assertEquals(3, provider.calls.get(), "no attempt after the terminal cause: " + log.sequence());
            int[] counts = SessionRules.check(log.sequence());
            assertEquals(1, counts[0]);
            assertEquals(1, counts[1]);
        }
    }

    @Test
    void fixedTokenThatExpiredEndsTheSessionAtOnce(FaultProxy proxy, TestUsers users) throws Exception {
        EventLog log = new EventLog();
        try (AloAudio client = runtime.newClient(users.user("alice").config().name("alice").build())) {
            client.addListener(log);
            client.connect(CHANNEL).get(10, TimeUnit.SECONDS);
            clock.advance(Duration.ofHours(2));
            long accepted = proxy.connectionsAccepted();
            proxy.cut();
            DisconnectEvent last = log.awaitFinal(Duration.ofSeconds(20));
            assertEquals(DisconnectReason.TOKEN_EXPIRED, last.reason(), log.sequence().toString());
            Thread.sleep(1_000);
            assertEquals(accepted + 1, proxy.connectionsAccepted(), "exactly one attempt: " + log.sequence());
            assertEquals(List.of("CONNECTING", "ACQUIRING_ACCESS", "CONNECTED", "ERROR",
                    "disconnect(ERROR,CONNECTION_LOST,true)", "RECONNECT_PENDING", "CONNECTING", "ACQUIRING_ACCESS",
                    "ERROR", "disconnect(ERROR,TOKEN_EXPIRED,false)"), log.shape());
        }
    }
}
