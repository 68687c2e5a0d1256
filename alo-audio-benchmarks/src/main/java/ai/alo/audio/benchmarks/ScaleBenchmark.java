package ai.alo.audio.benchmarks;

import ai.alo.audio.spi.ReconnectPolicy;
import ai.alo.audio.AloAudio;
import ai.alo.audio.AloAudioConfig;
import ai.alo.audio.AloAudioListener;
import ai.alo.audio.AloAudioRuntime;
import ai.alo.audio.AloAudioRuntimeConfig;
import ai.alo.audio.AudioChannel;
import ai.alo.audio.AudioUser;
import ai.alo.audio.ConnectionState;
import ai.alo.audio.event.DisconnectEvent;
import ai.alo.audio.impl.observe.Histogram;
import ai.alo.audio.impl.runtime.ClientRuntime;
import ai.alo.audio.server.TokenIssuer;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Clients per JVM: N {@link AloAudio} clients on one runtime, each joined to a channel (channels of
 * {@code --channel-size} participants), heartbeats at the defaults, against the reference service in another JVM.
 * Measures the runtime's threads (against the stated bound), heap per connected client, the connect ramp, the CPU of
 * both processes while every client pings once a second, and then, after a SIGKILL of the server process, whether
 * every client's {@link DisconnectEvent} arrives exactly once within the heartbeat timeout.
 */
final class ScaleBenchmark {

    static final String USAGE = "Benchmarks scale [options]: N clients on one runtime, then SIGKILL of the server";
    /** The heap target per connected client. */
    static final long HEAP_PER_CLIENT_TARGET = 50 * 1024;
    /** Clients connected before the baseline is taken (runtime threads started, classes loaded). */
    static final int BASELINE_CLIENTS = 10;

    private ScaleBenchmark() {
    }

    static Args args() {
        return new Args(USAGE)
                .option("clients", 1000, "connected clients N (at least " + (BASELINE_CLIENTS + 1) + ")")
                .option("channel-size", 100, "participants per channel (N / size channels)")
                .option("ramp-window", 64, "connects in flight at most during the ramp (0: all at once)")
                .option("steady-seconds", 10, "how long to measure CPU and heartbeats with every client connected")
                .option("after-kill-seconds", 3, "how long to keep watching for duplicate events after the last one")
                .option("settle-ms", 2000, "pause after the ramp (roster deltas) and after the heap measurement")
                .option("io-threads", 0, "runtime ioThreads (0: the runtime's default)")
                .option("event-threads", 0, "runtime eventThreads (0: the runtime's default)")
                .option("connect-threads", 0, "runtime connectThreads (0: the runtime's default)")
                .option("server-jvm-args", "-Xms256m -Xmx2g", "JVM options of the server process")
                .option("server-workers", 4, "the server's Grizzly worker threads")
                .flag("log-info", "INFO logging in client and server")
                .option("client-log-level", "WARNING", "level of the client's logger ai.alo.audio (SEVERE: drop its "
                        + "WARNING lines, to measure their cost)")
                .option("output", "alo-audio-benchmarks/target/benchmark-scale.md", "the Markdown report");
    }

    /** The measurements; public fields for the report and the smoke test. */
    static final class Result {
        int clients;
        int channelSize;
        int channels;
        int rampWindow;
        String runtimeConfig;
        int threadBound;
        String serverFlags;
        String clientLog;

        ProcStats.Snapshot before;
        ProcStats.Snapshot baseline;
        List<String> baselineThreads;
        ProcStats.Snapshot loaded;
        List<String> loadedThreads;
        ServerProcess.Stats serverLoaded;
        int eventBacklogLoaded;
        String histogram;
        long baselineLive;
        long loadedLive;
        long loadedGcPauseNanos;

        int connected;
        int peakRuntimeThreads;
        int peakJvmThreads;
        final Map<String, Integer> connectFailures = new TreeMap<>();
        long rampNanos;
        double rampClientCpuPercent = Double.NaN;
        double rampServerCpuPercent = Double.NaN;
        double rampMachineBusyPercent = Double.NaN;
        final Samples connectTimes = new Samples("connect() to CONNECTED");

        long steadyNanos;
        double clientCpuPercent = Double.NaN;
        double serverCpuPercent = Double.NaN;
        double machineBusyPercent = Double.NaN;
        long heartbeats;
        double heartbeatP50Ms = Double.NaN;
        double heartbeatP99Ms = Double.NaN;
        double heartbeatMaxMs = Double.NaN;
        final Map<String, Integer> eventsBeforeKill = new TreeMap<>();
        List<Timeline.Sample> timeline = List.of();
        long clientGcCount;
        long clientGcMaxMs;
        long serverGcCount = -1;
        long serverGcMaxMs = -1;

