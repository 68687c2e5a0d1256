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
import ai.alo.audio.impl.runtime.ClientRuntime;
import ai.alo.audio.server.TokenIssuer;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Soak: connect/disconnect cycles on one runtime, with a few clients that stay connected throughout (they share the
 * cycling clients' channel, so every cycle also sends them a join and a leave). Every cycle is a whole client life:
 * {@code newClient}, {@code connect(...).get()}, {@code disconnect()} (timed), its one {@code DisconnectEvent},
 * {@code close()}. After every block of cycles the process is measured after full GCs (heap, threads, file
 * descriptors, RSS) together with the runtime's own counts and the server process's, so that a leak shows as a slope.
 */
final class SoakBenchmark {

    static final String USAGE = "Benchmarks soak [options]: connect/disconnect cycles, resources every block";
    static final long HEAP_FLAT_BYTES = 1024 * 1024;
    static final double RSS_FLAT_FRACTION = 0.05;

    private SoakBenchmark() {
    }

    static Args args() {
        return new Args(USAGE)
                .option("cycles", 10_000, "connect/disconnect cycles in all")
                .option("every", 1_000, "cycles per block; resources are measured after each block")
                .option("workers", 4, "threads cycling clients at the same time (each its own user)")
                .option("background", 10, "clients connected throughout, in the cycling clients' channel")
                .flag("histogram-diff", "class histograms after the first block and at the end, to name what grew "
                        + "(HotSpot keeps the histogram's native working memory for a while: it shows in RSS)")
                .option("server-jvm-args", "-Xms256m -Xmx256m", "JVM options of the server process")
                .option("server-workers", 4, "the server's Grizzly worker threads")
                .flag("log-info", "INFO logging in client and server")
                .option("client-log-level", "WARNING", "level of the client's logger ai.alo.audio (SEVERE: drop its "
                        + "WARNING lines, to measure their cost)")
                .option("output", "alo-audio-benchmarks/target/benchmark-soak.md", "the Markdown report");
    }

    /** One row of the series. */
    record Checkpoint(int cycles, ProcStats.Snapshot client, long heapRss, Map<String, Long> nativeKb,
                      int runtimeThreads, String runtimeRoles, int openConnections, int pendingTimerTasks,
                      int runtimeClients, ServerProcess.Stats server, Samples.Summary disconnects,
                      Samples.Summary connects, long blockNanos, int anomalies) {

        long nonHeapRss() {
            return heapRss < 0 ? -1 : client.rssBytes() - heapRss;
        }
    }

    static final class Result {
        int cycles;
        int every;
        int workers;
        int background;
        String serverFlags;
        String clientLog;
        String runtimeConfig;
        final List<Checkpoint> series = new ArrayList<>();
        Samples allDisconnects = new Samples("disconnect()");
        final List<String> anomalies = new ArrayList<>();
        int anomalyCount;
        final Map<String, Integer> clientWarnings = new TreeMap<>();
        int threadsAfterClose = -1;
        int openConnectionsAfterClose = -1;
        ProcStats.Snapshot closed;
        String histogramGrowth = "";
    }

    static Result run(Args a, PrintStream progress) throws Exception {
        Result r = new Result();
        r.cycles = a.integer("cycles", 1);
        r.every = a.integer("every", 1);
        r.workers = a.integer("workers", 1);
        r.background = a.integer("background", 0);
        // sized up front, so that the benchmark's own bookkeeping does not grow the heap it measures
        r.allDisconnects = new Samples("disconnect()", r.cycles);
        r.clientLog = a.string("client-log-level");
        Path dir = Path.of(a.string("output")).toAbsolutePath().getParent();
        String secret = Secrets.random();
        TokenIssuer tokens = new TokenIssuer(secret.getBytes(StandardCharsets.UTF_8));
        ServerProcess.Config serverConfig = new ServerProcess.Config(a.words("server-jvm-args"), false, 1000, 1000,
                a.integer("server-workers", 1), false, a.flag("log-info"));
        r.serverFlags = String.join(" ", serverConfig.jvmArgs()) + " (no fault-injection relay)";
        AloAudioRuntimeConfig runtimeConfig = AloAudioRuntimeConfig.builder().name("soak").build();
        r.runtimeConfig = "ioThreads " + runtimeConfig.ioThreads() + ", eventThreads " + runtimeConfig.eventThreads()
                + ", connectThreads " + runtimeConfig.connectThreads();
        AudioChannel channel = AudioChannel.pushToTalk("soak", "Soak");
        ExecutorService pool = Executors.newFixedThreadPool(r.workers, task -> {
            Thread t = new Thread(task, "soak-worker");
            t.setDaemon(true);
            return t;
        });
        try (ClientLogging logging = new ClientLogging(dir.resolve("benchmark-client.log"), a.flag("log-info"),
                java.util.logging.Level.parse(a.string("client-log-level")));
             ServerProcess server = ServerProcess.start(serverConfig, secret, dir.resolve("benchmark-server.log"));
             AloAudioRuntime runtime = AloAudioRuntime.create(runtimeConfig)) {
            ClientRuntime rt = (ClientRuntime) runtime;
            progress.printf("soak: %d background clients, then %d cycles by %d workers...%n", r.background,
                    r.cycles, r.workers);
            List<AloAudio> background = new ArrayList<>();
            for (int i = 0; i < r.background; i++) {
                String user = "soak-bg-" + i;
                AloAudio client = rt.newClient(AloAudioConfig.builder().name("bg-" + i).serverUri(server.uri()).mediaEnabled(false)
                        .reconnectPolicy(ReconnectPolicy.never())
                        .user(AudioUser.of(user, "Background " + i))
                        .userAuthToken(tokens.issue(user, Duration.ofHours(4))).build());
                client.connect(channel).get(10, TimeUnit.SECONDS);
                background.add(client);
            }
            String[] workerTokens = new String[r.workers];
            for (int w = 0; w < r.workers; w++) {
                workerTokens[w] = tokens.issue("soak-w" + w, Duration.ofHours(4));
            }
            AtomicInteger serial = new AtomicInteger();
            r.series.add(checkpoint(0, rt, server, new Samples("-").summary(), new Samples("-").summary(), 0, 0));
            Samples disconnects = new Samples("disconnect()", r.every);
            Samples connects = new Samples("connect", r.every);
            int done = 0;
            Path firstHistogram = null;
            while (done < r.cycles) {
                int block = Math.min(r.every, r.cycles - done);
                disconnects.clear();
                connects.clear();
                List<String> blockAnomalies = new ArrayList<>();
                LinkedBlockingQueue<Integer> todo = new LinkedBlockingQueue<>();
                for (int c = 0; c < block; c++) {
                    todo.add(c);
                }
                long start = System.nanoTime();
                List<Future<?>> running = new ArrayList<>();
                for (int w = 0; w < r.workers; w++) {
                    int worker = w;
                    running.add(pool.submit(() -> {
                        while (todo.poll() != null) {
                            cycle(worker, workerTokens[worker], serial.incrementAndGet(), rt, server, channel,
                                    disconnects, connects, blockAnomalies);
                        }
                        return null;
                    }));
                }
                for (Future<?> f : running) {
                    f.get(10, TimeUnit.MINUTES);
                }
                long blockNanos = System.nanoTime() - start;
                done += block;
                synchronized (r) {
                    r.anomalyCount += blockAnomalies.size();
                    for (String anomaly : blockAnomalies) {
                        if (r.anomalies.size() < 20) {
                            r.anomalies.add("cycles " + (done - block) + "-" + done + ": " + anomaly);
                        }
                    }
                }
                for (int i = 0; i < disconnects.count(); i++) {
                    r.allDisconnects.add(disconnects.get(i));
                }
                if (a.flag("histogram-diff") && (done == block || done == r.cycles)) {
                    // what grew in the live heap between the first block and the end (one more full GC each); the
                    // first histogram waits in a file, so that it is not itself part of the second
                    Path file = dir.resolve("benchmark-soak-histogram-" + done + ".txt");
                    java.nio.file.Files.writeString(file, ProcStats.classHistogram());
                    if (done == block) {
                        firstHistogram = file;
                    } else if (firstHistogram != null) {
                        r.histogramGrowth = ProcStats.histogramGrowth(java.nio.file.Files.readString(firstHistogram),
                                java.nio.file.Files.readString(file), 8);
                    }
                }
                Checkpoint cp = checkpoint(done, rt, server, disconnects.summary(), connects.summary(), blockNanos,
                        blockAnomalies.size());
                r.series.add(cp);
                progress.printf("  %6d cycles: heap %s, threads %d (runtime %d), fds %d, rss %s; disconnect() p50 "
                                + "%s ms p99 %s ms; %.0f cycles/s%n", done, ProcStats.mb(cp.client().heapUsedBytes()),
                        cp.client().threads(), cp.runtimeThreads(), cp.client().fds(),
                        ProcStats.mb(cp.client().rssBytes()), Samples.ms(disconnects.p50()),
                        Samples.ms(disconnects.p99()), block / (blockNanos / 1e9));
            }
            for (AloAudio client : background) {
                client.close();
            }
            runtime.close();
            r.threadsAfterClose = rt.liveThreads().size();
            r.openConnectionsAfterClose = rt.openConnections();
            r.clientWarnings.putAll(logging.counts());
        } finally {
            pool.shutdownNow();
        }
        r.closed = ProcStats.take(true);
        return r;
    }

    private static void cycle(int worker, String token, int serial, ClientRuntime rt, ServerProcess server,
                              AudioChannel channel, Samples disconnects, Samples connects, List<String> anomalies)
            throws Exception {
        String user = "soak-w" + worker;
        AloAudio client = rt.newClient(AloAudioConfig.builder().name("soak-" + serial).serverUri(server.uri()).mediaEnabled(false)
                        .reconnectPolicy(ReconnectPolicy.never())
                .user(AudioUser.of(user, "Soak " + worker)).userAuthToken(token).build());
        LinkedBlockingQueue<DisconnectEvent> events = new LinkedBlockingQueue<>();
        client.addListener(new AloAudioListener() {
            @Override
            public void onDisconnect(DisconnectEvent event) {
                events.add(event);
            }
        });
        try {
            long c0 = System.nanoTime();
            client.connect(channel).get(15, TimeUnit.SECONDS);
            long c1 = System.nanoTime();
            long d0 = System.nanoTime();
            client.disconnect();
            long d1 = System.nanoTime();
            synchronized (disconnects) {
                connects.add(c1 - c0);
                disconnects.add(d1 - d0);
            }
            if (client.state() != ConnectionState.DISCONNECTED) {
                note(anomalies, "disconnect() returned in state " + client.state());
            }
            DisconnectEvent event = events.poll(5, TimeUnit.SECONDS);
            if (event == null) {
                note(anomalies, "no DisconnectEvent within 5 s of disconnect()");
            } else if (event.state() != ConnectionState.DISCONNECTED) {
                note(anomalies, "DisconnectEvent " + event.state() + "/" + event.reason() + ": " + event.message());
            }
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            note(anomalies, "connect failed: " + (e.getCause() != null ? e.getCause() : e));
        } finally {
            client.close();
        }
        if (!events.isEmpty()) {
            note(anomalies, "a second DisconnectEvent: " + events.peek().state() + "/" + events.peek().reason());
        }
    }

    private static void note(List<String> anomalies, String what) {
        synchronized (anomalies) {
            anomalies.add(what);
        }
    }

    private static Checkpoint checkpoint(int cycles, ClientRuntime rt, ServerProcess server,
                                         Samples.Summary disconnects, Samples.Summary connects, long blockNanos,
                                         int anomalies) {
        ProcStats.Snapshot client = ProcStats.take(true);
        List<String> threads = ScaleBenchmark.names(rt.liveThreads());
        return new Checkpoint(cycles, client, ProcStats.heapRssBytes(), ProcStats.nativeMemoryCommittedKb(),
                threads.size(), ScaleBenchmark.byRole(threads), rt.openConnections(),
                rt.pendingTimerTasks(), rt.clients().size(), server.stats(true), disconnects, connects, blockNanos,
                anomalies);
    }

    // -----------------------------------------------------------------------------------------------------------

    static String markdown(Result r, RunInfo info) {
        StringBuilder md = new StringBuilder();
        md.append("### Soak: ").append(String.format(Locale.ROOT, "%,d", r.cycles))
                .append(" connect/disconnect cycles\n\n");
        md.append(info.header(r.serverFlags));
        md.append("- Setup: one application-owned runtime (").append(r.runtimeConfig).append("); ")
                .append(r.background).append(" clients connected throughout in the channel the cycling clients join; ")
                .append(r.workers).append(" worker threads cycle at the same time, each as its own user. One cycle = "
                        + "`newClient`, `connect(...).get()`, `disconnect()`, wait for its one `DisconnectEvent`, "
                        + "`close()`. Measured after every ").append(String.format(Locale.ROOT, "%,d", r.every))
                .append(" cycles, after full GCs in both processes\n");
        md.append("- Client logging: java.util.logging, WARNING and above (logger `ai.alo.audio` at ")
                .append(r.clientLog).append("), `SimpleFormatter` to a file (`target/benchmark-client.log`), "
                        + "as a default JUL setup formats it\n\n");
        md.append("| cycles | client heap after GC | JVM threads | runtime threads | fds | RSS (of which Java heap) | "
                + "runtime: open connections / timer tasks / clients | server: sessions / threads / fds / heap after "
                + "GC / RSS | "
                + "`disconnect()` p50 / p99 / max (ms) | connect p50 / p99 (ms) | cycles/s | anomalies |\n");
        md.append("|---:|---:|---:|---|---:|---:|---|---|---|---|---:|---:|\n");
        for (Checkpoint cp : r.series) {
            ProcStats.Snapshot s = cp.server().process();
            md.append("| ").append(String.format(Locale.ROOT, "%,d", cp.cycles())).append(" | ")
                    .append(ProcStats.mb(cp.client().heapUsedBytes())).append(" | ").append(cp.client().threads())
                    .append(" | ").append(cp.runtimeThreads()).append(" (").append(cp.runtimeRoles()).append(") | ")
                    .append(cp.client().fds()).append(" | ").append(ProcStats.mb(cp.client().rssBytes())).append(" (")
                    .append(ProcStats.mb(cp.heapRss())).append(") | ")
                    .append(cp.openConnections()).append(" / ").append(cp.pendingTimerTasks()).append(" / ")
                    .append(cp.runtimeClients()).append(" | ").append(cp.server().sessions()).append(" / ")
                    .append(s.threads()).append(" / ").append(s.fds()).append(" / ")
                    .append(ProcStats.mb(s.heapUsedBytes())).append(" / ").append(ProcStats.mb(s.rssBytes()))
                    .append(" | ");
            if (cp.cycles() == 0) {
                md.append("| | | |\n");
                continue;
            }
            md.append(Samples.ms(cp.disconnects().p50())).append(" / ").append(Samples.ms(cp.disconnects().p99()))
                    .append(" / ").append(Samples.ms(cp.disconnects().max())).append(" | ")
                    .append(Samples.ms(cp.connects().p50())).append(" / ").append(Samples.ms(cp.connects().p99()))
                    .append(" | ").append(String.format(Locale.ROOT, "%.0f",
                            (cp.disconnects().count()) / (cp.blockNanos() / 1e9)))
                    .append(" | ").append(cp.anomalies()).append(" |\n");
        }
        Verdict v = verdict(r);
        md.append("\nFlat from ").append(String.format(Locale.ROOT, "%,d", v.from.cycles())).append(" to ")
                .append(String.format(Locale.ROOT, "%,d", v.to.cycles()))
                .append(" cycles (criteria: heap after GC within ±1 MB, JVM threads and file descriptors equal, RSS "
                        + "outside the Java heap within +5% (the heap's own resident part is bounded by -Xmx and grows "
                        + "while G1 first touches its regions), runtime back to the background clients' connections, "
                        + "timers and clients):\n\n");
        md.append("| resource | at ").append(String.format(Locale.ROOT, "%,d", v.from.cycles())).append(" | at ")
                .append(String.format(Locale.ROOT, "%,d", v.to.cycles())).append(" | change | verdict |\n");
        md.append("|---|---:|---:|---:|---|\n");
        md.append(row("heap after GC", ProcStats.mb(v.from.client().heapUsedBytes()),
                ProcStats.mb(v.to.client().heapUsedBytes()), String.format(Locale.ROOT, "%+.2f MB",
                        v.heapDelta / 1_048_576.0), v.heapFlat));
        md.append(row("JVM threads", String.valueOf(v.from.client().threads()), String.valueOf(v.to.client().threads()),
                String.format(Locale.ROOT, "%+d", v.to.client().threads() - v.from.client().threads()), v.threadsFlat));
        md.append(row("file descriptors", String.valueOf(v.from.client().fds()), String.valueOf(v.to.client().fds()),
                String.format(Locale.ROOT, "%+d", v.to.client().fds() - v.from.client().fds()), v.fdsFlat));
        md.append(row("RSS outside the Java heap", ProcStats.mb(v.from.nonHeapRss()), ProcStats.mb(v.to.nonHeapRss()),
                String.format(Locale.ROOT, "%+.1f MB", (v.to.nonHeapRss() - v.from.nonHeapRss()) / 1_048_576.0),
                v.rssFlat));
        md.append("| &nbsp;&nbsp;(RSS in all; Java heap resident) | ").append(ProcStats.mb(v.from.client().rssBytes()))
                .append("; ").append(ProcStats.mb(v.from.heapRss())).append(" | ")
                .append(ProcStats.mb(v.to.client().rssBytes())).append("; ").append(ProcStats.mb(v.to.heapRss()))
                .append(" | ").append(String.format(Locale.ROOT, "%+.1f MB; %+.1f MB",
                        (v.to.client().rssBytes() - v.from.client().rssBytes()) / 1_048_576.0,
                        (v.to.heapRss() - v.from.heapRss()) / 1_048_576.0)).append(" | (info) |\n");
        md.append(String.format(Locale.ROOT, "| &nbsp;&nbsp;trend over the second half (least-squares slope from %,d "
                        + "to %,d cycles, per 1,000 cycles): heap after GC / RSS outside the heap / RSS | | | "
                        + "%+.0f KB / %+.0f KB / %+.0f KB | (info: a leak is a lasting upward slope) |%n",
                v.halfFrom, v.to.cycles(),
                v.heapSlopeKb, v.nonHeapRssSlopeKb, v.rssSlopeKb));
        md.append(row("runtime open connections / timer tasks / clients", v.from.openConnections() + " / "
                        + v.from.pendingTimerTasks() + " / " + v.from.runtimeClients(), v.to.openConnections() + " / "
                        + v.to.pendingTimerTasks() + " / " + v.to.runtimeClients(), "", v.runtimeFlat));
        md.append(row("cycles with an anomaly (wrong state, missing or second event, failed connect)", "", "",
                String.valueOf(r.anomalyCount), r.anomalyCount == 0));
        Map<String, Long> nmtFrom = v.from.nativeKb();
        Map<String, Long> nmtTo = v.to.nativeKb();
        if (!nmtFrom.isEmpty() && !nmtTo.isEmpty()) {
            md.append("\nNative Memory Tracking, committed, from ").append(String.format(Locale.ROOT, "%,d",
                    v.from.cycles())).append(" to ").append(String.format(Locale.ROOT, "%,d", v.to.cycles()))
                    .append(" cycles (categories that changed by 256 KB or more): ");
            List<String> changes = new ArrayList<>();
            for (Map.Entry<String, Long> e : nmtTo.entrySet()) {
                long before = nmtFrom.getOrDefault(e.getKey(), 0L);
                if (Math.abs(e.getValue() - before) >= 256 || e.getKey().equals("Total")) {
                    changes.add(String.format(Locale.ROOT, "%s %,d → %,d KB", e.getKey(), before, e.getValue()));
                }
            }
            md.append(String.join("; ", changes)).append(".\n");
        }
        if (!r.histogramGrowth.isEmpty()) {
            md.append("\nLive heap objects that grew most from the first block to the end (`GC.class_histogram`; both "
                    + "histograms are in `target/benchmark-soak-histogram-*.txt`): ")
                    .append(r.histogramGrowth).append(".\n");
        }
        md.append("\n`disconnect()` over all ").append(String.format(Locale.ROOT, "%,d", r.allDisconnects.count()))
                .append(" cycles: p50 ").append(Samples.ms(r.allDisconnects.p50())).append(" ms, p99 ")
                .append(Samples.ms(r.allDisconnects.p99())).append(" ms, max ")
                .append(Samples.ms(r.allDisconnects.max()))
                .append(" ms (").append(r.workers).append(" cycling at the same time).");
        md.append(" After `runtime.close()`: runtime threads alive ").append(r.threadsAfterClose)
                .append(", open connections ").append(r.openConnectionsAfterClose).append(".");
        if (!r.anomalies.isEmpty()) {
            md.append("\n\nFirst anomalies: ").append(r.anomalies);
        }
        md.append("\n\nClient log records at WARNING and above, by id: ")
                .append(r.clientWarnings.isEmpty() ? "none" : r.clientWarnings).append("\n\n");
        return md.toString();
    }

    private static String row(String what, String from, String to, String change, boolean pass) {
        return "| " + what + " | " + from + " | " + to + " | " + change + " | " + (pass ? "PASS" : "**MISS**")
                + " |\n";
    }

    /** Flatness between the first block and the last. */
    static final class Verdict {
        Checkpoint from;
        Checkpoint to;
        long heapDelta;
        boolean heapFlat;
        boolean threadsFlat;
        boolean fdsFlat;
        boolean rssFlat;
        boolean runtimeFlat;
        int halfFrom;
        double heapSlopeKb;
        double nonHeapRssSlopeKb;
        double rssSlopeKb;

        boolean all() {
            return heapFlat && threadsFlat && fdsFlat && rssFlat && runtimeFlat;
        }
    }

    static Verdict verdict(Result r) {
        Verdict v = new Verdict();
        v.from = r.series.size() > 1 ? r.series.get(1) : r.series.get(0);
        v.to = r.series.get(r.series.size() - 1);
        Checkpoint start = r.series.get(0);
        v.heapDelta = v.to.client().heapUsedBytes() - v.from.client().heapUsedBytes();
        v.heapFlat = Math.abs(v.heapDelta) <= HEAP_FLAT_BYTES;
        v.threadsFlat = v.to.client().threads() == v.from.client().threads();
        v.fdsFlat = v.to.client().fds() == v.from.client().fds();
        v.rssFlat = v.from.nonHeapRss() > 0
                && v.to.nonHeapRss() <= v.from.nonHeapRss() * (1 + RSS_FLAT_FRACTION);
        List<Checkpoint> half = new ArrayList<>();
        for (Checkpoint cp : r.series) {
            if (cp.cycles() >= r.cycles / 2) {
                half.add(cp);
            }
        }
        v.halfFrom = half.isEmpty() ? 0 : half.get(0).cycles();
        v.heapSlopeKb = slopeKbPerThousand(half, cp -> cp.client().heapUsedBytes());
        v.nonHeapRssSlopeKb = slopeKbPerThousand(half, Checkpoint::nonHeapRss);
        v.rssSlopeKb = slopeKbPerThousand(half, cp -> cp.client().rssBytes());
        v.runtimeFlat = v.to.openConnections() == start.openConnections()
                && v.to.pendingTimerTasks() == start.pendingTimerTasks()
                && v.to.runtimeClients() == start.runtimeClients();
        return v;
    }

    /** Least-squares slope of a value (bytes) over the cycles, in KB per 1,000 cycles; NaN for fewer than 2 points. */
    static double slopeKbPerThousand(List<Checkpoint> points, java.util.function.ToLongFunction<Checkpoint> value) {
        int n = points.size();
        if (n < 2) {
            return Double.NaN;
        }
        double mx = 0;
        double my = 0;
        for (Checkpoint cp : points) {
            mx += cp.cycles();
            my += value.applyAsLong(cp);
        }
        mx /= n;
        my /= n;
        double num = 0;
        double den = 0;
        for (Checkpoint cp : points) {
            num += (cp.cycles() - mx) * (value.applyAsLong(cp) - my);
            den += (cp.cycles() - mx) * (cp.cycles() - mx);
        }
        return den == 0 ? Double.NaN : num / den * 1000 / 1024;
    }

    static boolean passed(Result r) {
        return verdict(r).all() && r.anomalyCount == 0 && r.threadsAfterClose == 0
                && r.openConnectionsAfterClose == 0;
    }
}
