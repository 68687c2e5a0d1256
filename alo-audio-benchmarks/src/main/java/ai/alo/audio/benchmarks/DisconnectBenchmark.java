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
import jakarta.websocket.CloseReason;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * {@code disconnect()} near the machine's limit, and a server reset to the {@code ERROR} event, each beside the bare
 * Tyrus twin ({@link BareTyrusTwin}) against the same server process in the same run, iteration by iteration in
 * alternating order so that the machine's noise falls on both alike. The server process stamps (on the shared
 * monotonic clock) when it got each {@code leave} and saw each session close, which splits both sides' times the same
 * way. Ends with the machine's primitives, to read the numbers against.
 */
final class DisconnectBenchmark {

    static final String USAGE = "Benchmarks disconnect [options]: disconnect() and reset->event beside bare Tyrus";
    static final long DISCONNECT_P50_TARGET = TimeUnit.MICROSECONDS.toNanos(500);
    static final long DISCONNECT_P99_TARGET = TimeUnit.MILLISECONDS.toNanos(3);
    static final double RESET_RATIO_TARGET = 2.0;

    static final String USER_OURS = "bench-ours";
    static final String USER_OURS_ANCHOR = "bench-ours-anchor";
    static final String USER_BARE = "bench-bare";
    static final String USER_BARE_ANCHOR = "bench-bare-anchor";

    private DisconnectBenchmark() {
    }

    static Args args() {
        return new Args(USAGE)
                .option("disconnect", 2000, "measured disconnect iterations per side")
                .option("disconnect-warmup", 300, "warm-up disconnect iterations per side (not recorded)")
                .option("reset", 300, "measured server-reset iterations per side")
                .option("reset-warmup", 50, "warm-up reset iterations per side")
                .option("settle-ms", 5, "untimed pause after each connect, before the measured call")
                .option("poll-us", 10, "pause between checks of the bare twin's socket (parks; Linux rounds up)")
                .option("baseline", 500, "iterations of each machine primitive")
                .option("label", "", "a label for this run's heading, such as the JVM flag under test")
                .option("server-jvm-args", "-Xms256m -Xmx256m", "JVM options of the server process")
                .option("server-workers", 4, "the server's Grizzly worker threads")
                .flag("log-info", "INFO logging in client and server")
                .option("client-log-level", "WARNING", "level of the client's logger ai.alo.audio (SEVERE: drop its "
                        + "WARNING lines, to measure their cost)")
                .option("output", "alo-audio-benchmarks/target/benchmark-disconnect.md", "the Markdown report");
    }

    static final class Result {
        String label;
        String serverFlags;
        String clientLog;
        String runtimeConfig;
        int processors;
        int settleMillis;

        // ours: disconnect()
        final Samples oursDisconnect = new Samples("ours: disconnect() returned");
        final Samples oursEvent = new Samples("ours: DisconnectEvent delivered");
        final Samples oursServerLeave = new Samples("ours: server got leave");
        final Samples oursServerClosed = new Samples("ours: server saw the session close");
        final Samples oursAfterServerClosed = new Samples("ours: server saw the close -> disconnect() returned");
        // bare: leave + close
        final Samples bareLeaveQueued = new Samples("bare: sendText(leave) returned");
        final Samples bareClose = new Samples("bare: close(1000) returned (onClose inside)");
        final Samples bareReleased = new Samples("bare: socket released");
        final Samples bareServerLeave = new Samples("bare: server got leave");
        final Samples bareServerClosed = new Samples("bare: server saw the session close");
        long barePolls;
        long barePollNanos;

        // checks
        int oursChecked;
        int oursWrongState;
        int oursSocketStillOpen;
        int oursSocketUnidentified;
        int oursConnectionsLeft;
        int oursTimersLeft;
        int oursEventWrong;
        int oursSecondEvent;
        final List<String> leftoverTimers = new ArrayList<>();
        int bareSocketUnidentified;
        int bareReleaseTimeouts;
        int bareOnCloseMissing;
        final Map<Integer, Integer> oursServerCloseCodes = new TreeMap<>();
        final Map<Integer, Integer> bareServerCloseCodes = new TreeMap<>();
        int serverStampsMissing;
        int baseConnections;
        int baseTimers;

