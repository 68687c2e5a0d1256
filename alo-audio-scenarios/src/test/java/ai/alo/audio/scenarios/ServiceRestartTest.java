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
import ai.alo.audio.ReconnectBackoff;
import ai.alo.audio.event.ConnectionChangeEvent;
import ai.alo.audio.event.DisconnectEvent;
import ai.alo.audio.event.ReconnectedEvent;
import ai.alo.audio.server.AloAudioServer;
import ai.alo.audio.testkit.AloAudioTestKit;
import ai.alo.audio.testkit.TestUsers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The service is killed (connections reset, no close frames) and comes back on the same port after 0.5 s, after 5 s,
 * or never. The client reconnects within the policy's schedule to a service that forgot its session (a new session),
 * or gives up with one final event; the exact sequence is checked, and nothing is left behind.
 */
class ServiceRestartTest {

    static final AudioChannel CHANNEL = AudioChannel.pushToTalk("ops", "Operations");
    static final byte[] SECRET = "service-restart-test-secret-0123456789".getBytes(StandardCharsets.UTF_8);

    @RegisterExtension
    final AloAudioTestKit kit = AloAudioTestKit.builder().scope(AloAudioTestKit.Scope.TEST)
            .server(b -> b.tokenSecret(SECRET)).build();

    private AloAudioServer restarted;

    @AfterEach
    void stopRestarted() {
        if (restarted != null) {
            restarted.close();
        }
    }

    @ParameterizedTest(name = "back after {0} ms")
    @ValueSource(ints = {500, 5_000})
    void serviceRestartedOnTheSamePort(int downMillis, AloAudioServer server, TestUsers users) throws Exception {
        int fdsBefore = Resources.openFds();
        AloAudioRuntime runtime = AloAudioRuntime.create(AloAudioRuntimeConfig.builder().name("restart").build());
        EventLog log = new EventLog();
        AloAudio client = runtime.newClient(users.user("alice").config().name("alice").build());
        client.addListener(log);
        client.connect(CHANNEL).get(10, TimeUnit.SECONDS);
        String before = client.sessionId().orElseThrow();
        int port = server.port();

        server.kill();
        log.await(DisconnectEvent.class, DisconnectEvent::willReconnect, Duration.ofSeconds(5));
        Thread.sleep(downMillis);
        restarted = AloAudioServer.builder().port(port).tokenSecret(SECRET).build().start();
        long back = System.nanoTime();

        ReconnectedEvent reconnected = log.await(ReconnectedEvent.class, e -> true, Duration.ofSeconds(30));
        long tookMs = (System.nanoTime() - back) / 1_000_000;
        assertEquals(ConnectionState.CONNECTED, client.state());
        assertFalse(reconnected.resumed(), "a restarted service does not know the session: " + reconnected);
        assertEquals(before, reconnected.previousSessionId());
        assertTrue(!before.equals(reconnected.sessionId()), reconnected.toString());
        assertEquals(1, restarted.participants(CHANNEL.id()).size(), "rejoined the same channel");
        // within the policy's schedule: the longest wait of the default policy is 15 s; after 5 s down it is <= 4 s
        assertTrue(tookMs < (downMillis <= 500 ? 3_000 : 6_000), "back " + tookMs + " ms after the service was");

        // the exact shape: one loss, failed attempts while down (each a RECONNECT_PENDING), then back
        String shape = String.join(" ", log.shape());
        assertTrue(shape.matches("CONNECTING ACQUIRING_ACCESS CONNECTED ERROR "
                        + "disconnect\\(ERROR,CONNECTION_LOST,true\\) RECONNECT_PENDING"
                        + "( CONNECTING( ACQUIRING_ACCESS)? RECONNECT_PENDING)*"
                        + " CONNECTING ACQUIRING_ACCESS CONNECTED reconnected\\(new\\)"), shape);
        int[] counts = SessionRules.check(log.sequence());
        assertEquals(1, counts[0], "one loss");
        // retryCount counts the attempts; the last CONNECTED carries the attempt that made it
        List<ConnectionChangeEvent> changes = log.all(ConnectionChangeEvent.class);
        ConnectionChangeEvent connectedAgain = changes.get(changes.size() - 1);
        assertEquals(ConnectionState.CONNECTED, connectedAgain.state());
        assertEquals(reconnected.attempts(), connectedAgain.retryCount());

        client.disconnect();
        assertEquals(ConnectionState.DISCONNECTED, log.awaitFinal(Duration.ofSeconds(5)).state());
        client.close();
        runtime.close();
        assertEquals(List.of(), Resources.threads("restart-"), "runtime threads left");
        int fds = Resources.awaitAtMost(Resources::openFds, fdsBefore + 2, Duration.ofSeconds(5));
        assertTrue(fds <= fdsBefore + 2, "file descriptors: " + fdsBefore + " before, " + fds + " after");
    }

    @Test
    void serviceThatNeverComesBackGivesUpWithinTheBudget(AloAudioServer server, TestUsers users) throws Exception {
        AloAudioRuntime runtime = AloAudioRuntime.create(AloAudioRuntimeConfig.builder().name("never").build());
        EventLog log = new EventLog();
        ReconnectBackoff policy = ReconnectBackoff.defaults().withBudget(Duration.ofSeconds(4));
        try (AloAudio client = runtime.newClient(users.user("alice").config().name("alice").reconnectPolicy(policy)
                .build())) {
            client.addListener(log);
            client.connect(CHANNEL).get(10, TimeUnit.SECONDS);
            long killed = System.nanoTime();
            server.kill();
            DisconnectEvent last = log.awaitFinal(Duration.ofSeconds(30));
            long tookMs = (System.nanoTime() - killed) / 1_000_000;
            assertEquals(DisconnectReason.RECONNECT_FAILED, last.reason());
            assertEquals(ConnectionState.ERROR, client.state());
            assertTrue(last.cause() instanceof ai.alo.audio.AloConnectException, String.valueOf(last.cause()));
            assertTrue(tookMs < 4_000 + 15_000, "gave up after " + tookMs + " ms");
            int[] counts = SessionRules.check(log.sequence());
            assertEquals(1, counts[0]);
            assertEquals(1, counts[1]);
            // no attempt after the final event
            long connecting = log.shape().stream().filter("CONNECTING"::equals).count();
            Thread.sleep(2_000);
            assertEquals(connecting, log.shape().stream().filter("CONNECTING"::equals).count());
            // a new session can start afterwards, and fails at once (not retried: the first attempt)
            var failed = client.connect(CHANNEL);
            try {
                failed.get(10, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException expected) {
                assertEquals(DisconnectReason.CONNECT_FAILED,
                        ((ai.alo.audio.AloConnectException) expected.getCause()).reason());
            }
            assertEquals(2, SessionRules.check(log.sequence())[1], "two sessions ended: " + log.sequence());
        } finally {
            runtime.close();
        }
    }
}
