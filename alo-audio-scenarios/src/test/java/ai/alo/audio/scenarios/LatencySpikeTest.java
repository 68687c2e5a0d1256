package ai.alo.audio.scenarios;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.alo.audio.AloAudio;
import ai.alo.audio.AloAudioConfig;
import ai.alo.audio.AloAudioRuntime;
import ai.alo.audio.AloAudioRuntimeConfig;
import ai.alo.audio.AudioChannel;
import ai.alo.audio.ConnectionState;
import ai.alo.audio.event.AloAudioEvent;
import ai.alo.audio.event.ParticipantsChangedEvent;
import ai.alo.audio.server.AloAudioServer;
import ai.alo.audio.testkit.AloAudioTestKit;
import ai.alo.audio.testkit.FaultProxy;
import ai.alo.audio.testkit.TestUsers;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Round-trip spikes below the heartbeat timeout are not losses: 20 connected clients on one runtime, default heartbeat
 * (ping every 1 s, timeout 1.8 s), see round-trip spikes of 50, 65 and 80 % of the timeout (the proxy's latency is
 * half of that each way), each held for 6 s and then removed, the three spikes twice. No client may report anything
 * but participant changes: no {@code DisconnectEvent}, no connection change, every client {@code CONNECTED} after
 * each spike. A raw probe through the proxy checks that each spike really was in force. About 50 s.
 */
class LatencySpikeTest {

    static final AudioChannel CHANNEL = AudioChannel.pushToTalk("spikes", "Spikes");
    static final int CLIENTS = 20;
    static final double[] FRACTIONS = {0.50, 0.65, 0.80};
    static final int ROUNDS = 2;
    static final Duration HOLD = Duration.ofSeconds(6);
    /** After a spike is removed: long enough for the chunks still delayed to be delivered. */
    static final Duration SETTLE = Duration.ofSeconds(2);

    @RegisterExtension
    final AloAudioTestKit kit = AloAudioTestKit.builder().scope(AloAudioTestKit.Scope.TEST).build();

    @Test
    void roundTripSpikesBelowTheHeartbeatTimeoutAreNeverReportedAsLosses(FaultProxy proxy, AloAudioServer server,
                                                                       TestUsers users) throws Exception {
        Duration timeout = AloAudioConfig.DEFAULT_HEARTBEAT_TIMEOUT;
        try (AloAudioRuntime runtime = AloAudioRuntime.create(AloAudioRuntimeConfig.builder().name("spike-test")
                .build())) {
            List<AloAudio> clients = new ArrayList<>();
            List<EventLog> logs = new ArrayList<>();
            List<CompletableFuture<AudioChannel>> connects = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                AloAudio client = runtime.newClient(users.user("spike-" + i).config().name("spike-" + i).build());
                assertEquals(timeout, client.config().heartbeatTimeout(), "the default heartbeat timeout");
                EventLog log = new EventLog();
                client.addListener(log);
                clients.add(client);
                logs.add(log);
                connects.add(client.connect(CHANNEL));
            }
            for (CompletableFuture<AudioChannel> c : connects) {
                c.get(20, TimeUnit.SECONDS);
            }
            // from here on only participant changes are allowed
            int[] marks = logs.stream().mapToInt(EventLog::size).toArray();
            StringBuilder report = new StringBuilder("latency spikes (heartbeat timeout " + timeout.toMillis()
                    + " ms):");
            for (int round = 0; round < ROUNDS; round++) {
                for (double fraction : FRACTIONS) {
                    Duration roundTrip = Duration.ofNanos((long) (timeout.toNanos() * fraction));
                    proxy.latency(roundTrip.dividedBy(2));
                    long probeMs = probeRoundTripMillis(proxy);
                    assertTrue(probeMs >= roundTrip.toMillis() - 5, "the spike is not in force: a probe's round "
                            + "trip took " + probeMs + " ms, the spike is " + roundTrip.toMillis() + " ms");
                    Thread.sleep(HOLD.toMillis());
                    proxy.latency(Duration.ZERO);
                    Thread.sleep(SETTLE.toMillis());
                    report.append("\n  round ").append(round + 1).append(": round trip +").append(roundTrip.toMillis())
                            .append(" ms (").append(Math.round(fraction * 100)).append(" %), probe ").append(probeMs)
                            .append(" ms");
                    assertNothingButParticipants(clients, logs, marks, roundTrip);
                }
            }
            System.out.println(report);
            for (AloAudio client : clients) {
                client.close();
            }
        }
    }

    private static void assertNothingButParticipants(List<AloAudio> clients, List<EventLog> logs, int[] marks,
                                                     Duration spike) {
        for (int i = 0; i < clients.size(); i++) {
            List<AloAudioEvent> events = logs.get(i).events();
            List<AloAudioEvent> since = events.subList(marks[i], events.size());
            assertTrue(since.stream().allMatch(e -> e instanceof ParticipantsChangedEvent),
                    clients.get(i).config().name()
                    + " reported more than participant changes during a round-trip spike of " + spike.toMillis()
                    + " ms: " + logs.get(i).sequence());
            assertEquals(ConnectionState.CONNECTED, clients.get(i).state(), clients.get(i).config().name());
        }
    }

    /**
     * The round trip of a plain HTTP request through the proxy to the service (the answer does not matter, only when
     * its first byte arrives): at least twice the proxy's latency while a spike is in force.
     */
    private static long probeRoundTripMillis(FaultProxy proxy) throws Exception {
        InetSocketAddress address = proxy.address();
        try (Socket socket = new Socket()) {
            socket.connect(address, 5_000);
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            long sent = System.nanoTime();
            out.write(("GET /probe HTTP/1.1\r\nHost: " + address.getHostString() + ":" + address.getPort()
                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            int first = in.read();
            long took = (System.nanoTime() - sent) / 1_000_000;
            assertTrue(first >= 0, "the probe got no answer");
            return took;
        }
    }
}
