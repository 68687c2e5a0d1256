package ai.alo.audio.scenarios;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.alo.audio.AloAudio;
import ai.alo.audio.AloAudioRuntime;
import ai.alo.audio.AloAudioRuntimeConfig;
import ai.alo.audio.AudioChannel;
import ai.alo.audio.ConnectionState;
import ai.alo.audio.DisconnectReason;
import ai.alo.audio.ReconnectBackoff;
import ai.alo.audio.event.ConnectionChangeEvent;
import ai.alo.audio.event.DisconnectEvent;
import ai.alo.audio.event.ReconnectedEvent;
import ai.alo.audio.server.AloAudioServer;
import ai.alo.audio.testkit.AloAudioTestKit;
import ai.alo.audio.testkit.FaultProxy;
import ai.alo.audio.testkit.TestUser;
import ai.alo.audio.testkit.TestUsers;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Automatic reconnects with the real client, the real reference service and the test kit's fault proxy: the event
 * sequence of one loss, resume, the roster brought up to date, and nothing held afterwards.
 */
class ReconnectTest {

    static final AudioChannel CHANNEL = AudioChannel.pushToTalk("ops", "Operations");
    static final Duration WAIT = Duration.ofSeconds(20);

    @RegisterExtension
    final AloAudioTestKit kit = AloAudioTestKit.builder().scope(AloAudioTestKit.Scope.TEST).build();

    private AloAudioRuntime runtime;

    @BeforeEach
    void runtime() {
        runtime = AloAudioRuntime.create(AloAudioRuntimeConfig.builder().name("reconnect-test").build());
    }

    @AfterEach
    void closeRuntime() {
        runtime.close();
    }

    @Test
    void cutConnectionIsReportedOnceThenReconnectedWithResume(FaultProxy proxy, TestUsers users,
                                                              AloAudioServer server) throws Exception {
        TestUser alice = users.user("alice");
        TestUser bob = users.user("bob");
        EventLog log = new EventLog();
        try (AloAudio a = runtime.newClient(alice.config().name("alice").build());
             AloAudio b = runtime.newClient(bob.config().name("bob").build())) {
            a.addListener(log);
            a.connect(CHANNEL).get(10, TimeUnit.SECONDS);
            String sessionBefore = a.sessionId().orElseThrow();
            String idBefore = a.connectionId().orElseThrow();

            int mark = log.size();
            proxy.cut();
            ReconnectedEvent back = log.await(ReconnectedEvent.class, e -> true, mark, WAIT);
            // bob joins while alice was... no: bob joins after; the roster diff is checked in its own test
            assertEquals(ConnectionState.CONNECTED, a.state());
            assertTrue(back.resumed(), "the service kept the session: " + back);
            assertEquals(sessionBefore, back.sessionId());
            assertEquals(sessionBefore, back.previousSessionId());
            assertEquals(idBefore, a.connectionId().orElseThrow(), "resume keeps the participant id");
            assertTrue(back.attempts() >= 1);

            List<String> shape = log.shape().subList(indexAfterFirstConnected(log), log.shape().size());
            assertEquals(List.of("ERROR", "disconnect(ERROR,CONNECTION_LOST,true)", "RECONNECT_PENDING",
                    "CONNECTING", "ACQUIRING_ACCESS", "CONNECTED", "reconnected(resumed)"), shape,
                    "sequence of one loss: " + log.sequence());
            DisconnectEvent loss = log.disconnects().get(0);
            assertEquals(DisconnectEvent.LOST_CONNECTION_MESSAGE, loss.message());
            assertTrue(loss.wasConnected());
            ConnectionChangeEvent pending = log.await(ConnectionChangeEvent.class,
                    e -> e.state() == ConnectionState.RECONNECT_PENDING, mark, WAIT);
            assertEquals(0, pending.retryCount());
            assertEquals(0, pending.pendingRestartSeconds(), "the first attempt is immediate");
            assertTrue(pending.message().startsWith(ConnectionChangeEvent.RECONNECT_PENDING_MESSAGE),
                    pending.message());
            ConnectionChangeEvent connected = log.await(ConnectionChangeEvent.class,
                    e -> e.state() == ConnectionState.CONNECTED, log.indexOf(e -> e == pending, 0), WAIT);
            assertEquals(1, connected.retryCount(), "the first attempt connected");

            // the service sees alice in the channel again, once
            b.connect(CHANNEL).get(10, TimeUnit.SECONDS);
            assertEquals(1, server.participants(CHANNEL.id()).stream()
                    .filter(m -> m.toString().contains("alice")).count(), server.participants(CHANNEL.id())
                    .toString());
            // the heartbeat was re-armed: the connection stays up for longer than the heartbeat timeout
            Thread.sleep(3_500);
            assertEquals(ConnectionState.CONNECTED, a.state());
            assertEquals(1, log.disconnects().size(), log.sequence().toString());

            a.disconnect();
            DisconnectEvent last = log.awaitFinal(WAIT);
            assertEquals(ConnectionState.DISCONNECTED, last.state());
            assertEquals(2, log.disconnects().size());
        }
    }

    private static int indexAfterFirstConnected(EventLog log) {
        return log.shape().indexOf("CONNECTED") + 1;
    }

