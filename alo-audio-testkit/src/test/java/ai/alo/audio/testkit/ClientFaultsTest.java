package ai.alo.audio.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.alo.audio.AloAudio;
import ai.alo.audio.AloAudioConfig;
import ai.alo.audio.AloAudioRuntime;
import ai.alo.audio.AloAudioRuntimeConfig;
import ai.alo.audio.AloConnectException;
import ai.alo.audio.AudioChannel;
import ai.alo.audio.ConnectionState;
import ai.alo.audio.DisconnectReason;
import ai.alo.audio.event.DisconnectEvent;
import ai.alo.audio.impl.observe.Histogram;
import ai.alo.audio.impl.runtime.ClientRuntime;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The real client ({@code AloAudio}, signalling only) through the kit's proxy to the real reference service: each
 * fault produces what an application would see on a real network. Bounds are generous safety bounds; the measured
 * figures are printed.
 */
class ClientFaultsTest {

    @RegisterExtension
    static final AloAudioTestKit KIT = AloAudioTestKit.builder().build();

    private static final AudioChannel CHANNEL = AudioChannel.pushToTalk("dispatch", "Dispatch");
    private static final AtomicInteger USERS = new AtomicInteger();

    private ClientRuntime runtime;

    @BeforeEach
    void newRuntime() {
        runtime = (ClientRuntime) AloAudioRuntime.create(AloAudioRuntimeConfig.builder()
                .name("testkit-" + USERS.incrementAndGet()).build());
    }

    @AfterEach
    void closeRuntime() {
        runtime.close();
    }

    private AloAudio connected(AloAudioConfig config, EventRecorder events) throws Exception {
        // one connection's fault and its one event; the client's automatic reconnects are proved in
        // alo-audio-scenarios
        AloAudio audio = runtime.newClient(config.toBuilder()
                .reconnectPolicy(ai.alo.audio.spi.ReconnectPolicy.never()).build());
        audio.addListener(events);
        audio.connect(CHANNEL).get(10, TimeUnit.SECONDS);
        assertEquals(ConnectionState.CONNECTED, audio.state());
        return audio;
    }

    private static String newUser() {
        return "user-" + USERS.incrementAndGet();
    }

    @Test
    void cut_isReportedAsLostConnection_atOnce_exactlyOnce() throws Exception {
        EventRecorder events = new EventRecorder();
        AloAudio audio = connected(KIT.user(newUser()).config().build(), events);
        assertEquals(1, KIT.proxy().openConnections());

        long start = System.nanoTime();
        assertEquals(1, KIT.proxy().cut());
        DisconnectEvent lost = events.nextDisconnect(10);
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        System.out.println("cut -> DisconnectEvent after " + millis + " ms");

        assertEquals(ConnectionState.ERROR, lost.state());
        assertEquals(DisconnectEvent.LOST_CONNECTION_MESSAGE, lost.message());
        assertEquals(DisconnectReason.CONNECTION_LOST, lost.reason());
        assertTrue(lost.wasConnected());
        assertTrue(millis < 2_000, "reported after " + millis + " ms");
        assertEquals(ConnectionState.ERROR, audio.state());
        assertNull(events.pollDisconnect(500), "a second DisconnectEvent");
        audio.close();
        assertEquals(1, events.disconnectCount());
    }

    @Test
    void blackHole_isReportedByTheHeartbeatTimeout() throws Exception {
        EventRecorder events = new EventRecorder();
        AloAudio audio = connected(KIT.user(newUser()).config().build(), events);
        assertEquals(Duration.ofMillis(1800), audio.config().heartbeatTimeout());

        long start = System.nanoTime();
        KIT.proxy().blackHole(true);
        DisconnectEvent lost = events.nextDisconnect(10);
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        System.out.println("black hole -> DisconnectEvent after " + millis + " ms (heartbeat 1 s / 1.8 s)");

        assertEquals(ConnectionState.ERROR, lost.state());
        assertEquals(DisconnectEvent.LOST_CONNECTION_MESSAGE, lost.message());
        assertEquals(DisconnectReason.HEARTBEAT_TIMEOUT, lost.reason());
        // the budget runs from the first ping sent into the black hole: 1.8 s, plus up to one interval
        assertTrue(millis >= 1_400, "declared lost too early: " + millis + " ms");
        assertTrue(millis < 6_000, "declared lost after " + millis + " ms");
        audio.close();
        assertEquals(1, events.disconnectCount());
    }