        // reset
        final Samples oursReset = new Samples("ours: reset -> ERROR event");
        final Samples oursResetCommitted = new Samples("ours: reset -> loss committed (event timestamp)");
        final Samples oursResetDelivery = new Samples("ours: loss committed -> event delivered");
        final Samples bareReset = new Samples("bare: reset -> onClose(1006)");
        final Samples resetCommandDelivery = new Samples("drop command -> server stamp");
        final List<String> resetWrongMessage = new ArrayList<>();
        final List<Integer> bareResetWrongCode = new ArrayList<>();
        int resetClockFallbacks;

        // machine
        MachineBaseline baseline;
        final Samples bareRoundTrip = new Samples("protocol ping -> pong through the server process (bare session)");
        List<String> oursThreads;
        List<String> bareThreads;
        int threadBound;
        final Map<String, Integer> clientWarnings = new TreeMap<>();
    }

    /** A delivered event and when. */
    private record Delivered(long atNanos, DisconnectEvent event) {
    }

    static Result run(Args a, PrintStream progress) throws Exception {
        Result r = new Result();
        r.label = a.string("label");
        r.processors = Runtime.getRuntime().availableProcessors();
        r.settleMillis = a.integer("settle-ms", 0);
        r.clientLog = a.string("client-log-level");
        Path dir = Path.of(a.string("output")).toAbsolutePath().getParent();
        String secret = Secrets.random();
        TokenIssuer tokens = new TokenIssuer(secret.getBytes(StandardCharsets.UTF_8));
        // Two server processes: disconnect() is measured against the service as users run it (Tyrus bound
        // directly); the reset needs the fault-injection relay, which adds a hop each way, so it has its own.
        ServerProcess.Config relayedConfig = new ServerProcess.Config(a.words("server-jvm-args"), true, 100, 100,
                a.integer("server-workers", 1), true, a.flag("log-info"));
        ServerProcess.Config directConfig = relayedConfig.withFaultInjection(false);
        r.serverFlags = String.join(" ", relayedConfig.jvmArgs()) + " (two processes: disconnect against Tyrus "
                + "bound directly, reset through the fault-injection relay)";
        AloAudioRuntimeConfig runtimeConfig = AloAudioRuntimeConfig.builder().name("bench").build();
        r.runtimeConfig = "ioThreads " + runtimeConfig.ioThreads() + ", eventThreads " + runtimeConfig.eventThreads()
                + ", connectThreads " + runtimeConfig.connectThreads();
        r.threadBound = runtimeConfig.ioThreads() + runtimeConfig.eventThreads() + runtimeConfig.connectThreads() + 1;
        long pollNanos = TimeUnit.MICROSECONDS.toNanos(a.integer("poll-us", 0));

        try (ClientLogging logging = new ClientLogging(dir.resolve("benchmark-client.log"), a.flag("log-info"),
                java.util.logging.Level.parse(a.string("client-log-level")));
             ServerProcess direct = ServerProcess.start(directConfig, secret, dir.resolve("benchmark-server.log"));
             ServerProcess relayed = ServerProcess.start(relayedConfig, secret, dir.resolve("benchmark-server.log"));
             AloAudioRuntime runtime = AloAudioRuntime.create(runtimeConfig)) {
            ClientRuntime rt = (ClientRuntime) runtime;
            progress.printf("disconnect%s: %d processors; server processes up at %s (direct) and %s (relay)%n",
                    r.label.isEmpty() ? "" : " [" + r.label + "]", r.processors, direct.uri(), relayed.uri());
            AudioChannel oursChannel = AudioChannel.pushToTalk("bench-ours", "bench-ours");
            String bareToken = tokens.issue(USER_BARE, Duration.ofHours(4));

            try (Side side = new Side(rt, direct, tokens)) {
                ServerProcess.sleep(200);
                r.baseConnections = rt.openConnections();
                r.baseTimers = rt.pendingTimerTasks();
                int total = a.integer("disconnect-warmup", 0) + a.integer("disconnect", 1);
                progress.printf("disconnect: %d + %d warm-up iterations per side...%n", a.integer("disconnect", 1),
                        a.integer("disconnect-warmup", 0));
                for (int i = 0; i < total; i++) {
                    boolean measured = i >= a.integer("disconnect-warmup", 0);
                    if (i % 2 == 0) {
                        oursDisconnect(r, rt, side.ours, oursChannel, side.delivered, direct, measured);
                        bareDisconnect(r, side.twin, bareToken, direct, pollNanos, measured);
                    } else {
                        bareDisconnect(r, side.twin, bareToken, direct, pollNanos, measured);
                        oursDisconnect(r, rt, side.ours, oursChannel, side.delivered, direct, measured);
                    }
                    if ((i + 1) % 500 == 0) {
                        progress.printf("  %d/%d%n", i + 1, total);
                    }
                }
            }

            try (Side side = new Side(rt, relayed, tokens)) {
                ServerProcess.sleep(200);
                int total = a.integer("reset-warmup", 0) + a.integer("reset", 1);
                progress.printf("reset: %d + %d warm-up iterations per side...%n", a.integer("reset", 1),
                        a.integer("reset-warmup", 0));
                for (int i = 0; i < total; i++) {
                    boolean measured = i >= a.integer("reset-warmup", 0);
                    if (i % 2 == 0) {
                        oursReset(r, side.ours, oursChannel, side.delivered, relayed, measured);
                        bareReset(r, side.twin, bareToken, relayed, measured);
                    } else {
                        bareReset(r, side.twin, bareToken, relayed, measured);
                        oursReset(r, side.ours, oursChannel, side.delivered, relayed, measured);
                    }
                }

                progress.println("machine primitives...");
                int n = a.integer("baseline", 1);
                for (int i = 0; i < n; i++) {
                    settle(1);
                    r.bareRoundTrip.add(side.twin.anchorRoundTrip());
                }
                r.oursThreads = ScaleBenchmark.names(rt.liveThreads());
                r.bareThreads = tyrusThreads();
                r.baseline = new MachineBaseline();
                r.baseline.run(n);
            }
            r.clientWarnings.putAll(logging.counts());
        }
        return r;
    }

