package ai.alo.audio.benchmarks;

import ai.alo.audio.AloAudio;
import ai.alo.audio.ConnectionState;
import ai.alo.audio.event.DisconnectEvent;
import ai.alo.audio.server.TokenIssuer;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The disconnect benchmark: on loopback, against the reference server in a separate JVM, it measures
 *
 * <ol>
 *   <li>{@code disconnect()} latency: the call until it returns, which it does only in state {@code DISCONNECTED}
 *       with every thread of the connection ended (checked after every call);</li>
 *   <li>call to {@code DisconnectEvent} delivered: the same calls, until a registered {@code AloAudioListener}'s
 *       {@code onDisconnect} runs;</li>
 *   <li>killed server to {@code ERROR} event: (a) the server process resets the connection (its fault-injection
 *       relay, driven over the server process's standard input); (b) the server process is killed with SIGKILL;</li>
 * </ol>
 *
 * each beside a bare Tyrus client doing the same against the same server in the same run, iteration by iteration in
 * alternating order, so that the machine's noise falls on both alike. Writes a Markdown report to standard output and
 * to {@code alo-audio-benchmarks/target/benchmark-results.md}. Run with {@code bin/benchmark [--quick]}; options:
 * {@code --help}.
 */
public final class DisconnectBenchmark {

    static final String USER_OURS = "bench-alo";
    static final String USER_BARE = "bench-bare";
    static final String USER_PHASES = "bench-phases";
    static final String USER_STEPS = "bench-steps";
    private static final long EVENT_TIMEOUT_SECONDS = 10;
    private static final Pattern MESSAGE_ID = Pattern.compile("ALO[A-Z]+-\\d+");

    // strong references: java.util.logging holds loggers weakly, and their levels and handlers would be lost
    private static final Logger ROOT_LOGGER = Logger.getLogger("");
    private static final Logger CLIENT_LOGGER = Logger.getLogger("ai.alo.audio");

    private DisconnectBenchmark() {
    }

    /**
     * Runs the benchmark.
     *
     * @param args see {@link BenchmarkOptions#USAGE}
     * @throws Exception if a scenario fails (a broken contract is a failure, not a number)
     */
    public static void main(String[] args) throws Exception {
        BenchmarkOptions options;
        try {
            options = BenchmarkOptions.parse(args);
        } catch (IllegalArgumentException e) {
            if (!e.getMessage().isEmpty()) {
                System.err.println(e.getMessage());
            }
            System.err.println(BenchmarkOptions.USAGE);
            System.exit(e.getMessage().isEmpty() ? 0 : 2);
            return;
        }
        Report report = run(options, System.err);
        String markdown = report.toMarkdown();
        System.out.println(markdown);
        Path output = options.output.toAbsolutePath();
        Files.createDirectories(output.getParent());
        Files.writeString(output, markdown, StandardCharsets.UTF_8);
        System.err.println("Report written to " + output);
    }

    /**
     * Runs the selected scenarios.
     *
     * @param options  the options
     * @param progress where progress lines go
     * @return the results
     * @throws Exception if a scenario fails
     */
    static Report run(BenchmarkOptions options, PrintStream progress) throws Exception {
        Map<String, Integer> warnings = new TreeMap<>();
        Handler counter = new Handler() {
            @Override
            public void publish(LogRecord record) {
                if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
                    Matcher id = MESSAGE_ID.matcher(String.valueOf(record.getMessage()));
                    synchronized (warnings) {
                        warnings.merge(id.find() ? id.group() : record.getLoggerName(), 1, Integer::sum);
                    }
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Level previousRoot = ROOT_LOGGER.getLevel();
        if (!options.logInfo) {
            ROOT_LOGGER.setLevel(Level.WARNING);
        }
        CLIENT_LOGGER.addHandler(counter);
        Report report = new Report(options);
        try {
            Path logDir = options.output.toAbsolutePath().getParent();
            Files.createDirectories(logDir);
            Path serverLog = logDir.resolve("benchmark-server.log");
            Files.deleteIfExists(serverLog);
            byte[] seed = new byte[32];
            new SecureRandom().nextBytes(seed);
            String secret = HexFormat.of().formatHex(seed);
            TokenIssuer tokens = new TokenIssuer(secret.getBytes(StandardCharsets.UTF_8));
            Tokens t = new Tokens(tokens.issue(USER_OURS, Duration.ofHours(4)),
                    tokens.issue(USER_BARE, Duration.ofHours(4)), tokens.issue(USER_PHASES, Duration.ofHours(4)),
                    tokens.issue(USER_STEPS, Duration.ofHours(4)));
            List<String> serverJvm = new ArrayList<>(options.serverJvmArgs);
            List<String> serverArgs = options.logInfo ? List.of("--log-info") : List.of();

            if (options.runs("disconnect") || options.runs("reset")) {
                progress.println("Starting the server process (fault-injection relay in front of Tyrus)...");
                try (ServerProcess server = ServerProcess.start(serverJvm, secret, true, serverLog, serverArgs)) {
                    try (AloAudioDriver ours = new AloAudioDriver("bench", server.uri(), USER_OURS, t.ours,
                            USER_OURS)) {
                        if (options.runs("disconnect")) {
                            runDisconnect(options, server, ours, t, report, progress);
                        }
                        if (options.runs("disconnect") && options.phaseIterations > 0) {
                            progress.printf("Phase breakdown: %d + %d warm-up iterations each...%n",
                                    options.phaseIterations, options.phaseWarmup);
                            PhaseDiagnostics phases = new PhaseDiagnostics(server.uri(), options.settleMillis);
                            phases.runClient(USER_PHASES, t.phases, options.phaseWarmup, options.phaseIterations);
                            phases.runTransport(USER_STEPS, t.steps, options.phaseWarmup, options.phaseIterations);
                            phases.baseline = new MachineBaseline();
                            phases.baseline.run(options.phaseIterations);
                            report.phases = phases;
                        }
                        if (options.runs("reset")) {
                            runReset(options, server, ours, t, report, progress);
                            if (report.phases != null) {
                                report.phases.runTransportReset(server, USER_STEPS, t.steps, options.phaseWarmup,
                                        Math.min(options.phaseIterations, options.resetIterations));
                            }
                        }
                    }
                }
            }
            if (options.runs("kill")) {
                runKill(options, secret, serverJvm, serverArgs, serverLog, t, report, progress);
            }
        } finally {
            CLIENT_LOGGER.removeHandler(counter);
            ROOT_LOGGER.setLevel(previousRoot);
        }
        synchronized (warnings) {
            report.clientWarnings.putAll(warnings);
        }
        report.finish();
        return report;
    }

    private record Tokens(String ours, String bare, String phases, String steps) {
    }

    // ---------------------------------------------------------------------------------------------------------------
    // 1 + 2: disconnect() and its event

    private static void runDisconnect(BenchmarkOptions o, ServerProcess server, AloAudioDriver ours, Tokens t,
                                      Report r, PrintStream progress) throws Exception {
        int total = o.disconnectWarmup + o.disconnectIterations;
        progress.printf("Scenario 1+2 (disconnect): %d + %d warm-up iterations per client...%n",
                o.disconnectIterations, o.disconnectWarmup);
        for (int i = 0; i < total; i++) {
            boolean measured = i >= o.disconnectWarmup;
            if (i % 2 == 0) {
                oursDisconnect(o, ours, r, measured);
                bareDisconnect(o, server, t, r, measured);
            } else {
                bareDisconnect(o, server, t, r, measured);
                oursDisconnect(o, ours, r, measured);
            }
            if ((i + 1) % 200 == 0) {
                progress.printf("  %d/%d%n", i + 1, total);
            }
        }
    }

    private static void oursDisconnect(BenchmarkOptions o, AloAudioDriver ours, Report r, boolean measured)
            throws Exception {
        AloAudio audio = ours.audio();
        ours.connect();
        int before = ours.liveConnectionThreads();
        settle(o.settleMillis);
        long start = System.nanoTime();
        audio.disconnect();
        long returned = System.nanoTime();
        ConnectionState state = audio.state();
        if (state != ConnectionState.DISCONNECTED) {
            throw new IllegalStateException("disconnect() returned in state " + state);
        }
        int live = ours.liveConnectionThreads();
        AloAudioDriver.Delivered delivered = ours.awaitDisconnect(ConnectionState.DISCONNECTED);
        if (!measured) {
            return;
        }
        r.disconnectChecked++;
        r.oursThreadsPerConnection = Math.max(r.oursThreadsPerConnection, before);
        if (live > 0) {
            r.disconnectWithLiveThreads++;
        }
        r.oursDisconnect.add(returned - start);
        r.oursEvent.add(delivered.atNanos() - start);
        r.oursEventAfterReturn.add(Math.max(0, delivered.atNanos() - returned));
    }

    private static void bareDisconnect(BenchmarkOptions o, ServerProcess server, Tokens t, Report r,
                                       boolean measured) throws Exception {
        BareTyrusClient bare = new BareTyrusClient();
        try {
            bare.connect(server.uri(), t.bare, USER_BARE, USER_BARE);
            settle(o.settleMillis);
            BareTyrusClient.DisconnectTimes times = bare.disconnect(USER_BARE);
            if (!measured) {
                return;
            }
            r.bareThreadsPerConnection = bare.threadCount();
            r.bareClose.add(times.closeReturned() - times.start());
            r.bareReleased.add(times.threadsEnded() - times.start());
            r.bareOnClose.add(times.onClose() - times.start());
            r.bareStepLeave.add(times.leaveQueued() - times.start());
            r.bareStepClose.add(times.closeReturned() - times.leaveQueued());
            r.bareStepShutdown.add(times.shutdownReturned() - times.closeReturned());
            r.bareStepJoin.add(times.threadsEnded() - times.shutdownReturned());
        } finally {
            bare.release();
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // 3a: the server resets the connection

    private static void runReset(BenchmarkOptions o, ServerProcess server, AloAudioDriver ours, Tokens t, Report r,
                                 PrintStream progress) throws Exception {
        int total = o.resetWarmup + o.resetIterations;
        progress.printf("Scenario 3a (server resets the connection): %d + %d warm-up iterations per client...%n",
                o.resetIterations, o.resetWarmup);
        for (int i = 0; i < total; i++) {
            boolean measured = i >= o.resetWarmup;
            if (i % 2 == 0) {
                oursReset(o, server, ours, r, measured);
                bareReset(o, server, t, r, measured);
            } else {
                bareReset(o, server, t, r, measured);
                oursReset(o, server, ours, r, measured);
            }
        }
    }

    private static void oursReset(BenchmarkOptions o, ServerProcess server, AloAudioDriver ours, Report r,
                                  boolean measured) throws Exception {
        AloAudio audio = ours.audio();
        ours.connect();
        settle(o.settleMillis);
        long written = System.nanoTime();
        ServerProcess.Drop drop = server.drop(USER_OURS);
        if (!drop.dropped()) {
            throw new IllegalStateException("the server found no connection of " + USER_OURS + " to reset");
        }
        AloAudioDriver.Delivered delivered = ours.awaitDisconnect(ConnectionState.ERROR);
        DisconnectEvent event = delivered.event();
        // back to DISCONNECTED for the next connect (no second event; waits for the release thread)
        audio.disconnect();
        if (!measured) {
            return;
        }
        if (!DisconnectEvent.LOST_CONNECTION_MESSAGE.equals(event.message())) {
            r.resetWrongMessage.add(event.reason() + ": " + event.message());
        }
        r.oursReset.add(delivered.atNanos() - resetStart(written, drop, delivered.atNanos(), r));
    }

    private static void bareReset(BenchmarkOptions o, ServerProcess server, Tokens t, Report r, boolean measured)
            throws Exception {
        BareTyrusClient bare = new BareTyrusClient();
        try {
            bare.connect(server.uri(), t.bare, USER_BARE, USER_BARE);
            settle(o.settleMillis);
            long written = System.nanoTime();
            ServerProcess.Drop drop = server.drop(USER_BARE);
            if (!drop.dropped()) {
                throw new IllegalStateException("the server found no connection of " + USER_BARE + " to reset");
            }
            long closedAt = bare.awaitClose(EVENT_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            if (!measured) {
                return;
            }
            if (bare.closeCode() != 1006) {
                r.bareResetWrongCode.add(bare.closeCode());
            }
            r.bareReset.add(closedAt - resetStart(written, drop, closedAt, r));
        } finally {
            bare.release();
        }
    }

    /**
     * The moment of the reset: the server process's own stamp right before it reset the connection (both JVMs read
     * the same monotonic clock on Linux), if it lies between our command and our observation; else the moment we
     * wrote the command.
     */
    private static long resetStart(long written, ServerProcess.Drop drop, long observed, Report r) {
        if (drop.beforeNanos() >= written && drop.beforeNanos() <= observed) {
            r.resetCommandDelivery.add(drop.beforeNanos() - written);
            return drop.beforeNanos();
        }
        r.resetClockFallbacks++;
        return written;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // 3b: the server process is killed with SIGKILL

    private static void runKill(BenchmarkOptions o, String secret, List<String> serverJvm, List<String> serverArgs,
                                Path serverLog, Tokens t, Report r, PrintStream progress) throws Exception {
        int total = o.killWarmup + o.killIterations;
        progress.printf("Scenario 3b (SIGKILL the server process): %d + %d warm-up iterations per client, one server "
                + "process each...%n", o.killIterations, o.killWarmup);
        for (int i = 0; i < total; i++) {
            boolean measured = i >= o.killWarmup;
            if (i % 2 == 0) {
                oursKill(o, secret, serverJvm, serverArgs, serverLog, t, r, measured);
                bareKill(o, secret, serverJvm, serverArgs, serverLog, t, r, measured);
            } else {
                bareKill(o, secret, serverJvm, serverArgs, serverLog, t, r, measured);
                oursKill(o, secret, serverJvm, serverArgs, serverLog, t, r, measured);
            }
            progress.printf("  %d/%d%n", i + 1, total);
        }
    }

    private static void oursKill(BenchmarkOptions o, String secret, List<String> serverJvm, List<String> serverArgs,
                                 Path serverLog, Tokens t, Report r, boolean measured) throws Exception {
        try (ServerProcess server = ServerProcess.start(serverJvm, secret, false, serverLog, serverArgs);
             AloAudioDriver ours = new AloAudioDriver("bench-kill", server.uri(), USER_OURS, t.ours, USER_OURS)) {
            ours.connect();
            settle(o.killSettleMillis);
            long start = System.nanoTime();
            CompletableFuture<Long> exited = server.killForcibly();
            AloAudioDriver.Delivered delivered = ours.awaitDisconnect(ConnectionState.ERROR);
            long exitedAt = exited.get(EVENT_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            if (!measured) {
                return;
            }
            r.killProcessExit.add(exitedAt - start);
            if (!DisconnectEvent.LOST_CONNECTION_MESSAGE.equals(delivered.event().message())) {
                r.killWrongMessage.add(delivered.event().reason() + ": " + delivered.event().message());
            }
            r.oursKill.add(delivered.atNanos() - start);
        }
    }

    private static void bareKill(BenchmarkOptions o, String secret, List<String> serverJvm, List<String> serverArgs,
                                 Path serverLog, Tokens t, Report r, boolean measured) throws Exception {
        try (ServerProcess server = ServerProcess.start(serverJvm, secret, false, serverLog, serverArgs)) {
            BareTyrusClient bare = new BareTyrusClient();
            try {
                bare.connect(server.uri(), t.bare, USER_BARE, USER_BARE);
                settle(o.killSettleMillis);
                long start = System.nanoTime();
                CompletableFuture<Long> exited = server.killForcibly();
                long closedAt = bare.awaitClose(EVENT_TIMEOUT_SECONDS, TimeUnit.SECONDS);
                long exitedAt = exited.get(EVENT_TIMEOUT_SECONDS, TimeUnit.SECONDS);
                if (!measured) {
                    return;
                }
                r.killProcessExit.add(exitedAt - start);
                if (bare.closeCode() != 1006) {
                    r.bareKillWrongCode.add(bare.closeCode());
                }
                r.bareKill.add(closedAt - start);
            } finally {
                bare.release();
            }
        }
    }

    /**
     * Pauses between iterations so that the previous step's tail (the server's bookkeeping, the listener's events)
     * is over before the next measured call; untimed. A plain sleep is right here: there is nothing to wait for.
     *
     * @param millis how long; 0 for no pause
     * @throws InterruptedException if interrupted
     */
    static void settle(long millis) throws InterruptedException {
        if (millis > 0) {
            Thread.sleep(millis);
        }
    }

    static String readFirstLine(Path file, String prefix) {
        try {
            for (String line : Files.readAllLines(file)) {
                if (line.startsWith(prefix)) {
                    return line;
                }
            }
        } catch (IOException e) {
            // not on Linux
        }
        return null;
    }
}