    @Test
    void shortBlackHole_belowTheHeartbeatTimeout_isNoDisconnect() throws Exception {
        EventRecorder events = new EventRecorder();
        AloAudio audio = connected(KIT.user(newUser()).config().build(), events);

        KIT.proxy().blackHole(true);
        assertNull(events.pollDisconnect(1_000), "disconnected during a 1 s black hole");
        KIT.proxy().blackHole(false);
        // the held pings and pongs arrive: the heartbeat budget (1.8 s per ping) never ran out
        assertNull(events.pollDisconnect(3_000), "disconnected after a 1 s black hole");
        assertEquals(ConnectionState.CONNECTED, audio.state());
        audio.disconnect();
        assertEquals(ConnectionState.DISCONNECTED, events.nextDisconnect(10).state());
        assertEquals(1, events.disconnectCount());
    }

    @Test
    void latencyBelowTheHeartbeatTimeout_noFalseDisconnect_roundTripGrows() throws Exception {
        EventRecorder events = new EventRecorder();
        AloAudio audio = connected(KIT.user(newUser()).config().build(), events);
        Histogram rtt = runtime.metrics().heartbeatRoundTrip();

        // a baseline: at least two pongs without latency
        assertTrue(ProcessResources.await(5_000, () -> rtt.count() >= 2), "no pong within 5 s");
        double baseline = rtt.sumMillis() / rtt.count();
        long countBefore = rtt.count();
        double sumBefore = rtt.sumMillis();

        KIT.proxy().latency(Duration.ofMillis(200));
        // 5 s of heartbeats (1 s interval) with 400 ms round trips, against a 1.8 s timeout
        assertNull(events.pollDisconnect(5_000), "disconnected under latency below the heartbeat timeout");
        assertEquals(ConnectionState.CONNECTED, audio.state());
        long pongs = rtt.count() - countBefore;
        double delayed = (rtt.sumMillis() - sumBefore) / pongs;
        System.out.printf("heartbeat round trip: %.2f ms before, %.2f ms with 200 ms each way (%d pongs)%n",
                baseline, delayed, pongs);
        assertTrue(pongs >= 3, "only " + pongs + " pongs in 5 s");
        // the first pong may have left before the latency was set; the mean still grows by far more than 250 ms
        assertTrue(delayed >= baseline + 250, "mean round trip " + delayed + " ms, baseline " + baseline + " ms");

        audio.disconnect();
        DisconnectEvent end = events.nextDisconnect(10);
        assertEquals(ConnectionState.DISCONNECTED, end.state());
        assertEquals(1, events.disconnectCount());
    }

    @Test
    void throttle_slowsTheConnectButItSucceeds() throws Exception {
        KIT.proxy().throttle(2_000);
        EventRecorder events = new EventRecorder();
        long start = System.nanoTime();
        AloAudio audio = connected(KIT.user(newUser()).config().build(), events);
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        System.out.println("connect through a 2,000 B/s throttle: " + millis + " ms, proxy forwarded "
                + KIT.proxy().bytesForwarded() + " bytes in total");
        assertEquals(ConnectionState.CONNECTED, audio.state());
        audio.disconnect();
        assertEquals(ConnectionState.DISCONNECTED, events.nextDisconnect(10).state());
    }

    @Test
    void refuseNew_connectFailsQuickly_withConnectFailed() throws Exception {
        KIT.proxy().refuseNew(true);
        EventRecorder events = new EventRecorder();
        AloAudio audio = runtime.newClient(KIT.user(newUser()).config().connectTimeout(Duration.ofSeconds(30)).build());
        audio.addListener(events);

        long start = System.nanoTime();
        CompletableFuture<AudioChannel> connect = audio.connect(CHANNEL);
        ExecutionException failed = assertThrows(ExecutionException.class, () -> connect.get(30, TimeUnit.SECONDS));
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        System.out.println("refused -> connect failed after " + millis + " ms");

        AloConnectException cause = assertInstanceOf(AloConnectException.class, failed.getCause());
        assertEquals(DisconnectReason.CONNECT_FAILED, cause.reason());
        assertTrue(millis < 5_000, "failed after " + millis + " ms; the connect timeout is 30 s");
        DisconnectEvent event = events.nextDisconnect(10);
        assertEquals(ConnectionState.ERROR, event.state());
        assertEquals(DisconnectReason.CONNECT_FAILED, event.reason());
        assertFalse(event.wasConnected());
        assertTrue(KIT.proxy().connectionsRefused() >= 1);
    }

    @Test
    void faultsOfOneTest_areHealedBeforeTheNext_soThisConnects() throws Exception {
        // runs in any order with the others: whatever fault an earlier test left, the kit healed it
        EventRecorder events = new EventRecorder();
        AloAudio audio = connected(KIT.user(newUser()).config().build(), events);
        assertFalse(KIT.proxy().isBlackHole());
        assertEquals(Duration.ZERO, KIT.proxy().latency());
        audio.close();
    }
}