    /** Both sides' clients against one server process: our anchor and measured client, the bare twin. */
    private static final class Side implements AutoCloseable {
        final AloAudio anchor;
        final AloAudio ours;
        final BlockingQueue<Delivered> delivered = new LinkedBlockingQueue<>();
        final BareTyrusTwin twin;

        Side(ClientRuntime rt, ServerProcess server, TokenIssuer tokens) throws Exception {
            anchor = rt.newClient(config("anchor", server, USER_OURS_ANCHOR, tokens));
            anchor.connect(AudioChannel.pushToTalk("anchor-ours", "anchor-ours")).get(10, TimeUnit.SECONDS);
            ours = rt.newClient(config("ours", server, USER_OURS, tokens));
            ours.addListener(new AloAudioListener() {
                @Override
                public void onDisconnect(DisconnectEvent event) {
                    delivered.add(new Delivered(System.nanoTime(), event));
                }
            });
            twin = new BareTyrusTwin(server.uri(), USER_BARE_ANCHOR,
                    tokens.issue(USER_BARE_ANCHOR, Duration.ofHours(4)), "anchor-bare");
        }

        @Override
        public void close() throws Exception {
            try {
                twin.close();
            } finally {
                ours.close();
                anchor.close();
            }
        }
    }

    private static AloAudioConfig config(String name, ServerProcess server, String user, TokenIssuer tokens) {
        return AloAudioConfig.builder().name(name).serverUri(server.uri()).mediaEnabled(false)
                        .reconnectPolicy(ReconnectPolicy.never()).user(AudioUser.of(user, name))
                .userAuthToken(tokens.issue(user, Duration.ofHours(4))).build();
    }

    // ---------------------------------------------------------------------------------------------------------------

