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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Terminal causes end the session at once with one final event that says why, and nothing is retried: a kick, a
 * duplicate session, a protocol violation. A service going away (1001, 1012, 1013) is retried.
 */
class TerminalCauseTest {

    static final AudioChannel CHANNEL = AudioChannel.pushToTalk("ops", "Operations");

    @RegisterExtension
    final AloAudioTestKit kit = AloAudioTestKit.builder().scope(AloAudioTestKit.Scope.TEST).build();

    private AloAudioRuntime runtime;

    @BeforeEach
    void runtime() {
        runtime = AloAudioRuntime.create(AloAudioRuntimeConfig.builder().name("terminal").build());
    }

    @AfterEach
    void close() {
        runtime.close();
    }

    private void assertEndsAtOnceWithoutRetry(EventLog log, FaultProxy proxy, long acceptedBefore,
                                              DisconnectReason reason) throws Exception {
        DisconnectEvent last = log.awaitFinal(Duration.ofSeconds(10));
        assertEquals(reason, last.reason(), log.sequence().toString());
        assertEquals(ConnectionState.ERROR, last.state());
        assertFalse(last.willReconnect());
        assertTrue(last.wasConnected());
        assertFalse(last.message().isBlank());
        Thread.sleep(1_500);
        assertEquals(acceptedBefore, proxy.connectionsAccepted(), "retried: " + log.sequence());
        assertEquals(List.of("CONNECTING", "ACQUIRING_ACCESS", "CONNECTED", "ERROR",
                "disconnect(ERROR," + reason + ",false)"), log.shape());
    }

    @Test
    void kickIsNotRetried(AloAudioServer server, FaultProxy proxy, TestUsers users) throws Exception {
        EventLog log = new EventLog();
        try (AloAudio client = runtime.newClient(users.user("alice").config().name("alice").build())) {
            client.addListener(log);
            client.connect(CHANNEL).get(10, TimeUnit.SECONDS);
            long accepted = proxy.connectionsAccepted();
            assertTrue(server.endSession("alice", "kicked", "Removed by an operator", 4009));
            assertEndsAtOnceWithoutRetry(log, proxy, accepted, DisconnectReason.KICKED);
            assertTrue(log.disconnects().get(0).message().contains("Removed by an operator"));
        }
    }

    @Test
    void duplicateSessionIsNotRetried(AloAudioServer server, FaultProxy proxy, TestUsers users) throws Exception {
        TestUser alice = users.user("alice");
        EventLog log = new EventLog();
        try (AloAudio first = runtime.newClient(alice.config().name("first").build());
             AloAudio second = runtime.newClient(alice.config().name("second").serverUri(server.uri()).build())) {
            first.addListener(log);
            first.connect(CHANNEL).get(10, TimeUnit.SECONDS);
            long accepted = proxy.connectionsAccepted();
            second.connect(CHANNEL).get(10, TimeUnit.SECONDS); // same user and device: replaces the first
            assertEndsAtOnceWithoutRetry(log, proxy, accepted, DisconnectReason.DUPLICATE_SESSION);
            assertEquals(ConnectionState.CONNECTED, second.state(), "the two never fight over the session");
        }
    }

    @Test
    void protocolViolationIsNotRetried(AloAudioServer server, FaultProxy proxy, TestUsers users) throws Exception {
        EventLog log = new EventLog();
        try (AloAudio client = runtime.newClient(users.user("alice").config().name("alice").build())) {
            client.addListener(log);
            client.connect(CHANNEL).get(10, TimeUnit.SECONDS);
            long accepted = proxy.connectionsAccepted();
            assertTrue(server.sendRaw("alice", "{\"type\":\"welcome\",\"oops\""));
            assertEndsAtOnceWithoutRetry(log, proxy, accepted, DisconnectReason.PROTOCOL_ERROR);
        }
    }

    @ParameterizedTest(name = "close code {0}")
    @ValueSource(ints = {1001, 1012, 1013})
    void serviceGoingAwayIsRetried(int code, AloAudioServer server, TestUsers users) throws Exception {
        EventLog log = new EventLog();
        try (AloAudio client = runtime.newClient(users.user("alice").config().name("alice").build())) {
            client.addListener(log);
            client.connect(CHANNEL).get(10, TimeUnit.SECONDS);
            assertTrue(server.endSession("alice", "shutdown", "Maintenance", code));
            ReconnectedEvent back = log.await(ReconnectedEvent.class, e -> true, Duration.ofSeconds(20));
            assertEquals(ConnectionState.CONNECTED, client.state());
            DisconnectEvent loss = log.disconnects().get(0);
            assertEquals(DisconnectReason.SERVER_SHUTDOWN, loss.reason());
            assertEquals(code, loss.closeCode());
            assertTrue(loss.willReconnect());
            assertFalse(back.resumed(), "a session the service ended on purpose is not resumable");
            assertEquals(1, SessionRules.check(log.sequence())[0]);
        }
    }
}
