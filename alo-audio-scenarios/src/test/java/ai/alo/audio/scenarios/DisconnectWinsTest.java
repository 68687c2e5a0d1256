package ai.alo.audio.scenarios;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.alo.audio.AloAudio;
import ai.alo.audio.AloAudioListener;
import ai.alo.audio.AloAudioRuntime;
import ai.alo.audio.AloAudioRuntimeConfig;
import ai.alo.audio.AloAudioStateException;
import ai.alo.audio.AudioChannel;
import ai.alo.audio.ConnectionState;
import ai.alo.audio.DisconnectReason;
import ai.alo.audio.ReconnectBackoff;
import ai.alo.audio.event.ConnectionChangeEvent;
import ai.alo.audio.event.DisconnectEvent;
import ai.alo.audio.server.AloAudioServer;
import ai.alo.audio.testkit.AloAudioTestKit;
import ai.alo.audio.testkit.FaultProxy;
import ai.alo.audio.testkit.TestUsers;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code disconnect()} and {@code close()} win over reconnecting: called while an attempt is in flight, while a
 * reconnect is pending, or from inside a RECONNECT_PENDING observer, they stop it for good; the final event is
 * DISCONNECTED and the service never sees the client join again.
 */
class DisconnectWinsTest {

    static final AudioChannel CHANNEL = AudioChannel.pushToTalk("ops", "Operations");

    @RegisterExtension
    final AloAudioTestKit kit = AloAudioTestKit.builder().scope(AloAudioTestKit.Scope.TEST).build();

    private AloAudioRuntime runtime;

    @BeforeEach
    void runtime() {
        runtime = AloAudioRuntime.create(AloAudioRuntimeConfig.builder().name("wins").build());
    }

    @AfterEach
    void close() {
        runtime.close();
    }

    @Test
    void disconnectWhileAnAttemptIsInFlight(AloAudioServer server, FaultProxy proxy, TestUsers users)
            throws Exception {
        EventLog log = new EventLog();
        try (AloAudio client = runtime.newClient(users.user("alice").config().name("alice").build())) {
            client.addListener(log);
            client.connect(CHANNEL).get(10, TimeUnit.SECONDS);
            proxy.blackHole(true); // the loss by heartbeat, then an attempt that hangs in the silence
            log.await(DisconnectEvent.class, DisconnectEvent::willReconnect, Duration.ofSeconds(10));
            log.awaitState(ConnectionState.CONNECTING, 0, Duration.ofSeconds(10));
            Thread.sleep(300);
            assertEquals(ConnectionState.CONNECTING, client.state(), log.sequence().toString());
            client.disconnect();
            assertEquals(ConnectionState.DISCONNECTED, client.state());
            long accepted = proxy.connectionsAccepted();
            proxy.blackHole(false); // whatever was in flight could now pass
            Thread.sleep(2_000);
            assertEquals(accepted, proxy.connectionsAccepted(), "an attempt after disconnect()");
            assertTrue(server.participants(CHANNEL.id()).isEmpty(), "joined again: " + server.participants(
                    CHANNEL.id()));
            DisconnectEvent last = log.awaitFinal(Duration.ofSeconds(5));
            assertEquals(ConnectionState.DISCONNECTED, last.state());
            assertEquals(DisconnectReason.CLIENT_INITIATED, last.reason());
            int[] counts = SessionRules.check(log.sequence());
            assertEquals(1, counts[0]);
            assertEquals(1, counts[1]);
        }
    }

    @Test
    void disconnectFromInsideARecconectPendingObserver(AloAudioServer server, FaultProxy proxy, TestUsers users)
            throws Exception {
        EventLog log = new EventLog();
        AtomicReference<AloAudio> self = new AtomicReference<>();
        ReconnectBackoff slow = ReconnectBackoff.defaults().withImmediateAttempts(0)
                .withInitialDelay(Duration.ofSeconds(2)).withJitter(0);
        try (AloAudio client = runtime.newClient(users.user("alice").config().name("alice").reconnectPolicy(slow)
                .build())) {
            self.set(client);
            client.addListener(log);
            client.addListener(new AloAudioListener() {
                @Override
                public void onConnectionChange(ConnectionChangeEvent event) {
                    if (event.state() == ConnectionState.RECONNECT_PENDING) {
                        self.get().disconnect();
                    }
                }
            });
            client.connect(CHANNEL).get(10, TimeUnit.SECONDS);
            long accepted = proxy.connectionsAccepted();
            proxy.cut();
            DisconnectEvent last = log.awaitFinal(Duration.ofSeconds(10));
            assertEquals(ConnectionState.DISCONNECTED, last.state());
            Thread.sleep(3_000);
            assertEquals(accepted, proxy.connectionsAccepted());
            assertEquals(List.of("CONNECTING", "ACQUIRING_ACCESS", "CONNECTED", "ERROR",
                    "disconnect(ERROR,CONNECTION_LOST,true)", "RECONNECT_PENDING", "DISCONNECTED",
                    "disconnect(DISCONNECTED,CLIENT_INITIATED,false)"), log.shape());
        }
    }

    @Test
    void closeWhileWaitingEndsTheSessionAndReleasesEverything(FaultProxy proxy, TestUsers users) throws Exception {
        EventLog log = new EventLog();
        int fdsBefore = Resources.openFds();
        AloAudioRuntime own = AloAudioRuntime.create(AloAudioRuntimeConfig.builder().name("close-wait").build());
        AloAudio client = own.newClient(users.user("alice").config().name("alice")
                .reconnectPolicy(ReconnectBackoff.defaults().withImmediateAttempts(0)
                        .withInitialDelay(Duration.ofSeconds(5))).build());
        client.addListener(log);
        client.connect(CHANNEL).get(10, TimeUnit.SECONDS);
        proxy.cut();
        log.awaitState(ConnectionState.RECONNECT_PENDING, 0, Duration.ofSeconds(5));
        // connect() while waiting: the same channel is the session's (already connected once); another is refused
        assertTrue(client.connect(CHANNEL).isDone());
        assertThrows(AloAudioStateException.class, () -> client.connect(AudioChannel.pushToTalk("other", "")));
        client.close();
        assertEquals(ConnectionState.CLOSED, client.state());
        DisconnectEvent last = log.awaitFinal(Duration.ofSeconds(5));
        assertEquals(DisconnectReason.CLIENT_SHUTDOWN, last.reason());
        assertEquals(ConnectionState.DISCONNECTED, last.state());
        own.close();
        assertEquals(List.of(), Resources.threads("close-wait"), "threads of the runtime left");
        int fds = Resources.awaitAtMost(Resources::openFds, fdsBefore + 2, Duration.ofSeconds(5));
        assertTrue(fds <= fdsBefore + 2, fdsBefore + " -> " + fds);
        List<String> shape = log.shape();
        assertEquals("CLOSED", shape.get(shape.size() - 1), shape.toString());
        SessionRules.check(log.sequence());
    }
}