    private static void oursDisconnect(Result r, ClientRuntime rt, AloAudio ours, AudioChannel channel,
                                       BlockingQueue<Delivered> delivered, ServerProcess server, boolean measured)
            throws Exception {
        delivered.clear();
        Map<Integer, String> before = SocketWatch.sockets();
        ours.connect(channel).get(10, TimeUnit.SECONDS);
        SocketWatch.Socket socket = SocketWatch.added(before, SocketWatch.sockets());
        settle(r.settleMillis);
        long start = System.nanoTime();
        ours.disconnect();
        long returned = System.nanoTime();
        ConnectionState state = ours.state();
        boolean socketOpen = socket != null && socket.isOpen();
        int connections = rt.openConnections();
        int timers = rt.pendingTimerTasks();
        Delivered event = delivered.poll(5, TimeUnit.SECONDS);
        // The anchor's own heartbeat tasks leave the timer queue while they run, so a count can be transiently low;
        // a task of the released connection would be one too many, and would still be there a moment later.
        boolean timersLeft = timers > r.baseTimers;
        if (timersLeft) {
            settle(20);
            timersLeft = rt.pendingTimerTasks() > r.baseTimers;
            if (timersLeft && measured && r.leftoverTimers.size() < 5) {
                // which task: the remaining delays tell (heartbeat 1 s / 2.5 s, close linger = close grace 250 ms)
                String at20 = timerDelays(rt);
                settle(400);
                r.leftoverTimers.add("20 ms after return " + at20 + ", 420 ms after: " + timerDelays(rt));
            }
        }
        ServerProcess.Stamps stamps = server.stamps(USER_OURS);
        boolean second = delivered.poll(0, TimeUnit.MILLISECONDS) != null;
        if (!measured) {
            return;
        }
        r.oursChecked++;
        if (state != ConnectionState.DISCONNECTED) {
            r.oursWrongState++;
        }
        if (socket == null) {
            r.oursSocketUnidentified++;
        } else if (socketOpen) {
            r.oursSocketStillOpen++;
        }
        if (connections != r.baseConnections) {
            r.oursConnectionsLeft++;
        }
        if (timersLeft) {
            r.oursTimersLeft++;
        }
        if (second) {
            r.oursSecondEvent++;
        }
        r.oursDisconnect.add(returned - start);
        if (event == null || event.event().state() != ConnectionState.DISCONNECTED) {
            r.oursEventWrong++;
        } else {
            r.oursEvent.add(event.atNanos() - start);
        }
        serverStamps(r, stamps, start, r.oursServerLeave, r.oursServerClosed, r.oursServerCloseCodes);
        if (stamps.closedNanos() >= start && stamps.closedNanos() <= returned) {
            r.oursAfterServerClosed.add(returned - stamps.closedNanos());
        }
    }

    private static void bareDisconnect(Result r, BareTyrusTwin twin, String token, ServerProcess server,
                                       long pollNanos, boolean measured) throws Exception {
        Map<Integer, String> before = SocketWatch.sockets();
        BareTyrusTwin.Conversation c = twin.connect(USER_BARE, token, "bench-bare");
        SocketWatch.Socket socket = SocketWatch.added(before, SocketWatch.sockets());
        settle(r.settleMillis);
        String leave = "{\"type\":\"leave\",\"channelId\":\"bench-bare\"}";
        long[] polls = new long[1];
        long start = System.nanoTime();
        c.session.getAsyncRemote().sendText(leave, result -> { });
        long leaveQueued = System.nanoTime();
        c.session.close(new CloseReason(CloseReason.CloseCodes.NORMAL_CLOSURE, "disconnect"));
        long closeReturned = System.nanoTime();
        long released = socket == null ? -1 : SocketWatch.awaitReleased(socket, pollNanos,
                TimeUnit.SECONDS.toNanos(2), polls);
        long releasedWait = System.nanoTime() - closeReturned;
        long onClose = c.closedAt;
        ServerProcess.Stamps stamps = server.stamps(USER_BARE);
        if (!measured) {
            return;
        }
        r.bareLeaveQueued.add(leaveQueued - start);
        r.bareClose.add(closeReturned - start);
        if (onClose == 0) {
            r.bareOnCloseMissing++;
        }
        if (socket == null) {
            r.bareSocketUnidentified++;
        } else if (released < 0) {
            r.bareReleaseTimeouts++;
        } else {
            r.bareReleased.add(released - start);
            r.barePolls += polls[0];
            r.barePollNanos += releasedWait;
        }
        serverStamps(r, stamps, start, r.bareServerLeave, r.bareServerClosed, r.bareServerCloseCodes);
    }