        long budgetNanos;
        int afterKillSeconds;
        final Samples killToEvent = new Samples("SIGKILL to DisconnectEvent");
        final Samples killToCommitted = new Samples("SIGKILL to the loss committed (event timestamp)");
        final Samples committedToDelivered = new Samples("loss committed to event delivered");
        long processExitNanos = -1;
        /** CPU time of each runtime thread (by role) from the kill to the last event, ms; and that wall time. */
        final Map<String, Double> killThreadCpuMs = new TreeMap<>();
        long killSpreadNanos;
        int exactlyOnce;
        int missing;
        int duplicated;
        int lostConnectionMessage;
        final Map<String, Integer> killReasons = new TreeMap<>();
        int withinBudget;
        int afterRelease;
        int secondEvents;
        long releaseNanos;
        ProcStats.Snapshot closed;
        int threadsAfterClose;
        int openConnectionsAfterClose;
        final Map<String, Integer> clientWarnings = new TreeMap<>();

        /** Live heap bytes per connected client, from the class histograms' totals (each after a full GC). */
        long heapPerClient() {
            return connected > BASELINE_CLIENTS && loadedLive > 0 && baselineLive > 0
                    ? (loadedLive - baselineLive) / (connected - BASELINE_CLIENTS) : -1;
        }
    }

