package ai.alo.audio.scenarios;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.alo.audio.AloAudio;
import ai.alo.audio.AloAudioRuntime;
import ai.alo.audio.AloAudioRuntimeConfig;
import ai.alo.audio.AudioChannel;
import ai.alo.audio.ConnectionState;
import ai.alo.audio.DisconnectReason;
import ai.alo.audio.event.DisconnectEvent;
import ai.alo.audio.event.ReconnectedEvent;
import ai.alo.audio.testkit.AloAudioTestKit;
import ai.alo.audio.testkit.FaultProxy;
import ai.alo.audio.testkit.TestUsers;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The network goes silent (sockets stay open, nothing passes) for less and for more than the heartbeat budget, at the
 * default heartbeat settings (1 s interval, 1.8 s timeout).
 */
class BlackHoleTest {

    static final AudioChannel CHANNEL = AudioChannel.pushToTalk("ops", "Operations");

    @RegisterExtension
    final AloAudioTestKit kit = AloAudioTestKit.builder().scope(AloAudioTestKit.Scope.TEST).build();

    private AloAudioRuntime runtime;

    @BeforeEach
    void runtime() {
        runtime = AloAudioRuntime.create(AloAudioRuntimeConfig.builder().name("black-hole").build());
    }

    @AfterEach
    void close() {
        runtime.close();
    }

    @Test
    void silenceShorterThanTheTimeoutIsNoLoss(FaultProxy proxy, TestUsers users) throws Exception {
        EventLog log = new EventLog();
        try (AloAudio client = runtime.newClient(users.user("alice").config().name("alice").build())) {
            client.addListener(log);
            client.connect(CHANNEL).get(10, TimeUnit.SECONDS);
            int mark = log.size();
            for (int i = 0; i < 3; i++) {
                // 1.2 s of silence: the ping sent in it waits at most 1.2 s, under the 1.8 s timeout
                proxy.blackHole(true);
                Thread.sleep(1_200);
                proxy.blackHole(false);
                Thread.sleep(2_000);
            }
            assertEquals(ConnectionState.CONNECTED, client.state());
            assertEquals(mark, log.size(), "events during short silences: " + log.sequence());
        }
    }

    @Test
    void silenceLongerThanTheBudgetIsOneLossThenAReconnectWhenItEnds(FaultProxy proxy, TestUsers users)
            throws Exception {
        EventLog log = new EventLog();
        try (AloAudio client = runtime.newClient(users.user("alice").config().name("alice").build())) {
            client.addListener(log);
            client.connect(CHANNEL).get(10, TimeUnit.SECONDS);
            long start = System.nanoTime();
            proxy.blackHole(true);
            DisconnectEvent loss = log.await(DisconnectEvent.class, e -> true, Duration.ofSeconds(10));
            long detectedMs = (System.nanoTime() - start) / 1_000_000;
            assertEquals(DisconnectReason.HEARTBEAT_TIMEOUT, loss.reason());
            assertEquals(DisconnectEvent.LOST_CONNECTION_MESSAGE, loss.message());
            assertTrue(loss.willReconnect());
            // budget: timeout + interval = 2.8 s; generous bound for a loaded machine
            assertTrue(detectedMs >= 1_700 && detectedMs < 6_000, "detected after " + detectedMs + " ms");
            Thread.sleep(4_000); // attempts meanwhile hang in the silence, bounded by the connect timeout
            assertTrue(client.state() == ConnectionState.CONNECTING || client.state()
                    == ConnectionState.RECONNECT_PENDING || client.state() == ConnectionState.ACQUIRING_ACCESS,
                    client.state().toString());
            int mark = log.size();
            proxy.blackHole(false);
            ReconnectedEvent back = log.await(ReconnectedEvent.class, e -> true, mark, Duration.ofSeconds(25));
            assertEquals(ConnectionState.CONNECTED, client.state());
            int[] counts = SessionRules.check(log.sequence());
            assertEquals(1, counts[0], "one loss: " + log.sequence());
            assertEquals(1, log.disconnects().size());
            assertTrue(back.attempts() >= 1);
        }
    }
}