    private static void serverStamps(Result r, ServerProcess.Stamps stamps, long start, Samples leave,
                                     Samples closed, Map<Integer, Integer> codes) {
        if (stamps.leaveNanos() >= start) {
            leave.add(stamps.leaveNanos() - start);
        } else {
            r.serverStampsMissing++;
        }
        if (stamps.closedNanos() >= start) {
            closed.add(stamps.closedNanos() - start);
            codes.merge(stamps.closeCode(), 1, Integer::sum);
        } else {
            r.serverStampsMissing++;
        }
    }

    // ---------------------------------------------------------------------------------------------------------------

    private static void oursReset(Result r, AloAudio ours, AudioChannel channel, BlockingQueue<Delivered> delivered,
                                  ServerProcess server, boolean measured) throws Exception {
        delivered.clear();
        ours.connect(channel).get(10, TimeUnit.SECONDS);
        settle(r.settleMillis);
        java.time.Instant wall = java.time.Instant.now();
        long written = System.nanoTime();
        ServerProcess.Drop drop = server.drop(USER_OURS);
        if (!drop.dropped()) {
            throw new IllegalStateException("the server found no connection of " + USER_OURS + " to reset");
        }
        Delivered event = delivered.poll(10, TimeUnit.SECONDS);
        if (event == null) {
            throw new IllegalStateException("no DisconnectEvent within 10 s of a reset");
        }
        ours.disconnect(); // ERROR -> DISCONNECTED, no second event
        server.stamps(USER_OURS);
        if (!measured) {
            return;
        }
        DisconnectEvent e = event.event();
        if (e.state() != ConnectionState.ERROR || !DisconnectEvent.LOST_CONNECTION_MESSAGE.equals(e.message())) {
            r.resetWrongMessage.add(e.state() + "/" + e.reason() + ": " + e.message());
        }
        long start = resetStart(written, drop, event.atNanos(), r);
        r.oursReset.add(event.atNanos() - start);
        // the event's timestamp (wall clock, microseconds) is taken when the loss is committed, on the I/O thread
        long committed = written + java.time.Duration.between(wall, e.timestamp()).toNanos();
        if (committed >= start && committed <= event.atNanos()) {
            r.oursResetCommitted.add(committed - start);
            r.oursResetDelivery.add(event.atNanos() - committed);
        }
    }

    private static void bareReset(Result r, BareTyrusTwin twin, String token, ServerProcess server, boolean measured)
            throws Exception {
        BareTyrusTwin.Conversation c = twin.connect(USER_BARE, token, "bench-bare");
        try {
            settle(r.settleMillis);
            long written = System.nanoTime();
            ServerProcess.Drop drop = server.drop(USER_BARE);
            if (!drop.dropped()) {
                throw new IllegalStateException("the server found no connection of " + USER_BARE + " to reset");
            }
            long closedAt = c.awaitClose(10, TimeUnit.SECONDS);
            server.stamps(USER_BARE);
            if (!measured) {
                return;
            }
            if (c.closeCode != 1006) {
                r.bareResetWrongCode.add(c.closeCode);
            }
            r.bareReset.add(closedAt - resetStart(written, drop, closedAt, r));
        } finally {
            c.closeQuietly();
        }
    }

    /**
     * The moment of the reset: the server process's own stamp right before it reset the connection (same monotonic
     * clock), if it lies between our command and our observation; else the moment we wrote the command.
     */
    private static long resetStart(long written, ServerProcess.Drop drop, long observed, Result r) {
        if (drop.beforeNanos() >= written && drop.beforeNanos() <= observed) {
            r.resetCommandDelivery.add(drop.beforeNanos() - written);
            return drop.beforeNanos();
        }
        r.resetClockFallbacks++;
        return written;
    }

    static void settle(long millis) throws InterruptedException {
        if (millis > 0) {
            Thread.sleep(millis);
        }
    }

    /** The remaining delays (ms) of the tasks in the runtime's timer queue. */
    static String timerDelays(ClientRuntime rt) {
        List<Long> delays = new ArrayList<>();
        if (rt.timer().executor() instanceof java.util.concurrent.ScheduledThreadPoolExecutor stpe) {
            for (Runnable task : stpe.getQueue().toArray(new Runnable[0])) {
                if (task instanceof java.util.concurrent.Delayed d) {
                    delays.add(d.getDelay(TimeUnit.MILLISECONDS));
                }
            }
        }
        delays.sort(null);
        return delays + " (" + rt.pendingTimerTasks() + " counted)";
    }