    /**
     * Runs the scenario.
     *
     * @param a        the options
     * @param progress progress lines
     * @return the result
     * @throws Exception if the setup fails (a broken contract is recorded, not thrown)
     */
    static Result run(Args a, PrintStream progress) throws Exception {
        GcWatch.install();
        Result r = new Result();
        r.clients = a.integer("clients", BASELINE_CLIENTS + 1);
        r.channelSize = a.integer("channel-size", 1);
        r.channels = (r.clients + r.channelSize - 1) / r.channelSize;
        r.rampWindow = a.integer("ramp-window", 0);
        r.clientLog = a.string("client-log-level");
        int n = r.clients;
        Path dir = Path.of(a.string("output")).toAbsolutePath().getParent();
        String secret = Secrets.random();
        TokenIssuer tokens = new TokenIssuer(secret.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        ServerProcess.Config serverConfig = new ServerProcess.Config(a.words("server-jvm-args"), false,
                n + 100, n + 100, a.integer("server-workers", 1), false, a.flag("log-info"));
        r.serverFlags = String.join(" ", serverConfig.jvmArgs()) + " (no fault-injection relay; maxConnections and "
                + "maxConnectionsPerAddress " + (n + 100) + ")";

        AloAudioRuntimeConfig.Builder rb = AloAudioRuntimeConfig.builder().name("bench");
        if (a.integer("io-threads", 0) > 0) {
            rb.ioThreads(a.integer("io-threads", 1));
        }
        if (a.integer("event-threads", 0) > 0) {
            rb.eventThreads(a.integer("event-threads", 1));
        }
        if (a.integer("connect-threads", 0) > 0) {
            rb.connectThreads(a.integer("connect-threads", 1));
        }
        AloAudioRuntimeConfig runtimeConfig = rb.build();
        r.runtimeConfig = "ioThreads " + runtimeConfig.ioThreads() + ", eventThreads " + runtimeConfig.eventThreads()
                + ", connectThreads " + runtimeConfig.connectThreads();
        r.threadBound = runtimeConfig.ioThreads() + runtimeConfig.eventThreads() + runtimeConfig.connectThreads() + 1;

        AloAudio[] clients = new AloAudio[n];
        AtomicIntegerArray events = new AtomicIntegerArray(n);
        AtomicLongArray firstEventAt = new AtomicLongArray(n);
        AtomicReferenceArray<DisconnectEvent> firstEvent = new AtomicReferenceArray<>(n);
        AtomicInteger arrived = new AtomicInteger();
        AtomicInteger heartbeatTimeouts = new AtomicInteger();
        AtomicInteger serverHeartbeatTimeouts = new AtomicInteger();
        AtomicInteger otherEnds = new AtomicInteger();
        long[] connectStart = new long[n];

        try (ClientLogging logging = new ClientLogging(dir.resolve("benchmark-client.log"), a.flag("log-info"),
                java.util.logging.Level.parse(a.string("client-log-level")))) {
            r.before = ProcStats.take(true);
            progress.printf("scale: starting the server process (%s)...%n", r.serverFlags);
            try (ServerProcess server = ServerProcess.start(serverConfig, secret, dir.resolve("benchmark-server.log"));
                 AloAudioRuntime runtime = AloAudioRuntime.create(runtimeConfig)) {
                ClientRuntime rt = (ClientRuntime) runtime;
                List<AudioChannel> channels = new ArrayList<>();
                for (int c = 0; c < r.channels; c++) {
                    channels.add(AudioChannel.pushToTalk(String.format(Locale.ROOT, "ch-%04d", c),
                            "Channel " + c));
                }
                // -- baseline: the first clients start the runtime's threads and load the classes
                CountDownLatch all = new CountDownLatch(n);
                AtomicInteger failures = new AtomicInteger();
                Semaphore window = new Semaphore(r.rampWindow == 0 ? Integer.MAX_VALUE : r.rampWindow);
                for (int i = 0; i < BASELINE_CLIENTS; i++) {
                    connect(i, r, rt, server, tokens, channels, clients, events, firstEventAt, firstEvent, arrived,
                            connectStart, window, all, failures, heartbeatTimeouts, serverHeartbeatTimeouts,
                            otherEnds);
                }
                if (!awaitLatchCount(all, n - BASELINE_CLIENTS, 60)) {
                    throw new IllegalStateException("the first " + BASELINE_CLIENTS + " clients did not connect");
                }
                ServerProcess.sleep(Math.min(500, a.integer("settle-ms", 0)));
                r.baseline = ProcStats.take(true);
                r.baselineLive = ProcStats.histogramTotalBytes(ProcStats.classHistogram());
                r.baselineThreads = names(rt.liveThreads());

                // -- ramp
                progress.printf("scale: connecting %d clients in %d channels of %d, at most %s connects in flight...%n",
                        n, r.channels, r.channelSize, r.rampWindow == 0 ? "all" : String.valueOf(r.rampWindow));
                Timeline timeline = new Timeline(rt, clients, server, heartbeatTimeouts, serverHeartbeatTimeouts,
                        otherEnds);
                long rampCpu0 = ProcStats.cpuNanos();
                long rampServerCpu0 = server.cpuNanosFromProc();
                long[] rampBusy0 = RunInfo.machineCpuTicks();
                long rampStart = System.nanoTime();
                for (int i = BASELINE_CLIENTS; i < n; i++) {
                    window.acquire();
                    if (i % 50 == 0) {
                        peaks(r, rt);
                        timeline.started = i;
                    }
                    connect(i, r, rt, server, tokens, channels, clients, events, firstEventAt, firstEvent, arrived,
                            connectStart, window, all, failures, heartbeatTimeouts, serverHeartbeatTimeouts,
                            otherEnds);
                    if ((i + 1) % 1000 == 0) {
                        progress.printf("  %d connects started (%d s)%n", i + 1,
                                TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - rampStart));
                    }
                }
                if (!all.await(60 + n / 50, TimeUnit.SECONDS)) {
                    progress.printf("scale: %d connects still pending after the ramp deadline%n", all.getCount());
                }
                r.rampNanos = System.nanoTime() - rampStart;
                timeline.started = n;
                timeline.phase = "settle + GC";
                r.rampClientCpuPercent = 100.0 * (ProcStats.cpuNanos() - rampCpu0) / r.rampNanos;
                r.rampServerCpuPercent = 100.0 * (server.cpuNanosFromProc() - rampServerCpu0) / r.rampNanos;
                r.rampMachineBusyPercent = RunInfo.busyPercent(rampBusy0, RunInfo.machineCpuTicks());
                r.connected = 0;
                for (int i = 0; i < n; i++) {
                    if (clients[i] != null && clients[i].state() == ConnectionState.CONNECTED) {
                        r.connected++;
                    }
                }
                progress.printf("scale: %d of %d connected in %.1f s%n", r.connected, n, r.rampNanos / 1e9);

                // -- loaded: heap, threads, descriptors with every client connected (roster deltas settled)
                ServerProcess.sleep(a.integer("settle-ms", 0));
                // ONE full GC (the class histogram's) while the clients are live: back-to-back full GCs of a large heap
                // stop the I/O thread longer than the heartbeat timeout and every connection is lost. No GC in the
                // server process either, for the same reason.
                r.eventBacklogLoaded = rt.events().backlog();
                long gc0 = System.nanoTime();
                String histogram = ProcStats.classHistogram();
                r.loadedGcPauseNanos = System.nanoTime() - gc0;
                r.loaded = ProcStats.take(false);
                r.loadedLive = ProcStats.histogramTotalBytes(histogram);
                r.histogram = ProcStats.head(histogram, 18);
                r.loadedThreads = names(rt.liveThreads());
                r.serverLoaded = server.stats(false);
                ServerProcess.sleep(a.integer("settle-ms", 0));

                // -- steady: every client pings once a second
                progress.printf("scale: steady state for %d s...%n", a.integer("steady-seconds", 1));
                long[] busy0 = RunInfo.machineCpuTicks();
                long cpu0 = ProcStats.cpuNanos();
                long serverCpu0 = server.cpuNanosFromProc();
                long[] hb0 = rt.metrics().heartbeatRoundTrip().bucketCounts();
                long steady0 = System.nanoTime();
                timeline.phase = "steady";
                ServerProcess.sleep(TimeUnit.SECONDS.toMillis(a.integer("steady-seconds", 1)));
                r.steadyNanos = System.nanoTime() - steady0;
                r.clientCpuPercent = 100.0 * (ProcStats.cpuNanos() - cpu0) / r.steadyNanos;
                long serverCpu1 = server.cpuNanosFromProc();
                if (serverCpu0 >= 0 && serverCpu1 >= 0) {
                    r.serverCpuPercent = 100.0 * (serverCpu1 - serverCpu0) / r.steadyNanos;
                }
                r.machineBusyPercent = RunInfo.busyPercent(busy0, RunInfo.machineCpuTicks());
                long[] hb1 = rt.metrics().heartbeatRoundTrip().bucketCounts();
                long[] hb = new long[hb1.length];
                for (int b = 0; b < hb.length; b++) {
                    hb[b] = hb1[b] - hb0[b];
                    r.heartbeats += hb[b];
                }
                r.heartbeatP50Ms = quantile(hb, 0.50);
                r.heartbeatP99Ms = quantile(hb, 0.99);
                r.heartbeatMaxMs = quantile(hb, 1.0);
                for (int i = 0; i < n; i++) {
                    DisconnectEvent e = firstEvent.get(i);
                    if (e != null) {
                        r.eventsBeforeKill.merge(e.state() + "/" + e.reason() + ": " + e.message(), 1, Integer::sum);
                    }
                }
                int alreadyEnded = arrived.get();
                timeline.close();
                r.clientGcCount = GcWatch.count();
                r.clientGcMaxMs = GcWatch.maxMillis();
                ServerProcess.Stats beforeKill = server.stats(false);
                r.serverGcCount = beforeKill.gcCount();
                r.serverGcMaxMs = beforeKill.gcMaxMillis();
                r.timeline = timeline.samples();

                // -- SIGKILL of the server process
                progress.printf("scale: SIGKILL of the server process (pid %d)...%n", server.pid());
                AloAudioConfig any = clients[0].config();
                r.budgetNanos = any.heartbeatTimeout().toNanos();
                long expected = 0;
                for (int i = 0; i < n; i++) {
                    if (clients[i] != null && clients[i].state() == ConnectionState.CONNECTED) {
                        expected++;
                    }
                }
                Map<Thread, Long> cpuAtKill = threadCpu(rt.liveThreads());
                java.time.Instant killWall = java.time.Instant.now();
                long killAt = System.nanoTime();
                CompletableFuture<Long> exited = server.killForcibly();
                long deadline = killAt + TimeUnit.SECONDS.toNanos(15);
                while (arrived.get() - alreadyEnded < expected && System.nanoTime() < deadline) {
                    Thread.sleep(1);
                    peaks(r, rt);
                }
                r.killSpreadNanos = System.nanoTime() - killAt;
                Map<Thread, Long> cpuAfter = threadCpu(rt.liveThreads());
                for (Map.Entry<Thread, Long> e : cpuAfter.entrySet()) {
                    Long before = cpuAtKill.get(e.getKey());
                    String role = byRole(List.of(e.getKey().getName())).replaceFirst("^1 ", "");
                    r.killThreadCpuMs.merge(role, (e.getValue() - (before == null ? 0 : before)) / 1e6, Double::sum);
                }
                Long exitedAt = exited.getNow(null);
                if (exitedAt == null) {
                    exitedAt = exited.get(10, TimeUnit.SECONDS);
                }
                r.processExitNanos = exitedAt - killAt;
                progress.printf("scale: %d of %d events after %.0f ms; watching %d s for duplicates...%n",
                        arrived.get() - alreadyEnded, expected, (System.nanoTime() - killAt) / 1e6,
                        a.integer("after-kill-seconds", 0));
                r.afterKillSeconds = a.integer("after-kill-seconds", 0);
                ServerProcess.sleep(TimeUnit.SECONDS.toMillis(r.afterKillSeconds));
                for (int i = 0; i < n; i++) {
                    int count = events.get(i);
                    long at = firstEventAt.get(i);
                    DisconnectEvent e = firstEvent.get(i);
                    boolean endedByKill = e != null && at >= killAt;
                    if (clients[i] == null || (e != null && !endedByKill)) {
                        continue; // never connected, or ended before the kill (reported above)
                    }
                    if (count == 0) {
                        r.missing++;
                        continue;
                    }
                    if (count == 1) {
                        r.exactlyOnce++;
                    } else {
                        r.duplicated++;
                    }
                    r.killToEvent.add(at - killAt);
                    // the event's timestamp is taken (wall clock, microseconds) when the loss is committed under the
                    // client's lock, on the thread that saw it; delivery follows on an event thread
                    long committed = java.time.Duration.between(killWall, e.timestamp()).toNanos();
                    if (committed >= 0) {
                        r.killToCommitted.add(committed);
                        r.committedToDelivered.add(Math.max(0, (at - killAt) - committed));
                    }
                    if (at - killAt <= r.budgetNanos) {
                        r.withinBudget++;
                    }
                    r.killReasons.merge(e.state() + "/" + e.reason(), 1, Integer::sum);
                    if (e.state() == ConnectionState.ERROR
                            && DisconnectEvent.LOST_CONNECTION_MESSAGE.equals(e.message())) {
                        r.lostConnectionMessage++;
                    }
                }

                // -- release: disconnect() (ERROR -> DISCONNECTED, no second event), close(), runtime close
                progress.println("scale: disconnect() and close() every client, then close the runtime...");
                long release0 = System.nanoTime();
                for (AloAudio client : clients) {
                    if (client != null) {
                        client.disconnect();
                        if (client.state() == ConnectionState.DISCONNECTED) {
                            r.afterRelease++;
                        }
                        client.close();
                    }
                }
                runtime.close();
                r.releaseNanos = System.nanoTime() - release0;
                for (int i = 0; i < n; i++) {
                    if (events.get(i) > 1) {
                        r.secondEvents++;
                    }
                }
                r.threadsAfterClose = rt.liveThreads().size();
                r.openConnectionsAfterClose = rt.openConnections();
            }
            r.closed = ProcStats.take(true);
            r.clientWarnings.putAll(logging.counts());
        }
        return r;
    }

