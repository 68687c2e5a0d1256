package ai.alo.audio.scenarios;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.alo.audio.AloAudio;
import ai.alo.audio.AloAudioListener;
import ai.alo.audio.AloAudioRuntime;
import ai.alo.audio.AloAudioRuntimeConfig;
import ai.alo.audio.AudioChannel;
import ai.alo.audio.ConnectionState;
import ai.alo.audio.DisconnectReason;
import ai.alo.audio.event.AloAudioEvent;
import ai.alo.audio.event.ConnectionChangeEvent;
import ai.alo.audio.event.DisconnectEvent;
import ai.alo.audio.event.ReconnectedEvent;
import ai.alo.audio.server.AloAudioServer;
import ai.alo.audio.testkit.AloAudioTestKit;
import ai.alo.audio.testkit.TestUsers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A thousand signalling clients on one runtime, connected through the kit's proxy, lose the service at once (it is
 * killed: every connection reset, no close frame) and get it back 2 s later on the same port (a new service with the
 * same token secret, which does not know the old sessions). Every client reports exactly one loss ({@code
 * willReconnect} true) and comes back {@code CONNECTED} exactly once with one {@link ReconnectedEvent} (a new session);
 * the reconnects are spread by the policy's backoff and jitter, not one burst (p90 - p10 of the instants they came
 * back, relative to the restart, above 100 ms), and all came back within a generous bound. Nothing is left after
 * close. Prints the spread. About 30-60 s, most of it connecting and closing a thousand clients.
 */
class ManyClientsReconnectTest {

    static final int CLIENTS = 1_000;
    static final int CHANNEL_SIZE = 100;
    static final Duration DOWN = Duration.ofSeconds(2);
    /** The clients' connect timeout (default 10 s): generous, so a slow attempt on a busy machine is no failure. */
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(30);
    /** All back within this after the restart: the default policy's waits reach 2-4 s by then; generous for load. */
    static final Duration ALL_BACK_WITHIN = Duration.ofSeconds(45);
    static final byte[] SECRET = "many-clients-reconnect-test-secret-0123".getBytes(StandardCharsets.UTF_8);
    static final String RUNTIME = "many-reconnect";

    @RegisterExtension
    final AloAudioTestKit kit = AloAudioTestKit.builder().scope(AloAudioTestKit.Scope.TEST)
            .server(b -> b.tokenSecret(SECRET).maxConnectionsPerAddress(10_000)).build();

    private AloAudioServer restarted;

    @AfterEach
    void stopRestarted() {
        if (restarted != null) {
            restarted.close();
        }
    }

    /** What one client saw: counts of the events that matter and when it was connected again. */
    private static final class Tally implements AloAudioListener {

        final List<String> problems = new ArrayList<>();
        int losses;
        int finals;
        int connectedAfterLoss;
        int reconnected;
        boolean resumed;
        int attempts;
        long connectedAgainNanos;
        final CountDownLatch lost;
        final CountDownLatch back;

        Tally(CountDownLatch lost, CountDownLatch back) {
            this.lost = lost;
            this.back = back;
        }

        @Override
        public synchronized void onEvent(AloAudioEvent event) {
            if (event instanceof DisconnectEvent d) {
                if (d.willReconnect()) {
                    losses++;
                    if (d.reason() != DisconnectReason.CONNECTION_LOST) {
                        problems.add("loss with reason " + d.reason());
                    }
                    lost.countDown();
                } else {
                    finals++;
                }
            } else if (event instanceof ConnectionChangeEvent c && c.state() == ConnectionState.CONNECTED
                    && losses > 0) {
                connectedAfterLoss++;
                if (connectedAgainNanos == 0) {
                    connectedAgainNanos = System.nanoTime();
                }
            } else if (event instanceof ReconnectedEvent r) {
                reconnected++;
                resumed |= r.resumed();
                attempts = r.attempts();
                back.countDown();
            }
        }
    }