    /** The threads of Tyrus's shared Grizzly transport and its client manager. */
    static List<String> tyrusThreads() {
        List<String> names = new ArrayList<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            String n = t.getName();
            if (n.startsWith("ws-worker") || n.startsWith("ws-selector") || n.startsWith("tyrus-")
                    || n.toLowerCase(Locale.ROOT).contains("grizzly")) {
                names.add(n);
            }
        }
        names.sort(null);
        return names;
    }

    // ---------------------------------------------------------------------------------------------------------------

    static String markdown(Result r, RunInfo info) {
        StringBuilder md = new StringBuilder();
        md.append("### `disconnect()` and reset beside bare Tyrus").append(r.label.isEmpty() ? "" : ": " + r.label)
                .append("\n\n");
        md.append(info.header(r.serverFlags));
        md.append("- Ours: one application-owned runtime (").append(r.runtimeConfig)
                .append(") with an anchor client connected throughout; the measured client is reused: connect, pause ")
                .append(r.settleMillis).append(" ms (untimed), then the measured call. Default client configuration "
                        + "(close grace 250 ms).\n");
        md.append("- Bare twin: ONE Tyrus `ClientManager` with `SHARED_CONTAINER=true`, idle timeout 5 s, handshake "
                + "timeout 10 s, worker pool 3/3, selector pool config 2/2 (as `tyrus-scale-notes.md` recommends), an "
                + "anchor session open and pinging throughout; each measured iteration opens a new session on it, "
                + "joins, pauses the same, then the measured call.\n");
        md.append("- Both sides are in a channel of their own (no roster broadcast on `leave`), alternate iteration "
                + "by iteration, and use the same server process: for `disconnect()` one with Tyrus bound directly (as "
                + "users run the service), for the reset one with the fault-injection relay in front. Server times are the server's own `System.nanoTime()`"
                + " (same `CLOCK_MONOTONIC`) in a `ServerListener`: `leave` received, session closed.\n");

        md.append("- Client logging: java.util.logging, WARNING and above (logger `ai.alo.audio` at ")
                .append(r.clientLog).append("), `SimpleFormatter` to a file (`target/benchmark-client.log`), "
                        + "as a default JUL setup formats it\n\n");
        md.append("| # | what exactly is timed (ms from the call) | n | p50 | p90 | p99 | max | target | verdict |\n");
        md.append("|---|---|---:|---:|---:|---:|---:|---|---|\n");
        boolean p50 = r.oursDisconnect.p50() >= 0 && r.oursDisconnect.p50() < DISCONNECT_P50_TARGET;
        boolean p99 = r.oursDisconnect.p99() >= 0 && r.oursDisconnect.p99() < DISCONNECT_P99_TARGET;
        md.append(row("1", "**ours: `disconnect()` returned**: `leave` and close(1000) written, the server's close "
                        + "answered and its FIN read, socket descriptor released, state `DISCONNECTED`",
                r.oursDisconnect,
                "p50 < 0.5, p99 < 3", (p50 && p99 ? "PASS" : "**MISS**") + " (p50 " + (p50 ? "met" : "missed")
                        + ", p99 " + (p99 ? "met" : "missed") + ")"));
        md.append(row("1a", "&nbsp;&nbsp;ours: the server got `leave` (what the other participants wait for)",
                r.oursServerLeave, "", ""));
        md.append(row("1b", "&nbsp;&nbsp;ours: the server saw the session close", r.oursServerClosed, "", ""));
        md.append(row("1−1b", "&nbsp;&nbsp;ours: from the server's close to `disconnect()` returned (the client's "
                + "own part after the server: its close frame and FIN read, socket released, caller woken; per "
                + "iteration)",
                r.oursAfterServerClosed, "", ""));
        md.append(row("1c", "&nbsp;&nbsp;ours: `DisconnectEvent` delivered to the listener", r.oursEvent, "", ""));
        md.append(row("2", "bare: `sendText(leave)` + `session.close(1000)` returned; Tyrus runs `onClose` inside "
                + "`close()` and waits for nothing", r.bareClose, "", ""));
        md.append(row("2r", "bare: its socket descriptor released (Grizzly closes it after writing the close frame, "
                        + "without waiting for the server; polled, see below)", r.bareReleased, "", ""));
        md.append(row("2a", "&nbsp;&nbsp;bare: the server got `leave`", r.bareServerLeave, "", ""));
        md.append(row("2b", "&nbsp;&nbsp;bare: the server saw the session close", r.bareServerClosed, "", ""));
        double ratio50 = Samples.ratioValue(r.oursReset.p50(), r.bareReset.p50());
        double ratio99 = Samples.ratioValue(r.oursReset.p99(), r.bareReset.p99());
        boolean resetPass = ratio50 <= RESET_RATIO_TARGET && ratio99 <= RESET_RATIO_TARGET;
        md.append(row("3", "**ours: the server resets the connection (relay `dropConnection`) → `ERROR` event "
                        + "delivered**", r.oursReset, "≤ 2× bare (p50 and p99)",
                (resetPass ? "PASS" : "**MISS**")
                        + String.format(Locale.ROOT, " (%.2f× / %.2f×)", ratio50, ratio99)));
        md.append(row("3a", "&nbsp;&nbsp;ours: the reset → the loss committed on the I/O thread (the event's own "
                + "timestamp)", r.oursResetCommitted, "", ""));
        md.append(row("3b", "&nbsp;&nbsp;ours: committed → delivered to the listener (event thread)",
                r.oursResetDelivery, "", ""));
        md.append(row("3'", "bare: the same reset → `Endpoint.onClose` (1006)", r.bareReset, "", ""));
        md.append('\n');
        md.append(String.format(Locale.ROOT, "Ratios ours ÷ bare at p50 / p99: `disconnect()` returned (1) ÷ bare "
                        + "socket released (2r) %s / %s; the server got `leave` (1a ÷ 2a) %s / %s; the server saw the "
                        + "close (1b ÷ 2b) %s / %s.%n%n",
                Samples.ratio(r.oursDisconnect.p50(), r.bareReleased.p50()),
                Samples.ratio(r.oursDisconnect.p99(), r.bareReleased.p99()),
                Samples.ratio(r.oursServerLeave.p50(), r.bareServerLeave.p50()),
                Samples.ratio(r.oursServerLeave.p99(), r.bareServerLeave.p99()),
                Samples.ratio(r.oursServerClosed.p50(), r.bareServerClosed.p50()),
                Samples.ratio(r.oursServerClosed.p99(), r.bareServerClosed.p99())));

        md.append("**Checks on every measured iteration**\n\n");
        md.append("- ours, right after `disconnect()` returned: state `DISCONNECTED` ")
                .append(r.oursChecked - r.oursWrongState).append('/').append(r.oursChecked)
                .append("; its socket descriptor already released ")
                .append(r.oursChecked - r.oursSocketStillOpen - r.oursSocketUnidentified).append('/')
                .append(r.oursChecked - r.oursSocketUnidentified)
                .append(r.oursSocketUnidentified > 0 ? " (" + r.oursSocketUnidentified + " not identified)" : "")
                .append("; the runtime's open connections back to the anchor's ").append(r.baseConnections)
                .append(' ').append(r.oursChecked - r.oursConnectionsLeft).append('/').append(r.oursChecked)
                .append(", no timer task of the connection left (more than the anchor's ").append(r.baseTimers)
                .append(", still 20 ms later) ").append(r.oursChecked - r.oursTimersLeft).append('/')
                .append(r.oursChecked).append("; one `DisconnectEvent` (`DISCONNECTED`) ")
                .append(r.oursChecked - r.oursEventWrong - r.oursSecondEvent).append('/').append(r.oursChecked)
                .append('\n');
        if (!r.leftoverTimers.isEmpty()) {
            md.append("- timer tasks left after `disconnect()` returned, remaining delays in ms (the anchor has a 1 s "
                    + "ping and a ≤ 2.5 s watchdog, the runtime a 1 s watchdog): ").append(r.leftoverTimers)
                    .append('\n');
        }
        md.append("- close codes the server recorded: ours ").append(r.oursServerCloseCodes).append(", bare ")
                .append(r.bareServerCloseCodes).append("; server stamps missing: ").append(r.serverStampsMissing)
                .append('\n');
        md.append("- bare: `onClose` ran inside `close()` ")
                .append(r.bareClose.count() - r.bareOnCloseMissing).append('/').append(r.bareClose.count())
                .append("; socket identified and seen released ").append(r.bareReleased.count()).append('/')
                .append(r.bareClose.count()).append(" (not identified ").append(r.bareSocketUnidentified)
                .append(", not released within 2 s ").append(r.bareReleaseTimeouts).append("); checked every ")
                .append(r.barePolls == 0 ? "-" : String.format(Locale.ROOT, "%.3f ms on average",
                        r.barePollNanos / 1e6 / r.barePolls))
                .append(" (the checking thread parks in between), so 2r is late by up to that much\n");
        md.append("- reset: `ERROR` events with \"Lost connection to the server\": ")
                .append(r.oursReset.count() - r.resetWrongMessage.size()).append('/').append(r.oursReset.count())
                .append(r.resetWrongMessage.isEmpty() ? "" : " (others: " + r.resetWrongMessage.subList(0,
                        Math.min(5, r.resetWrongMessage.size())) + ")")
                .append("; bare `onClose` 1006: ").append(r.bareReset.count() - r.bareResetWrongCode.size())
                .append('/').append(r.bareReset.count()).append("; start = the server's stamp before "
                        + "`dropConnection` ").append(r.resetCommandDelivery.count()).append(" times, fallback to the "
                        + "command's write ").append(r.resetClockFallbacks).append(" times\n");
        md.append("- threads: ours, the whole runtime: ").append(r.oursThreads.size()).append(" (")
                .append(ScaleBenchmark.byRole(r.oursThreads)).append("; bound ").append(r.threadBound)
                .append("); bare, Tyrus's shared transport and manager: ").append(r.bareThreads.size()).append(" (")
                .append(groupTyrus(r.bareThreads)).append(")\n");
        md.append("- client log records at WARNING and above, by id (`ALOAUD-1003` is expected once per reset; "
                + "`ALOAUD-1201` would be a disconnect that outlived the close grace): ")
                .append(r.clientWarnings.isEmpty() ? "none" : r.clientWarnings).append("\n\n");

        md.append("**This machine's primitives** (client JVM, idle threads; ms)\n\n");
        md.append("| primitive | n | p50 | p90 | p99 | max |\n|---|---:|---:|---:|---:|---:|\n");
        for (Samples s : List.of(r.baseline.wakeup, r.baseline.selectorWakeup, r.baseline.loopbackWrite,
                r.baseline.loopbackRoundTrip, r.bareRoundTrip)) {
            md.append("| ").append(s.label()).append(" | ").append(s.count()).append(" | ")
                    .append(Samples.ms3(s.p50())).append(" | ").append(Samples.ms3(s.p90())).append(" | ")
                    .append(Samples.ms3(s.p99())).append(" | ").append(Samples.ms3(s.max())).append(" |\n");
        }
        md.append('\n');
        return md.toString();
    }

    private static String row(String id, String what, Samples s, String target, String verdict) {
        return "| " + id + " | " + what + " | " + s.count() + " | " + Samples.ms3(s.p50()) + " | "
                + Samples.ms3(s.p90()) + " | " + Samples.ms3(s.p99()) + " | " + Samples.ms3(s.max()) + " | " + target
                + " | " + verdict + " |\n";
    }

    private static String groupTyrus(List<String> names) {
        Map<String, Integer> groups = new TreeMap<>();
        for (String n : names) {
            String key = n.replaceAll("[-(]?\\d+\\)?", "").replaceAll("-+$", "");
            groups.merge(key, 1, Integer::sum);
        }
        StringBuilder text = new StringBuilder();
        groups.forEach((k, v) -> text.append(text.length() == 0 ? "" : ", ").append(v).append(" `").append(k)
                .append('`'));
        return text.toString();
    }

    static boolean passed(Result r) {
        return r.oursDisconnect.p50() < DISCONNECT_P50_TARGET && r.oursDisconnect.p99() < DISCONNECT_P99_TARGET
                && Samples.ratioValue(r.oursReset.p50(), r.bareReset.p50()) <= RESET_RATIO_TARGET
                && Samples.ratioValue(r.oursReset.p99(), r.bareReset.p99()) <= RESET_RATIO_TARGET;
    }
}