    private static void connect(int i, Result r, ClientRuntime rt, ServerProcess server, TokenIssuer tokens,
                                List<AudioChannel> channels, AloAudio[] clients, AtomicIntegerArray events,
                                AtomicLongArray firstEventAt, AtomicReferenceArray<DisconnectEvent> firstEvent,
                                AtomicInteger arrived, long[] connectStart, Semaphore window, CountDownLatch all,
                                AtomicInteger failures, AtomicInteger heartbeatTimeouts,
                                AtomicInteger serverHeartbeatTimeouts, AtomicInteger otherEnds) {
        String user = String.format(Locale.ROOT, "u-%05d", i);
        AloAudio client = rt.newClient(AloAudioConfig.builder()
                .name(String.format(Locale.ROOT, "c%05d", i))
                .serverUri(server.uri())
                .mediaEnabled(false).reconnectPolicy(ReconnectPolicy.never())
                .user(AudioUser.of(user, "User " + i))
                .userAuthToken(tokens.issue(user, Duration.ofHours(4)))
                .build());
        client.addListener(new AloAudioListener() {
            @Override
            public void onDisconnect(DisconnectEvent event) {
                long now = System.nanoTime();
                if (events.incrementAndGet(i) == 1) {
                    firstEventAt.set(i, now);
                    firstEvent.set(i, event);
                    arrived.incrementAndGet();
                    switch (event.reason()) {
                        case HEARTBEAT_TIMEOUT -> heartbeatTimeouts.incrementAndGet();
                        case SERVER_HEARTBEAT_TIMEOUT -> serverHeartbeatTimeouts.incrementAndGet();
                        default -> otherEnds.incrementAndGet();
                    }
                }
            }
        });
        clients[i] = client;
        connectStart[i] = System.nanoTime();
        client.connect(channels.get(i / r.channelSize)).whenComplete((channel, failure) -> {
            long done = System.nanoTime();
            if (failure == null) {
                synchronized (r.connectTimes) {
                    r.connectTimes.add(done - connectStart[i]);
                }
            } else {
                failures.incrementAndGet();
                Throwable cause = failure instanceof java.util.concurrent.CompletionException && failure.getCause()
                        != null ? failure.getCause() : failure;
                synchronized (r.connectFailures) {
                    r.connectFailures.merge(cause.getClass().getSimpleName() + ": " + shorten(cause.getMessage()), 1,
                            Integer::sum);
                }
            }
            window.release();
            all.countDown();
        });
    }