    @Test
    void aThousandClientsComeBackSpreadOutAfterTheServiceRestarts(AloAudioServer server, TestUsers users)
            throws Exception {
        warmUp(users);
        int threadsBefore = Thread.getAllStackTraces().size();
        int fdsBefore = Resources.openFds();
        CountDownLatch lost = new CountDownLatch(CLIENTS);
        CountDownLatch back = new CountDownLatch(CLIENTS);
        List<Tally> tallies = new ArrayList<>();
        List<AloAudio> clients = new ArrayList<>();
        int port = server.port();
        long restartNanos;
        try (AloAudioRuntime runtime = AloAudioRuntime.create(AloAudioRuntimeConfig.builder().name(RUNTIME)
                .build())) {
            // connected a channel (100 clients) at a time: a thousand at once can exceed the connect timeout on a
            // busy two-core machine, which is not what this test is about
            long connectStart = System.nanoTime();
            for (int channel = 0; channel < CLIENTS / CHANNEL_SIZE; channel++) {
                List<CompletableFuture<AudioChannel>> connects = new ArrayList<>();
                for (int i = channel * CHANNEL_SIZE; i < (channel + 1) * CHANNEL_SIZE; i++) {
                    String id = "many-" + i;
                    AloAudio client = runtime.newClient(users.user(id).config().name(id)
                            .connectTimeout(CONNECT_TIMEOUT).build());
                    Tally tally = new Tally(lost, back);
                    client.addListener(tally);
                    clients.add(client);
                    tallies.add(tally);
                    connects.add(client.connect(AudioChannel.pushToTalk("many-" + channel, "Many " + channel)));
                }
                for (CompletableFuture<AudioChannel> c : connects) {
                    c.get(CONNECT_TIMEOUT.toSeconds() + 10, TimeUnit.SECONDS);
                }
            }
            long connectMs = (System.nanoTime() - connectStart) / 1_000_000;

            // -- the service dies; every client reports its loss
            long killNanos = System.nanoTime();
            server.kill();
            assertTrue(lost.await(30, TimeUnit.SECONDS), "losses reported: " + (CLIENTS - lost.getCount()));
            long lossMs = (System.nanoTime() - killNanos) / 1_000_000;
            long wait = killNanos + DOWN.toNanos() - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }

            // -- back on the same port, with the same token secret
            restarted = AloAudioServer.builder().port(port).tokenSecret(SECRET).media(false)
                    .maxConnectionsPerAddress(10_000).build().start();
            restartNanos = System.nanoTime();
            boolean allBack = back.await(ALL_BACK_WITHIN.toSeconds(), TimeUnit.SECONDS);
            long allBackMs = (System.nanoTime() - restartNanos) / 1_000_000;
            assertTrue(allBack, "came back within " + ALL_BACK_WITHIN.toSeconds() + " s: " + (CLIENTS
                    - back.getCount()) + " of " + CLIENTS);
            // nothing more: no second loss, no second reconnect
            Thread.sleep(1_000);

            long[] backMs = new long[CLIENTS];
            java.util.TreeMap<Integer, Integer> attemptsTaken = new java.util.TreeMap<>();
            for (int i = 0; i < CLIENTS; i++) {
                Tally t = tallies.get(i);
                synchronized (t) {
                    String who = "many-" + i;
                    assertEquals(List.of(), t.problems, who);
                    assertEquals(1, t.losses, who + " losses");
                    assertEquals(0, t.finals, who + " final events");
                    assertEquals(1, t.connectedAfterLoss, who + " CONNECTED after the loss");
                    assertEquals(1, t.reconnected, who + " ReconnectedEvents");
                    assertFalse(t.resumed, who + ": a restarted service cannot resume the old session");
                    backMs[i] = (t.connectedAgainNanos - restartNanos) / 1_000_000;
                    attemptsTaken.merge(t.attempts, 1, Integer::sum);
                }
                assertEquals(ConnectionState.CONNECTED, clients.get(i).state(), "many-" + i);
            }
            int joined = 0;
            for (int c = 0; c < CLIENTS / CHANNEL_SIZE; c++) {
                joined += restarted.participants("many-" + c).size();
            }
            assertEquals(CLIENTS, joined, "members of the restarted service's channels");

            Arrays.sort(backMs);
            long p10 = percentile(backMs, 10);
            long p50 = percentile(backMs, 50);
            long p90 = percentile(backMs, 90);
            System.out.println(String.format(Locale.ROOT, "%d clients (connected in %d ms; every loss reported "
                            + "%d ms after the kill): back after the restart, first %d ms, p10 %d ms, p50 %d ms, "
                            + "p90 %d ms, last %d ms (all back %d ms after the restart); attempts it took "
                            + "(attempts=clients) %s; "
                            + "load average %s", CLIENTS, connectMs, lossMs, backMs[0], p10, p50, p90,
                    backMs[CLIENTS - 1], allBackMs, attemptsTaken, loadAverage()));
            assertTrue(p90 - p10 > 100, "the reconnects came in one burst: p10 " + p10 + " ms, p90 " + p90 + " ms");

            // close() leaves the channel and waits (bounded) for the service: a few at a time
            ExecutorService closer = Executors.newFixedThreadPool(16);
            try {
                List<Future<?>> closes = new ArrayList<>();
                for (AloAudio client : clients) {
                    closes.add(closer.submit(client::close));
                }
                for (Future<?> close : closes) {
                    close.get(60, TimeUnit.SECONDS);
                }
            } finally {
                closer.shutdown();
                assertTrue(closer.awaitTermination(30, TimeUnit.SECONDS));
            }
        }
        assertEquals(List.of(), Resources.threads(RUNTIME + "-"), "threads of the runtime left");
        restarted.close();
        int threads = Resources.awaitAtMost(() -> Thread.getAllStackTraces().size(), threadsBefore,
                Duration.ofSeconds(10));
        assertTrue(threads <= threadsBefore, "threads: " + threadsBefore + " before, " + threads + " after: "
                + Thread.getAllStackTraces().keySet().stream().map(Thread::getName).sorted().toList());
        int fds = Resources.awaitAtMost(Resources::openFds, fdsBefore, Duration.ofSeconds(15));
        assertTrue(fds <= fdsBefore, "file descriptors: " + fdsBefore + " before, " + fds + " after");
    }

    /** One client connected and closed first: what is created lazily on the first connection is in the baseline. */
    private static void warmUp(TestUsers users) throws Exception {
        try (AloAudioRuntime runtime = AloAudioRuntime.create(AloAudioRuntimeConfig.builder().name(RUNTIME + "-warm")
                .build());
             AloAudio client = runtime.newClient(users.user("warm-up").config().name("warm-up").build())) {
            client.connect(AudioChannel.pushToTalk("warm", "Warm")).get(20, TimeUnit.SECONDS);
            client.disconnect();
        }
    }

    private static long percentile(long[] sorted, double p) {
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length, rank) - 1)];
    }

    private static String loadAverage() {
        try {
            return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).trim();
        } catch (java.io.IOException e) {
            return "n/a";
        }
    }
}
