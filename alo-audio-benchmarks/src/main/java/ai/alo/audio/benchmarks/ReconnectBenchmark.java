package ai.alo.audio.benchmarks;

import ai.alo.audio.AloAudio;
import ai.alo.audio.AloAudioConfig;
import ai.alo.audio.AloAudioListener;
import ai.alo.audio.AloAudioRuntime;
import ai.alo.audio.AloAudioRuntimeConfig;
import ai.alo.audio.AudioChannel;
import ai.alo.audio.ConnectionState;
import ai.alo.audio.ReconnectBackoff;
import ai.alo.audio.event.AloAudioEvent;
import ai.alo.audio.event.ConnectionChangeEvent;
import ai.alo.audio.event.DisconnectEvent;
import ai.alo.audio.event.ParticipantsChangedEvent;
import ai.alo.audio.event.ReconnectedEvent;
import ai.alo.audio.server.AloAudioServer;
import ai.alo.audio.testkit.FaultProxy;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The reconnect benchmark of issue 8 ({@code bin/benchmark reconnect}): the real client and the reference service in
 * this JVM, on loopback, with the test kit's {@link FaultProxy} between them.
 * <ol>
 *   <li>(a) fault to {@code ERROR} for a reset connection ({@link FaultProxy#cut()});</li>
 *   <li>(b) fault to {@code ERROR} for a black hole at the default heartbeat settings;</li>
 *   <li>(c) service back to {@code CONNECTED}: the service is killed and a new one starts on the same port after a
 *       while; the time from "accepting again" to {@code CONNECTED}, raw and split into the part the policy had
 *       scheduled (until the attempt that succeeded started) and the attempt itself;</li>
 *   <li>(d) false disconnects under round-trip spikes of 50 to 80 % of the heartbeat timeout;</li>
 *   <li>(e) the spread of 1,000 reconnects after the service is killed and restarted.</li>
 * </ol>
 * Prints one Markdown section (machine, numbers, verdicts) and writes it to {@code --output}. Single-threaded driver;
 * everything it starts (runtime, clients, servers, proxy) is closed before it returns.
 */
public final class ReconnectBenchmark {

    private static final AudioChannel CHANNEL = AudioChannel.pushToTalk("bench", "Bench");
    /** For (a) and (b): reconnect at once, however often, so that one client serves every trial. */
    private static final ReconnectBackoff AT_ONCE = ReconnectBackoff.defaults()
            .withImmediateAttempts(Integer.MAX_VALUE).withBudget(Duration.ofDays(1));
    private static final double[] SPIKES = {0.50, 0.65, 0.80};

    private ReconnectBenchmark() {
    }

    /**
     * The benchmark's options and their defaults.
     *
     * @return the options, not parsed yet
     */
    static Args args() {
        return new Args("ReconnectBenchmark [options]")
                .option("cut-trials", 200, "(a) measured resets")
                .option("cut-warmup", 20, "(a) resets before the measured ones")
                .option("hole-trials", 30, "(b) measured black holes")
                .option("restart-trials", 8, "(c) measured restarts for each down time")
                .option("restart-downs", "500,2000,5000", "(c) how long the service is down, ms, comma-separated")
                .option("spike-clients", 20, "(d) connected clients")
                .option("spike-rounds", 2, "(d) rounds of the three spikes (50, 65, 80 % of the timeout)")
                .option("spike-hold", 6, "(d) seconds each spike is held")
                .option("spread-clients", 1000, "(e) clients (0 skips it)")
                .option("spread-down", 2000, "(e) ms the service is down")
                .option("output", "alo-audio-benchmarks/target/benchmark-reconnect.md", "where the Markdown goes");
    }

    /**
     * Runs the benchmark.
     *
     * @param argv options; {@code --help} lists them
     * @throws Exception if the benchmark cannot run
     */
    public static void main(String[] argv) throws Exception {
        Args args = args();
        try {
            args.parse(argv);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(e.getMessage().startsWith("unknown") || e.getMessage().contains("needs") ? 2 : 0);
            return;
        }
        PrintStream progress = System.err;
        RunInfo info = new RunInfo();
        Result r = new Result();
        Path output = Path.of(args.string("output")).toAbsolutePath();
        Files.createDirectories(output.getParent());
        int status = 0;
        try (ClientLogging logging = new ClientLogging(output.getParent().resolve("benchmark-client.log"), false,
                null)) {
            run(args, r, progress);
            r.warnings.putAll(logging.counts());
        } catch (Throwable e) {
            progress.println("reconnect benchmark FAILED: " + e);
            e.printStackTrace(progress);
            r.failure = e.toString();
            status = 1;
        }
        info.finish();
        String markdown = markdown(r, info, args);
        System.out.println(markdown);
        Files.writeString(output, markdown, StandardCharsets.UTF_8);
        progress.println("Report written to " + output);
        System.exit(status);
    }

    // ------------------------------------------------------------------ results

    /** Everything measured. */
    static final class Result {
        final Samples cut = new Samples("reset -> ERROR");
        final Samples cutBack = new Samples("reset -> CONNECTED again");
        final Samples hole = new Samples("black hole -> ERROR");
        final Map<Integer, Samples> backRaw = new TreeMap<>();
        final Map<Integer, Samples> backScheduled = new TreeMap<>();
        final Map<Integer, Samples> backAttempt = new TreeMap<>();
        final Map<Integer, Map<Integer, Integer>> backAttempts = new TreeMap<>();
        final List<String> spikeRows = new ArrayList<>();
        long spikeDisconnects = -1;
        long spikeOtherEvents = -1;
        int spikeClients;
        int spikeCount;
        final Samples spread = new Samples("CONNECTED after the restart");
        final Samples spreadFromKill = new Samples("CONNECTED after the kill");
        final Map<Integer, Integer> spreadAttempts = new TreeMap<>();
        final Samples spreadLoss = new Samples("loss delivered (DisconnectEvent) after the kill");
        final Samples spreadLossCommitted = new Samples("loss committed (the event's timestamp) after the kill");
        final Map<String, Integer> spreadLossReasons = new TreeMap<>();
        final Samples spreadAttempt = new Samples("the successful attempt: its CONNECTING -> CONNECTED");
        final Samples spreadAttemptStart = new Samples(
                "the successful attempt started, after the restart (negative: 0)");
        int spreadClients;
        long spreadLossMs = -1;
        long spreadConnectMs = -1;
        int spreadDown;
        String spreadProblems = "";
        final Map<String, Integer> warnings = new TreeMap<>();
        String failure;
        /** Every service started, killed at the end whatever happened (kill is idempotent). */
        final List<AloAudioServer> servers = new ArrayList<>();
    }

    /**
     * Runs every part with these options into {@code r}; everything started is closed before it returns.
     *
     * @param a        parsed options
     * @param r        where the results go
     * @param progress progress lines
     * @throws Exception if a part cannot run
     */
    static void run(Args a, Result r, PrintStream progress) throws Exception {
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        AloAudioServer server = newServer(r, 0, secret);
        int port = server.port();
        try (FaultProxy proxy = FaultProxy.start(server.uri());
             AloAudioRuntime runtime = AloAudioRuntime.create(AloAudioRuntimeConfig.builder().name("bench")
                     .build())) {
            URI through = proxy.uri(server.uri());
            cut(a, r, progress, server, proxy, runtime, through);
            blackHole(a, r, progress, server, proxy, runtime, through);
            spikes(a, r, progress, server, proxy, runtime, through);
            server = restarts(a, r, progress, server, port, secret, runtime, through);
            server = spread(a, r, progress, server, port, secret, runtime, through);
        } finally {
            for (AloAudioServer started : r.servers) {
                started.kill();
            }
        }
    }

    private static AloAudioServer newServer(Result r, int port, byte[] secret) {
        AloAudioServer server = AloAudioServer.builder().port(port).tokenSecret(secret).media(false).console(false)
                .maxConnectionsPerAddress(10_000).build();
        r.servers.add(server);
        return server.start();
    }

    private static AloAudio client(AloAudioRuntime runtime, AloAudioServer server, URI through, String id,
                                   ReconnectBackoff policy, EventTimes times) {
        AloAudio client = runtime.newClient(AloAudioConfig.builder().name(id).serverUri(through)
                .user(id, id, "bench-" + id).userAuthToken(server.tokens().issue(id, Duration.ofHours(2)))
                .mediaEnabled(false).reconnectPolicy(policy).connectTimeout(Duration.ofSeconds(30)).build());
        client.addListener(times);
        return client;
    }

    // ------------------------------------------------------------------ (a) reset -> ERROR

    private static void cut(Args a, Result r, PrintStream progress, AloAudioServer server, FaultProxy proxy,
                            AloAudioRuntime runtime, URI through) throws Exception {
        int warmup = a.integer("cut-warmup", 0);
        int trials = a.integer("cut-trials", 0);
        progress.println("reconnect (a): " + (warmup + trials) + " resets...");
        EventTimes times = new EventTimes();
        try (AloAudio client = client(runtime, server, through, "cut", AT_ONCE, times)) {
            client.connect(CHANNEL).get(30, TimeUnit.SECONDS);
            for (int i = 0; i < warmup + trials; i++) {
                Thread.sleep(50 + ThreadLocalRandom.current().nextInt(100));
                int mark = times.size();
                long t0 = System.nanoTime();
                proxy.cut();
                long error = times.await(e -> e instanceof ConnectionChangeEvent c
                        && c.state() == ConnectionState.ERROR, mark, Duration.ofSeconds(10));
                long back = times.await(e -> e instanceof ReconnectedEvent, mark, Duration.ofSeconds(30));
                if (i >= warmup) {
                    r.cut.add(error - t0);
                    r.cutBack.add(back - t0);
                }
            }
            client.disconnect();
        }
    }

    // ------------------------------------------------------------------ (b) black hole -> ERROR

    private static void blackHole(Args a, Result r, PrintStream progress, AloAudioServer server, FaultProxy proxy,
                                  AloAudioRuntime runtime, URI through) throws Exception {
        int trials = a.integer("hole-trials", 0);
        progress.println("reconnect (b): " + trials + " black holes (about " + 3 * trials + " s)...");
        EventTimes times = new EventTimes();
        try (AloAudio client = client(runtime, server, through, "hole", AT_ONCE, times)) {
            client.connect(CHANNEL).get(30, TimeUnit.SECONDS);
            for (int i = 0; i < trials; i++) {
                // a random phase against the heartbeat's pings (one a second)
                Thread.sleep(300 + ThreadLocalRandom.current().nextInt(1000));
                int mark = times.size();
                long t0 = System.nanoTime();
                proxy.blackHole(true);
                long error;
                try {
                    error = times.await(e -> e instanceof ConnectionChangeEvent c
                            && c.state() == ConnectionState.ERROR, mark, Duration.ofSeconds(30));
                } finally {
                    proxy.blackHole(false);
                }
                r.hole.add(error - t0);
                times.await(e -> e instanceof ReconnectedEvent, mark, Duration.ofSeconds(30));
            }
            client.disconnect();
        }
    }

    // ------------------------------------------------------------------ (c) service back -> CONNECTED

    private static AloAudioServer restarts(Args a, Result r, PrintStream progress, AloAudioServer server, int port,
                                           byte[] secret, AloAudioRuntime runtime, URI through) throws Exception {
        int trials = a.integer("restart-trials", 0);
        List<Integer> downs = a.integers("restart-downs", 0);
        AloAudioServer current = server;
        for (int down : downs) {
            progress.println("reconnect (c): " + trials + " restarts after " + down + " ms...");
            Samples raw = new Samples("accepting -> CONNECTED");
            Samples scheduled = new Samples("accepting -> attempt start");
            Samples attempt = new Samples("attempt start -> CONNECTED");
            Map<Integer, Integer> attemptsTaken = new TreeMap<>();
            for (int i = 0; i < trials; i++) {
                EventTimes times = new EventTimes();
                // a fresh client each time: the policy's schedule starts from its first attempt
                try (AloAudio client = client(runtime, current, through, "restart-" + down + "-" + i,
                        ReconnectBackoff.defaults(), times)) {
                    client.connect(CHANNEL).get(30, TimeUnit.SECONDS);
                    Thread.sleep(200);
                    int mark = times.size();
                    long killed = System.nanoTime();
                    current.kill();
                    times.await(e -> e instanceof DisconnectEvent d && d.willReconnect(), mark,
                            Duration.ofSeconds(10));
                    sleepUntil(killed + TimeUnit.MILLISECONDS.toNanos(down));
                    current = newServer(r, port, secret);
                    long accepting = System.nanoTime();
                    long connected = times.await(e -> e instanceof ConnectionChangeEvent c
                            && c.state() == ConnectionState.CONNECTED, mark, Duration.ofSeconds(60));
                    ReconnectedEvent back = times.event(ReconnectedEvent.class, mark, Duration.ofSeconds(10));
                    // the attempt that succeeded: the CONNECTING whose retryCount is the number of attempts
                    long started = times.await(e -> e instanceof ConnectionChangeEvent c
                            && c.state() == ConnectionState.CONNECTING && c.retryCount() == back.attempts(), mark,
                            Duration.ofSeconds(1));
                    raw.add(connected - accepting);
                    scheduled.add(Math.max(0, started - accepting));
                    attempt.add(connected - Math.max(started, accepting));
                    attemptsTaken.merge(back.attempts(), 1, Integer::sum);
                    client.disconnect();
                }
            }
            r.backRaw.put(down, raw);
            r.backScheduled.put(down, scheduled);
            r.backAttempt.put(down, attempt);
            r.backAttempts.put(down, attemptsTaken);
        }
        return current;
    }

    // ------------------------------------------------------------------ (d) false disconnects under spikes

    private static void spikes(Args a, Result r, PrintStream progress, AloAudioServer server, FaultProxy proxy,
                               AloAudioRuntime runtime, URI through) throws Exception {
        int n = a.integer("spike-clients", 1);
        int rounds = a.integer("spike-rounds", 0);
        int hold = a.integer("spike-hold", 1);
        progress.println("reconnect (d): " + n + " clients, " + rounds * SPIKES.length + " spikes of " + hold
                + " s...");
        Duration timeout = AloAudioConfig.DEFAULT_HEARTBEAT_TIMEOUT;
        List<AloAudio> clients = new ArrayList<>();
        List<EventTimes> times = new ArrayList<>();
        try {
            List<CompletableFuture<AudioChannel>> connects = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                EventTimes t = new EventTimes();
                AloAudio client = client(runtime, server, through, "spike-" + i, ReconnectBackoff.defaults(), t);
                clients.add(client);
                times.add(t);
                connects.add(client.connect(CHANNEL));
            }
            for (CompletableFuture<AudioChannel> c : connects) {
                c.get(60, TimeUnit.SECONDS);
            }
            Thread.sleep(1_000);
            int[] marks = times.stream().mapToInt(EventTimes::size).toArray();
            long disconnects = 0;
            long others = 0;
            for (int round = 0; round < rounds; round++) {
                for (double fraction : SPIKES) {
                    Duration roundTrip = Duration.ofNanos((long) (timeout.toNanos() * fraction));
                    int[] before = times.stream().mapToInt(EventTimes::size).toArray();
                    proxy.latency(roundTrip.dividedBy(2));
                    long probe = probeRoundTripMillis(proxy);
                    Thread.sleep(TimeUnit.SECONDS.toMillis(hold));
                    proxy.latency(Duration.ZERO);
                    Thread.sleep(2_000);
                    long d = 0;
                    long o = 0;
                    for (int i = 0; i < n; i++) {
                        for (AloAudioEvent e : times.get(i).eventsFrom(before[i])) {
                            if (e instanceof DisconnectEvent) {
                                d++;
                            } else if (!(e instanceof ParticipantsChangedEvent)) {
                                o++;
                            }
                        }
                    }
                    disconnects += d;
                    others += o;
                    r.spikeRows.add(String.format(Locale.ROOT, "| %d | %d ms (%d %%) | %d ms | %d | %d |", round + 1,
                            roundTrip.toMillis(), Math.round(fraction * 100), probe, d, o));
                }
            }
            r.spikeDisconnects = disconnects;
            r.spikeOtherEvents = others;
            r.spikeClients = n;
            r.spikeCount = rounds * SPIKES.length;
            for (int i = 0; i < n; i++) {
                if (times.get(i).size() < marks[i]) {
                    throw new IllegalStateException("events lost");
                }
            }
        } finally {
            proxy.latency(Duration.ZERO);
            for (AloAudio client : clients) {
                client.close();
            }
        }
    }

    /** The round trip of a plain HTTP request through the proxy (first byte of the answer): checks a spike. */
    private static long probeRoundTripMillis(FaultProxy proxy) throws Exception {
        InetSocketAddress address = proxy.address();
        try (Socket socket = new Socket()) {
            socket.connect(address, 5_000);
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            long sent = System.nanoTime();
            out.write(("GET /probe HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            int first = in.read();
            return first < 0 ? -1 : (System.nanoTime() - sent) / 1_000_000;
        }
    }

    // ------------------------------------------------------------------ (e) the spread of many reconnects

    private static AloAudioServer spread(Args a, Result r, PrintStream progress, AloAudioServer server, int port,
                                         byte[] secret, AloAudioRuntime runtime, URI through) throws Exception {
        int n = a.integer("spread-clients", 0);
        int down = a.integer("spread-down", 0);
        if (n == 0) {
            return server;
        }
        progress.println("reconnect (e): " + n + " clients, the service killed and back after " + down + " ms...");
        r.spreadClients = n;
        r.spreadDown = down;
        List<AloAudio> clients = new ArrayList<>();
        List<EventTimes> times = new ArrayList<>();
        AloAudioServer current = server;
        try {
            long connectStart = System.nanoTime();
            int batch = 100;
            for (int from = 0; from < n; from += batch) {
                List<CompletableFuture<AudioChannel>> connects = new ArrayList<>();
                AudioChannel channel = AudioChannel.pushToTalk("spread-" + from / batch, "Spread " + from / batch);
                for (int i = from; i < Math.min(n, from + batch); i++) {
                    EventTimes t = new EventTimes();
                    AloAudio client = client(runtime, current, through, "spread-" + i, ReconnectBackoff.defaults(),
                            t);
                    clients.add(client);
                    times.add(t);
                    connects.add(client.connect(channel));
                }
                for (CompletableFuture<AudioChannel> c : connects) {
                    c.get(60, TimeUnit.SECONDS);
                }
            }
            r.spreadConnectMs = (System.nanoTime() - connectStart) / 1_000_000;
            Thread.sleep(1_000);
            int[] marks = times.stream().mapToInt(EventTimes::size).toArray();
            long killed = System.nanoTime();
            java.time.Instant killedAt = java.time.Instant.now();
            current.kill();
            long lastLoss = killed;
            for (int i = 0; i < n; i++) {
                long lost = times.get(i).await(e -> e instanceof DisconnectEvent d && d.willReconnect(), marks[i],
                        Duration.ofSeconds(30));
                DisconnectEvent loss = times.get(i).event(DisconnectEvent.class, marks[i], Duration.ofSeconds(1));
                r.spreadLoss.add(Math.max(0, lost - killed));
                r.spreadLossCommitted.add(Math.max(0, Duration.between(killedAt, loss.timestamp()).toNanos()));
                r.spreadLossReasons.merge(loss.reason().name(), 1, Integer::sum);
                lastLoss = Math.max(lastLoss, lost);
            }
            r.spreadLossMs = (lastLoss - killed) / 1_000_000;
            sleepUntil(killed + TimeUnit.MILLISECONDS.toNanos(down));
            current = newServer(r, port, secret);
            long restarted = System.nanoTime();
            int problems = 0;
            for (int i = 0; i < n; i++) {
                long back = times.get(i).await(e -> e instanceof ConnectionChangeEvent c
                        && c.state() == ConnectionState.CONNECTED, marks[i], Duration.ofSeconds(120));
                ReconnectedEvent event = times.get(i).event(ReconnectedEvent.class, marks[i], Duration.ofSeconds(10));
                r.spread.add(Math.max(0, back - restarted));
                r.spreadFromKill.add(back - killed);
                r.spreadAttempts.merge(event.attempts(), 1, Integer::sum);
                long started = times.get(i).await(e -> e instanceof ConnectionChangeEvent c
                        && c.state() == ConnectionState.CONNECTING && c.retryCount() == event.attempts(), marks[i],
                        Duration.ofSeconds(1));
                r.spreadAttempt.add(Math.max(0, back - started));
                r.spreadAttemptStart.add(Math.max(0, started - restarted));
            }
            Thread.sleep(1_000);
            for (int i = 0; i < n; i++) {
                List<AloAudioEvent> events = times.get(i).eventsFrom(marks[i]);
                long losses = events.stream().filter(e -> e instanceof DisconnectEvent).count();
                long reconnects = events.stream().filter(e -> e instanceof ReconnectedEvent).count();
                if (losses != 1 || reconnects != 1) {
                    problems++;
                }
            }
            r.spreadProblems = problems == 0 ? "every client: one loss, one reconnect"
                    : problems + " clients with other than one loss and one reconnect";
        } finally {
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
                closer.awaitTermination(30, TimeUnit.SECONDS);
            }
        }
        return current;
    }

    private static void sleepUntil(long nanos) throws InterruptedException {
        long left = nanos - System.nanoTime();
        if (left > 0) {
            TimeUnit.NANOSECONDS.sleep(left);
        }
    }

    // ------------------------------------------------------------------ report

    static String markdown(Result r, RunInfo info, Args a) {
        StringBuilder md = new StringBuilder();
        md.append("### Reconnects (issue 8)\n\n");
        md.append(info.header(null));
        md.append("- Setup: the real client and the reference service in one JVM on loopback, the test kit's "
                + "`FaultProxy` between them; default heartbeat (ping every 1 s, timeout 1.8 s); command "
                + "`bin/benchmark reconnect`\n");
        if (r.failure != null) {
            md.append("- **FAILED to run to the end: ").append(r.failure).append("** (the numbers below are what was "
                    + "measured before)\n");
        }
        md.append('\n');

        md.append("| # | what exactly is timed (ms) | n | p50 | p90 | p99 | max | target | verdict |\n");
        md.append("|---|---|---:|---:|---:|---:|---:|---|---|\n");
        md.append(row("a", "`proxy.cut()` called -> `ERROR` event delivered", r.cut, "< 50 ms",
                verdict(r.cut, 50)));
        md.append(row("a'", "`proxy.cut()` called -> `CONNECTED` again (first attempt, immediate)", r.cutBack, "-",
                "-"));
        md.append(row("b", "`blackHole(true)` called -> `ERROR` event (default heartbeat; expected 1800-2800)",
                r.hole, "< 3,000 ms", verdict(r.hole, 3_000)
                        + (r.hole.isEmpty() ? "" : String.format(Locale.ROOT, " (min %s)", Samples.ms(r.hole.min())))));
        for (Map.Entry<Integer, Samples> e : r.backRaw.entrySet()) {
            int down = e.getKey();
            md.append(row("c", "down " + down + " ms: new service accepting -> `CONNECTED` (raw)", e.getValue(), "-",
                    "-"));
            md.append(row("c", "down " + down + " ms: accepting -> start of the attempt that succeeded (the wait the "
                    + "policy had scheduled)", r.backScheduled.get(down), "within the policy's schedule", "-"));
            md.append(row("c", "down " + down + " ms: that attempt's start -> `CONNECTED` (raw minus the scheduled "
                    + "wait); attempts it took " + r.backAttempts.get(down), r.backAttempt.get(down), "< 1,000 ms",
                    verdict(r.backAttempt.get(down), 1_000)));
        }
        md.append(row("e", r.spreadClients + " clients, down " + r.spreadDown + " ms: `CONNECTED` after the restart",
                r.spread, "spread, not one burst", r.spread.isEmpty() ? "-"
                        : String.format(Locale.ROOT, "p10 %s, p90 - p10 %s ms: %s", Samples.ms(r.spread.percentile(10)),
                        Samples.ms(r.spread.p90() - r.spread.percentile(10)),
                        r.spread.p90() - r.spread.percentile(10) > 100_000_000L ? "**met**" : "**missed**")));
        md.append('\n');

        md.append("**(d) False disconnects under round-trip spikes** (").append(r.spikeClients)
                .append(" connected clients, each spike held ").append(a.string("spike-hold"))
                .append(" s then removed; the proxy adds half of the spike each way; probe: a plain HTTP request's "
                        + "round trip through the proxy during the spike)\n\n");
        md.append("| round | spike (of the 1,800 ms timeout) | probe | DisconnectEvents "
                + "| other non-participant events |\n");
        md.append("|---:|---|---:|---:|---:|\n");
        for (String row : r.spikeRows) {
            md.append(row).append('\n');
        }
        md.append('\n').append(String.format(Locale.ROOT, "False-disconnect rate: %d DisconnectEvents in %d client-"
                        + "spikes (target zero): %s.%n%n", r.spikeDisconnects, (long) r.spikeClients * r.spikeCount,
                r.spikeDisconnects == 0 && r.spikeOtherEvents == 0 ? "**met**"
                        : r.spikeDisconnects < 0 ? "not measured" : "**missed**"));

        if (r.spreadClients > 0) {
            md.append("**(e) The spread of ").append(r.spreadClients).append(" reconnects** (signalling clients on one "
                    + "runtime, channels of 100, connected in ").append(r.spreadConnectMs)
                    .append(" ms; the service killed, every loss reported within ").append(r.spreadLossMs)
                    .append(" ms of the kill; a new service on the same port ").append(r.spreadDown)
                    .append(" ms after the kill; ").append(r.spreadProblems).append(")\n\n");
            md.append("| instants | first | p10 | p50 | p90 | max |\n|---|---:|---:|---:|---:|---:|\n");
            for (Samples s : List.of(r.spreadLossCommitted, r.spreadLoss, r.spread, r.spreadFromKill,
                    r.spreadAttemptStart, r.spreadAttempt)) {
                md.append("| ").append(s.label()).append(" (ms) | ").append(Samples.ms(s.min())).append(" | ")
                        .append(Samples.ms(s.percentile(10))).append(" | ").append(Samples.ms(s.p50())).append(" | ")
                        .append(Samples.ms(s.p90())).append(" | ").append(Samples.ms(s.max())).append(" |\n");
            }
            md.append("\nReasons of the losses: ").append(r.spreadLossReasons)
                    .append("; attempts each reconnect took (attempts=clients): ").append(r.spreadAttempts)
                    .append("\n\n");
        }
        if (!r.warnings.isEmpty()) {
            md.append("Client and service WARNING lines by message id (to `benchmark-client.log`): ")
                    .append(r.warnings).append("\n\n");
        }
        return md.toString();
    }

    private static String row(String id, String what, Samples s, String target, String verdict) {
        return "| " + id + " | " + what + " | " + s.count() + " | " + Samples.ms(s.p50()) + " | "
                + Samples.ms(s.p90()) + " | " + Samples.ms(s.p99()) + " | " + Samples.ms(s.max()) + " | " + target
                + " | " + verdict + " |\n";
    }

    private static String verdict(Samples s, long targetMs) {
        if (s == null || s.isEmpty()) {
            return "not measured";
        }
        return s.max() < TimeUnit.MILLISECONDS.toNanos(targetMs) ? "**met** (max)"
                : s.p99() < TimeUnit.MILLISECONDS.toNanos(targetMs) ? "**met** at p99, not at max" : "**missed**";
    }

    // ------------------------------------------------------------------ events with arrival times

    /** Every event of one client with its arrival time ({@link System#nanoTime()}); waits bounded. Thread-safe. */
    static final class EventTimes implements AloAudioListener {

        private final List<AloAudioEvent> events = new ArrayList<>();
        private final List<Long> nanos = new ArrayList<>();

        @Override
        public synchronized void onEvent(AloAudioEvent event) {
            events.add(event);
            nanos.add(System.nanoTime());
            notifyAll();
        }

        synchronized int size() {
            return events.size();
        }

        synchronized List<AloAudioEvent> eventsFrom(int from) {
            return List.copyOf(events.subList(from, events.size()));
        }

        /** The arrival time of the first event at or after {@code from} that matches. */
        synchronized long await(Predicate<AloAudioEvent> test, int from, Duration timeout)
                throws InterruptedException {
            return nanos.get(indexOf(test, from, timeout));
        }

        synchronized <T extends AloAudioEvent> T event(Class<T> type, int from, Duration timeout)
                throws InterruptedException {
            return type.cast(events.get(indexOf(type::isInstance, from, timeout)));
        }

        private int indexOf(Predicate<AloAudioEvent> test, int from, Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (true) {
                for (int i = from; i < events.size(); i++) {
                    if (test.test(events.get(i))) {
                        return i;
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new IllegalStateException("no such event within " + timeout + "; events: " + events.stream()
                            .map(e -> e.getClass().getSimpleName() + (e instanceof ConnectionChangeEvent c
                                    ? "(" + c.state() + ")" : "")).toList());
                }
                wait(Math.max(1, left / 1_000_000));
            }
        }
    }
}