    /** CPU time of each thread so far (ns), where the JVM measures it. */
    private static Map<Thread, Long> threadCpu(List<Thread> threads) {
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        Map<Thread, Long> cpu = new java.util.HashMap<>();
        for (Thread t : threads) {
            long ns = mx.getThreadCpuTime(t.getId());
            if (ns >= 0) {
                cpu.put(t, ns);
            }
        }
        return cpu;
    }

    /** Records the most threads seen (runtime's own and the JVM's), during the ramp and after the kill. */
    private static void peaks(Result r, ClientRuntime rt) {
        r.peakRuntimeThreads = Math.max(r.peakRuntimeThreads, rt.liveThreads().size());
        r.peakJvmThreads = Math.max(r.peakJvmThreads, java.lang.management.ManagementFactory.getThreadMXBean()
                .getThreadCount());
    }

    private static String shorten(String message) {
        if (message == null) {
            return "";
        }
        return message.length() > 160 ? message.substring(0, 160) + "..." : message;
    }

    private static boolean awaitLatchCount(CountDownLatch latch, long count, long seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (latch.getCount() > count) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(5);
        }
        return true;
    }

    static List<String> names(List<Thread> threads) {
        List<String> names = new ArrayList<>();
        for (Thread t : threads) {
            names.add(t.getName());
        }
        names.sort(null);
        return names;
    }

    /** Upper bound of a quantile from histogram bucket counts (bounds in {@link Histogram#BOUNDS_MS}). */
    static double quantile(long[] counts, double q) {
        long total = 0;
        for (long c : counts) {
            total += c;
        }
        if (total == 0) {
            return Double.NaN;
        }
        long rank = Math.max(1, (long) Math.ceil(q * total));
        long seen = 0;
        for (int i = 0; i < counts.length; i++) {
            seen += counts[i];
            if (seen >= rank) {
                return i < Histogram.BOUNDS_MS.length ? Histogram.BOUNDS_MS[i] : Double.POSITIVE_INFINITY;
            }
        }
        return Double.POSITIVE_INFINITY;
    }

    /** Threads by role: {@code bench-io-1} counts as {@code io}. */
    static String byRole(List<String> names) {
        Map<String, Integer> roles = new TreeMap<>();
        for (String name : names) {
            String[] parts = name.split("-");
            roles.merge(parts.length >= 3 ? parts[parts.length - 2] : name, 1, Integer::sum);
        }
        StringBuilder text = new StringBuilder();
        roles.forEach((role, count) -> text.append(text.length() == 0 ? "" : ", ").append(count).append(' ')
                .append(role));
        return text.toString();
    }

    // -----------------------------------------------------------------------------------------------------------

    static String markdown(Result r, RunInfo info) {
        StringBuilder md = new StringBuilder();
        md.append("### Clients per JVM: ").append(String.format(Locale.ROOT, "%,d", r.clients))
                .append(" clients\n\n");
        md.append(info.header(r.serverFlags));
        md.append("- Setup: one application-owned runtime (`AloAudioRuntime.create`, ").append(r.runtimeConfig)
                .append("; stated bound ioThreads + eventThreads + connectThreads + 1 = ").append(r.threadBound)
                .append(" threads); ").append(String.format(Locale.ROOT, "%,d", r.clients)).append(" clients in ")
                .append(r.channels).append(" channels of ").append(r.channelSize)
                .append(" (every client holds its channel's roster and gets its joins); default client configuration"
                        + " (heartbeat 1 s / 2.5 s, close grace 250 ms); at most ")
                .append(r.rampWindow == 0 ? "all" : String.valueOf(r.rampWindow))
                .append(" connects in flight; one user and token per client; the server in its own JVM, on "
                        + "127.0.0.1\n");
        md.append("- Client logging: java.util.logging, WARNING and above (logger `ai.alo.audio` at ")
                .append(r.clientLog).append("), `SimpleFormatter` to a file (`target/benchmark-client.log`), "
                        + "as a default JUL setup formats it\n");
        md.append("- Baseline = after the first ").append(BASELINE_CLIENTS)
                .append(" clients connected. Heap per client = live objects (`GC.class_histogram` total, one full GC) "
                        + "with every client connected minus the same at the baseline, over the clients added\n\n");

        md.append("| measure | value | target | verdict |\n|---|---|---|---|\n");
        md.append("| connected | ").append(r.connected).append(" of ").append(r.clients)
                .append(r.connectFailures.isEmpty() ? "" : " (failures: " + r.connectFailures + ")")
                .append(" | all | ").append(r.connected == r.clients ? "PASS" : "**MISS**").append(" |\n");
        md.append("| connect ramp ").append(r.clients - BASELINE_CLIENTS).append(" clients | ")
                .append(String.format(Locale.ROOT, "%.1f s (%.0f connects/s); connect() to CONNECTED p50 %s ms, "
                                + "p99 %s ms, max %s ms", r.rampNanos / 1e9,
                        (r.clients - BASELINE_CLIENTS) / (r.rampNanos / 1e9), Samples.ms(r.connectTimes.p50()),
                        Samples.ms(r.connectTimes.p99()), Samples.ms(r.connectTimes.max())))
                .append(String.format(Locale.ROOT, "; CPU meanwhile: client %.0f%%, server %.0f%% of one core, whole "
                                + "machine %.0f%% of %d cores (other processes about %.0f%% of one core)",
                        r.rampClientCpuPercent, r.rampServerCpuPercent, r.rampMachineBusyPercent,
                        RunInfo.onlineCpus(), others(r.rampMachineBusyPercent, r.rampClientCpuPercent,
                                r.rampServerCpuPercent)))
                .append(" | (measure) | |\n");
        int loadedThreads = r.loadedThreads.size();
        md.append("| runtime threads at ").append(BASELINE_CLIENTS).append(" / ").append(r.clients)
                .append(" clients | ").append(r.baselineThreads.size()).append(" (").append(byRole(r.baselineThreads))
                .append(") / ").append(loadedThreads).append(" (").append(byRole(r.loadedThreads)).append(")")
                .append("; most seen during the ramp and after the kill: ").append(r.peakRuntimeThreads)
                .append(" | ≤ ").append(r.threadBound).append(", not a function of N | ")
                .append(Math.max(loadedThreads, r.peakRuntimeThreads) <= r.threadBound ? "PASS" : "**MISS**")
                .append(" |\n");
        md.append("| JVM threads (all) at 0 / ").append(BASELINE_CLIENTS).append(" / ").append(r.clients)
                .append(" clients / after close | ").append(r.before.threads()).append(" / ")
                .append(r.baseline.threads()).append(" / ").append(r.loaded.threads()).append(" / ")
                .append(r.closed.threads()).append("; most seen ").append(r.peakJvmThreads).append(" | | |\n");
        long perClient = r.heapPerClient();
        md.append("| heap per connected client | ")
                .append(String.format(Locale.ROOT, "%.1f KB (live objects %s at %d → %s at %d clients; that full GC "
                                + "took %.0f ms)", perClient / 1024.0, ProcStats.mb(r.baselineLive), BASELINE_CLIENTS,
                        ProcStats.mb(r.loadedLive), r.connected, r.loadedGcPauseNanos / 1e6))
                .append(" | < 50 KB | ").append(perClient >= 0 && perClient < HEAP_PER_CLIENT_TARGET ? "PASS"
                        : "**MISS**").append(" |\n");
        md.append("| file descriptors at 0 / ").append(BASELINE_CLIENTS).append(" / ").append(r.clients)
                .append(" / after close | ").append(r.before.fds()).append(" / ").append(r.baseline.fds())
                .append(" / ").append(r.loaded.fds()).append(" / ").append(r.closed.fds()).append(" | | |\n");
        md.append("| client RSS at ").append(BASELINE_CLIENTS).append(" / ").append(r.clients).append(" | ")
                .append(ProcStats.mb(r.baseline.rssBytes())).append(" / ").append(ProcStats.mb(r.loaded.rssBytes()))
                .append(" | | |\n");
        md.append(String.format(Locale.ROOT, "| CPU with every client pinging once a second (%.0f s) | client %.0f%%, "
                        + "server %.0f%% of one core; whole machine %.0f%% of %d cores, so other processes about "
                        + "%.0f%% of one core | | |\n",
                r.steadyNanos / 1e9, r.clientCpuPercent, r.serverCpuPercent, r.machineBusyPercent,
                RunInfo.onlineCpus(), others(r.machineBusyPercent, r.clientCpuPercent, r.serverCpuPercent)));
        md.append(String.format(Locale.ROOT, "| heartbeat round trips in that window | %,d; p50 ≤ %s ms, "
                + "p99 ≤ %s ms, "
                        + "max ≤ %s ms (histogram bucket bounds) | | |\n", r.heartbeats, fmt(r.heartbeatP50Ms),
                fmt(r.heartbeatP99Ms), fmt(r.heartbeatMaxMs)));
        md.append("| `DisconnectEvent`s before the kill | ").append(r.eventsBeforeKill.isEmpty() ? "none"
                : r.eventsBeforeKill.toString()).append(" | none | ")
                .append(r.eventsBeforeKill.isEmpty() ? "PASS" : "**MISS**").append(" |\n");
        md.append("| GC pauses until the kill | client ").append(r.clientGcCount).append(", longest ")
                .append(r.clientGcMaxMs).append(" ms (the heap measurement's full GC included); server ")
                .append(r.serverGcCount).append(", longest ").append(r.serverGcMaxMs).append(" ms | | |\n");
        md.append("| server process | ").append(r.serverLoaded.sessions()).append(" sessions, ")
                .append(r.serverLoaded.process().threads()).append(" threads, ")
                .append(r.serverLoaded.process().fds()).append(" fds, heap in use (not collected) ")
                .append(ProcStats.mb(r.serverLoaded.process().heapUsedBytes())).append(", RSS ")
                .append(ProcStats.mb(r.serverLoaded.process().rssBytes())).append(" | | |\n");
        int expected = r.exactlyOnce + r.duplicated + r.missing;
        boolean killPass = r.missing == 0 && r.duplicated == 0 && r.withinBudget == expected && expected > 0
                && r.lostConnectionMessage == expected;
        md.append("| SIGKILL → `DisconnectEvent`: arrived exactly once | ").append(r.exactlyOnce).append(" of ")
                .append(expected).append(" (missing ").append(r.missing).append(", more than once ")
                .append(r.duplicated).append("; watched until ").append(r.afterKillSeconds)
                .append(" s after the last) | all, once | ")
                .append(r.missing == 0 && r.duplicated == 0 && expected > 0 ? "PASS" : "**MISS**").append(" |\n");
        md.append("| SIGKILL → `DisconnectEvent` delivered | first ").append(Samples.ms(r.killToEvent.min()))
                .append(" ms, p50 ").append(Samples.ms(r.killToEvent.p50()))
                .append(" ms, p99 ").append(Samples.ms(r.killToEvent.p99())).append(" ms, last ")
                .append(Samples.ms(r.killToEvent.max())).append(" ms; ").append(r.withinBudget).append(" of ")
                .append(expected).append(" within the budget; `ERROR` / \"Lost connection to the server\": ")
                .append(r.lostConnectionMessage).append("; reasons ").append(r.killReasons)
                .append(" | all within ").append(r.budgetNanos / 1_000_000).append(" ms | ")
                .append(killPass ? "PASS" : "**MISS**").append(" |\n");
        md.append("| &nbsp;&nbsp;of which: SIGKILL → loss committed (the event's own timestamp, taken on the thread "
                + "that "
                + "saw the socket end) | first ").append(Samples.ms(r.killToCommitted.min())).append(" ms, p50 ")
                .append(Samples.ms(r.killToCommitted.p50())).append(" ms, p99 ")
                .append(Samples.ms(r.killToCommitted.p99()))
                .append(" ms, last ").append(Samples.ms(r.killToCommitted.max()))
                .append(" ms | | |\n");
        md.append("| &nbsp;&nbsp;CPU used by the runtime's threads from the kill until the last event (")
                .append(Samples.ms(r.killSpreadNanos)).append(" ms) | ");
        r.killThreadCpuMs.forEach((role, ms) -> md.append(role).append(' ')
                .append(String.format(Locale.ROOT, "%.0f ms, ", ms)));
        md.append(" | | |\n");
        md.append("| &nbsp;&nbsp;of which: committed → delivered to the listener | p50 ")
                .append(Samples.ms(r.committedToDelivered.p50())).append(" ms, p99 ")
                .append(Samples.ms(r.committedToDelivered.p99())).append(" ms, max ")
                .append(Samples.ms(r.committedToDelivered.max())).append(" ms | | |\n");
        md.append("| &nbsp;&nbsp;reference: SIGKILL → the JDK sees the server process end | ")
                .append(Samples.ms(r.processExitNanos)).append(" ms | | |\n");
        md.append("| after `disconnect()` + `close()` of every client and `runtime.close()` | ")
                .append(r.afterRelease).append(" clients moved to `DISCONNECTED`; second `DisconnectEvent`s: ")
                .append(r.secondEvents).append("; runtime threads alive: ").append(r.threadsAfterClose)
                .append("; open connections: ").append(r.openConnectionsAfterClose)
                .append(String.format(Locale.ROOT, "; took %.1f s", r.releaseNanos / 1e9))
                .append(" | none left, no second event | ")
                .append(r.secondEvents == 0 && r.threadsAfterClose == 0 && r.openConnectionsAfterClose == 0
                        ? "PASS" : "**MISS**").append(" |\n");
        md.append("\nOnce a second from the start of the ramp to the kill:\n\n")
                .append(Timeline.markdown(r.timeline, 24));
        md.append("\nClient heap with every client connected, the largest classes (`GC.class_histogram`; client queues "
                + "waiting for an event thread at that moment: ").append(r.eventBacklogLoaded).append("):\n\n```\n")
                .append(r.histogram).append("\n```\n");
        md.append("\nClient log records at WARNING and above, by id (`ALOAUD-1003` is the expected one per lost "
                + "connection): ").append(r.clientWarnings.isEmpty() ? "none" : r.clientWarnings).append("\n\n");
        return md.toString();
    }

    static boolean passed(Result r) {
        int expected = r.exactlyOnce + r.duplicated + r.missing;
        return r.connected == r.clients && Math.max(r.loadedThreads.size(), r.peakRuntimeThreads) <= r.threadBound
                && r.heapPerClient() >= 0 && r.heapPerClient() < HEAP_PER_CLIENT_TARGET && r.eventsBeforeKill.isEmpty()
                && r.missing == 0 && r.duplicated == 0 && r.withinBudget == expected && r.secondEvents == 0
                && r.threadsAfterClose == 0 && r.openConnectionsAfterClose == 0;
    }

    /** CPU of everything else on the machine, in % of one core. */
    static double others(double machinePercent, double clientPercent, double serverPercent) {
        return Math.max(0, machinePercent * RunInfo.onlineCpus() - clientPercent - serverPercent);
    }

    private static String fmt(double ms) {
        return Double.isNaN(ms) ? "-" : Double.isInfinite(ms) ? "∞" : String.format(Locale.ROOT, "%s",
                ms == Math.rint(ms) ? String.valueOf((long) ms) : String.valueOf(ms));
    }
}