    @Test
    void rosterAfterReconnectListsWhoJoinedAndLeftMeanwhile(FaultProxy proxy, TestUsers users, AloAudioServer server)
            throws Exception {
        // carol connects directly to the service, not through the proxy, so she stays while alice is cut off
        EventLog log = new EventLog();
        TestUser alice = users.user("alice");
        TestUser carol = users.user("carol");
        TestUser dave = users.user("dave");
        try (AloAudio a = runtime.newClient(alice.config().name("alice").build());
             AloAudio c = runtime.newClient(carol.config().serverUri(server.uri()).name("carol").build());
             AloAudio d = runtime.newClient(dave.config().serverUri(server.uri()).name("dave").build())) {
            c.connect(CHANNEL).get(10, TimeUnit.SECONDS);
            a.addListener(log);
            a.connect(CHANNEL).get(10, TimeUnit.SECONDS);
            proxy.blackHole(true);
            log.await(DisconnectEvent.class, DisconnectEvent::willReconnect, WAIT);
            // while alice is away: carol leaves, dave comes
            c.disconnect();
            d.connect(CHANNEL).get(10, TimeUnit.SECONDS);
            int mark = log.size();
            proxy.blackHole(false);
            ReconnectedEvent back = log.await(ReconnectedEvent.class, e -> true, mark, WAIT);
            var change = log.await(ai.alo.audio.event.ParticipantsChangedEvent.class, e -> true,
                    log.indexOf(e -> e == back, 0), WAIT);
            assertEquals(List.of("dave"), change.joined().stream().map(p -> p.userId()).toList(), change.toString());
            assertEquals(List.of("carol"), change.left().stream().map(p -> p.userId()).toList(), change.toString());
            assertTrue(change.roster().list().stream().anyMatch(p -> p.userId().equals("alice")));
        }
    }

    @Test
    void serviceThatNeverComesBackEndsWithOneFinalEventWithinTheBudget(AloAudioServer server, TestUsers users)
            throws Exception {
        EventLog log = new EventLog();
        ReconnectBackoff policy = ReconnectBackoff.defaults().withInitialDelay(Duration.ofMillis(200))
                .withMaxDelay(Duration.ofMillis(400)).withBudget(Duration.ofSeconds(3));
        try (AloAudio a = runtime.newClient(users.user("alice").config().name("alice").reconnectPolicy(policy)
                .build())) {
            a.addListener(log);
            a.connect(CHANNEL).get(10, TimeUnit.SECONDS);
            long killed = System.nanoTime();
            server.kill();
            DisconnectEvent last = log.awaitFinal(WAIT);
            long tookMs = (System.nanoTime() - killed) / 1_000_000;
            assertEquals(DisconnectReason.RECONNECT_FAILED, last.reason(), last.toString());
            assertEquals(ConnectionState.ERROR, last.state());
            assertFalse(last.wasConnected());
            assertTrue(last.message().startsWith("Gave up reconnecting to the audio service after "), last.message());
            assertTrue(tookMs >= 2_500 && tookMs < 15_000, "gave up after " + tookMs + " ms (budget 3 s)");
            assertEquals(ConnectionState.ERROR, a.state());
            assertEquals(2, log.disconnects().size(), "the loss, then the end: " + log.sequence());
            assertTrue(log.disconnects().get(0).willReconnect());
            // after the final event: nothing more of this session
            int after = log.size();
            Thread.sleep(1_500);
            assertEquals(after, log.size(), "events after the final one: " + log.sequence());
            // every RECONNECT_PENDING period ended in an attempt; attempts counted up
            List<ConnectionChangeEvent> pendings = log.all(ConnectionChangeEvent.class).stream()
                    .filter(e -> e.state() == ConnectionState.RECONNECT_PENDING
                            && e.previousState() != ConnectionState.RECONNECT_PENDING).toList();
            for (int i = 0; i < pendings.size(); i++) {
                assertEquals(i, pendings.get(i).retryCount(), "retryCount of wait " + i + ": " + pendings);
            }
            assertTrue(pendings.size() >= 4, "attempts: " + pendings.size());
            // a new session may start afterwards
            assertEquals(ConnectionState.ERROR, a.state());
        }
    }

    @Test
    void disconnectWhileWaitingStopsReconnectingForGood(FaultProxy proxy, TestUsers users, AloAudioServer server)
            throws Exception {
        EventLog log = new EventLog();
        ReconnectBackoff slow = ReconnectBackoff.defaults().withImmediateAttempts(0)
                .withInitialDelay(Duration.ofSeconds(3)).withJitter(0);
        try (AloAudio a = runtime.newClient(users.user("alice").config().name("alice").reconnectPolicy(slow)
                .build())) {
            a.addListener(log);
            a.connect(CHANNEL).get(10, TimeUnit.SECONDS);
            proxy.cut();
            ConnectionChangeEvent pending = log.await(ConnectionChangeEvent.class,
                    e -> e.state() == ConnectionState.RECONNECT_PENDING, WAIT);
            assertEquals(3, pending.pendingRestartSeconds());
            log.await(ConnectionChangeEvent.class, e -> e.state() == ConnectionState.RECONNECT_PENDING
                    && e.previousState() == ConnectionState.RECONNECT_PENDING && e.pendingRestartSeconds() == 2, WAIT);
            long accepted = proxy.connectionsAccepted();
            a.disconnect();
            assertEquals(ConnectionState.DISCONNECTED, a.state());
            DisconnectEvent last = log.awaitFinal(WAIT);
            assertEquals(ConnectionState.DISCONNECTED, last.state());
            assertEquals(DisconnectReason.CLIENT_INITIATED, last.reason());
            Thread.sleep(3_500);
            assertEquals(accepted, proxy.connectionsAccepted(), "an attempt started after disconnect()");
            assertTrue(server.participants(CHANNEL.id()).isEmpty(), server.participants(CHANNEL.id()).toString());
            assertEquals(List.of("CONNECTING", "ACQUIRING_ACCESS", "CONNECTED", "ERROR",
                    "disconnect(ERROR,CONNECTION_LOST,true)", "RECONNECT_PENDING", "DISCONNECTED",
                    "disconnect(DISCONNECTED,CLIENT_INITIATED,false)"), log.shape());
        }
    }
}
