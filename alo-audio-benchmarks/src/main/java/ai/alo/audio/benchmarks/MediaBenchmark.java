package ai.alo.audio.benchmarks;

import ai.alo.audio.AloAudio;
import ai.alo.audio.AloAudioConfig;
import ai.alo.audio.AloAudioRuntime;
import ai.alo.audio.AloAudioRuntimeConfig;
import ai.alo.audio.AudioChannel;
import ai.alo.audio.AudioUser;
import ai.alo.audio.ConnectionState;
import ai.alo.audio.impl.media.WebRtcMediaEngine;
import ai.alo.audio.impl.rtc.RtcEngine;
import ai.alo.audio.impl.rtc.RtcPacer;
import ai.alo.audio.impl.runtime.ClientRuntime;
import ai.alo.audio.media.AudioDevices;
import ai.alo.audio.media.PcmInput;
import ai.alo.audio.server.TokenIssuer;
import java.io.IOException;
import java.io.PrintStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongFunction;

/**
 * The client's WebRTC media measured beside bare webrtc-java peer connections ({@link MediaBenchmarkBarePair}) in the
 * same run (issue 7, "Benchmark"). Runs only inside the network namespace of {@code bin/netns-exec} (WebRTC ignores
 * loopback; test traffic may go only to loopback or into such a namespace); {@code bin/benchmark media} starts it
 * there. The reference service runs in a JVM of its own ({@link ServerProcess}, signalling on 127.0.0.1, media on the
 * namespace's veth pair), so the client JVM's figures hold only the client's peers.
 *
 * <p>Two parts, each meant for a JVM of its own ({@code --part}):
 * <ul>
 *   <li>{@code latency}: join to the first audible frame (a listener joins a channel where a speaker already speaks a
 *       tone, and a speaker joins a channel where a listener waits), beside a bare pair from {@code createOffer()} to
 *       the first audible frame; {@code disconnect()} with media running both ways beside the bare
 *       {@code RtcPeer.close()} of a connected pair, in alternating order; mouth-to-ear latency through the relay
 *       (gated tone written to a {@link PcmInput}, onsets detected at the listener's PCM output) beside a bare pair
 *       (onset pushed by the pacer, detected in {@code onFrame}).</li>
 *   <li>{@code memory}: resident memory over N connect/disconnect media sessions of one client ({@code --subject
 *       client}) or N connect/close cycles of a bare pair ({@code --subject bare}), read from
 *       {@code /proc/self/status} every few sessions; run it with a fixed, pre-touched heap ({@code -Xms} =
 *       {@code -Xmx}, {@code -XX:+AlwaysPreTouch}) so that the heap's own growth does not show.</li>
 * </ul>
 *
 * <p>Every server process, client, runtime, engine and pacer it starts is closed on every path ({@code finally}
 * blocks, and {@link ServerProcess}'s own guards). Progress goes to the given stream; the report is Markdown.
 */
public final class MediaBenchmark {

    static final String USAGE = "MediaBenchmark [options]: the client's WebRTC media beside bare webrtc-java peer "
            + "connections; only inside bin/netns-exec (bin/benchmark media)";
    static final long JOIN_P50_TARGET = TimeUnit.MILLISECONDS.toNanos(150);
    static final long DISCONNECT_P99_TARGET = TimeUnit.MILLISECONDS.toNanos(50);
    /** A gated tone: 200 ms on, 300 ms off, in 10 ms frames. */
    static final int GATE_PERIOD_FRAMES = 50;
    static final int GATE_ON_FRAMES = 20;
    /** The gated source's bursts cycle through these tones, so that each detected onset names its burst. */
    static final double[] GATE_TONES = {440, 880, 1320};
    private static final double TONE_LEVEL = 0.5;
    private static final long WAIT_SECONDS = 20;
    private static final long AUDIBLE_TIMEOUT = TimeUnit.SECONDS.toNanos(5);
    /**
     * An onset detected later than this after a burst of the same tone was sent belongs to no burst sent: one cycle
     * of the gate's tones (1.5 s) less 50 ms.
     */
    private static final long ONSET_MATCH_WINDOW = TimeUnit.MILLISECONDS.toNanos(
            10L * GATE_PERIOD_FRAMES * GATE_TONES.length - 50);

    private MediaBenchmark() {
    }

    static Args args() {
        return new Args(USAGE)
                .option("part", "latency", "latency (join, disconnect, mouth-to-ear) or memory")
                .option("joins", 30, "measured joins per direction (and bare pairs per variant)")
                .option("join-warmup", 3, "warm-up joins per direction (not recorded)")
                .option("disconnects", 200, "measured disconnect() calls (and bare closes)")
                .option("disconnect-warmup", 20, "warm-up disconnects per side")
                .option("onsets", 24, "measured tone onsets per side for mouth-to-ear (0: skip)")
                .option("onset-warmup", 2, "onsets at the start not recorded")
                .option("subject", "client", "memory part: client (media sessions of one client) or bare (pairs)")
                .option("sessions", 200, "memory part: measured sessions (or bare cycles)")
                .option("session-warmup", 5, "memory part: sessions before the first reading")
                .option("sample-every", 10, "memory part: read /proc/self/status every this many sessions")
                .option("audible-level", "0.05", "RMS level (of full scale) from which a frame is audible")
                .option("server-jvm-args", "-Xms256m -Xmx256m", "JVM options of the server process (memory part: "
                        + "with -XX:+AlwaysPreTouch added unless given, so that its RSS per session means something)")
                .option("output", "alo-audio-benchmarks/target/benchmark-media.md", "the Markdown report");
    }

    /**
     * Runs one part in this JVM and writes its report.
     *
     * @param argv the options ({@code --help} lists them)
     */
    public static void main(String[] argv) {
        PrintStream progress = System.err;
        Args args = args();
        try {
            args.parse(argv);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(e.getMessage().startsWith("unknown") || e.getMessage().contains("needs") ? 2 : 0);
            return;
        }
        try {
            RunInfo info = new RunInfo();
            Result result = run(args, progress);
            info.finish();
            String markdown = markdown(result, info);
            System.out.println(markdown);
            Path output = Path.of(args.string("output")).toAbsolutePath();
            Files.createDirectories(output.getParent());
            Files.writeString(output, markdown, StandardCharsets.UTF_8);
            progress.println("Report written to " + output);
            System.exit(0);
        } catch (Throwable e) {
            progress.println("benchmark media FAILED: " + e);
            e.printStackTrace(progress);
            System.exit(1);
        }
    }

    /** What one part measured. */
    static final class Result {
        String part;
        String serverFlags;
        double audibleLevel;
        int processors;

        // join
        final Samples joinListenerConnect = new Samples("listener joins: connect() completed");
        final Samples joinListenerAudible = new Samples("listener joins: first audible frame");
        final Samples joinSpeakerConnect = new Samples("speaker joins: connect() completed");
        final Samples joinSpeakerAudible = new Samples("speaker joins: first audible frame at the listener");
        final Samples bareListenerConnected = new Samples("bare, offerer listens: connected");
        final Samples bareListenerAudible = new Samples("bare, offerer listens: first audible frame");
        final Samples bareSpeakerConnected = new Samples("bare, offerer speaks: connected");
        final Samples bareSpeakerAudible = new Samples("bare, offerer speaks: first audible frame");
        final Samples joinListenerSilentFrames = new Samples("frames before the first audible one");
        int joinMissed;
        int bareJoinMissed;

        // disconnect
        final Samples oursDisconnect = new Samples("ours: disconnect() with media running");
        final Samples bareClose = new Samples("bare: RtcPeer.close() of a connected pair");
        final Samples barePeerConnectionClose = new Samples("bare: of which the native pc.close()");
        int disconnectNoAudio;
        int disconnectWrongState;
        int sessionsLeft = -1;
        int bareNoAudio;

        // mouth-to-ear
        final Samples oursMouthToEar = new Samples("ours: write() of the onset -> onset at the PCM output");
        final Samples oursMouthToEarFromPacer = new Samples("ours: estimated pacer pickup -> onset at the output");
        final Samples oursInputBuffered = new Samples("ours: PCM input buffered when the onset was written");
        final Samples oursOutputDelivery = new Samples("ours: of which frame received by the client -> output "
                + "callback (onset frames)");
        final Samples bareMouthToEar = new Samples("bare: onset pushed by the pacer -> onset in onFrame");
        int oursOnsetsSent;
        int oursOnsetsMissed;
        int bareOnsetsSent;
        int bareOnsetsMissed;
        long oursFramesLost;
        double oursFrameRate = Double.NaN;
        double bareFrameRate = Double.NaN;
        String oursInOrder = "";
        String bareInOrder = "";
        ai.alo.audio.impl.rtc.RtcStats bareStats;

        // threads and descriptors (latency part)
        int tasksAfterWarmup = -1;
        int tasksAtEnd = -1;
        int fdsAfterWarmup = -1;
        int fdsAtEnd = -1;

        // memory
        String subject;
        int sessions;
        int sampleEvery;
        final List<MemoryPoint> memory = new ArrayList<>();
        int memoryNoAudio;
        long serverRssBefore = -1;
        long serverRssAfter = -1;
        int serverSessions = -1;
        String jvmHeap;
        final Map<String, Integer> clientWarnings = new TreeMap<>();
    }

    /** One reading of {@code /proc/self/status} and friends after {@code session} sessions. */
    record MemoryPoint(int session, long rssKib, long anonKib, long fileKib, int tasks, int fds) {
    }

    static Result run(Args a, PrintStream progress) throws Exception {
        requireNamespace();
        Result r = new Result();
        r.part = a.string("part");
        r.audibleLevel = Double.parseDouble(a.string("audible-level"));
        r.processors = Runtime.getRuntime().availableProcessors();
        switch (r.part) {
            case "latency" -> runLatency(a, r, progress);
            case "memory" -> runMemory(a, r, progress);
            default -> throw new IllegalArgumentException("--part must be latency or memory, was " + r.part);
        }
        return r;
    }

    // ---- the client side: a server process, one runtime, its devices ------------------------------------------

    /** The reference service in its own JVM and one client runtime; closes both. */
    private static final class ClientSide implements AutoCloseable {
        final ServerProcess server;
        final AloAudioRuntime runtime;
        final ClientRuntime rt;
        final AudioDevices devices;
        private final TokenIssuer tokens;
        private final ClientLogging logging;
        private final List<AloAudio> clients = new ArrayList<>();
        private int users;

        ClientSide(Args a, Result r, Path dir) throws IOException {
            String secret = Secrets.random();
            tokens = new TokenIssuer(secret.getBytes(StandardCharsets.UTF_8));
            List<String> jvmArgs = new ArrayList<>(a.words("server-jvm-args"));
            if (r.part.equals("memory") && !a.given().contains("server-jvm-args")) {
                jvmArgs.add("-XX:+AlwaysPreTouch");
            }
            ServerProcess.Config config = new ServerProcess.Config(jvmArgs, false, 100, 100, 2, false, false);
            r.serverFlags = String.join(" ", config.jvmArgs()) + " (media relay on, Tyrus bound directly)";
            logging = new ClientLogging(dir.resolve("benchmark-client.log"), false, null);
            ServerProcess started = null;
            AloAudioRuntime made = null;
            try {
                started = ServerProcess.start(config, secret, dir.resolve("benchmark-server.log"));
                made = AloAudioRuntime.create(AloAudioRuntimeConfig.builder().name("bench-media").build());
            } catch (IOException | RuntimeException e) {
                if (made != null) {
                    made.close();
                }
                if (started != null) {
                    started.close();
                }
                logging.close();
                throw e;
            }
            server = started;
            runtime = made;
            rt = (ClientRuntime) made;
            devices = made.devices();
        }

        AloAudio client(String name, String input, String output) {
            String user = "media-" + (++users) + "-" + name;
            AloAudio client = runtime.newClient(AloAudioConfig.builder().name(name).serverUri(server.uri())
                    .mediaEnabled(true).audioInputDeviceId(input).audioOutputDeviceId(output)
                    .user(AudioUser.of(user, name)).userAuthToken(tokens.issue(user, Duration.ofHours(4))).build());
            clients.add(client);
            return client;
        }

        int openSessions() {
            return runtime instanceof ClientRuntime c && c.media() instanceof WebRtcMediaEngine e
                    ? e.openSessions() : -1;
        }

        Map<String, Integer> warnings() {
            return logging.counts();
        }

        @Override
        public void close() {
            try {
                for (AloAudio client : clients) {
                    client.close();
                }
                runtime.close();
            } finally {
                try {
                    server.close();
                } finally {
                    logging.close();
                }
            }
        }
    }

    /** A bare engine and pacer of its own in this JVM; closes both. */
    private static final class BareSide implements AutoCloseable {
        final RtcEngine engine;
        final RtcPacer pacer;

        BareSide() {
            engine = RtcEngine.create(RtcEngine.Options.builder().name("bench-bare").build());
            pacer = new RtcPacer(r -> {
                Thread t = new Thread(r);
                t.setDaemon(true);
                return t;
            }, "bench-bare-pacer");
        }

        @Override
        public void close() {
            try {
                pacer.close();
            } finally {
                engine.close();
            }
        }
    }

    private static void connect(AloAudio client, AudioChannel channel) throws Exception {
        client.connect(channel).get(WAIT_SECONDS, TimeUnit.SECONDS);
    }

    // ---- part "latency" ----------------------------------------------------------------------------------------

    private static void runLatency(Args a, Result r, PrintStream progress) throws Exception {
        Path dir = Path.of(a.string("output")).toAbsolutePath().getParent();
        byte[][] tone440 = MediaBenchmarkEars.toneSecond(440, TONE_LEVEL);
        byte[][] tone660 = MediaBenchmarkEars.toneSecond(660, TONE_LEVEL);
        byte[] silence = new byte[960];
        LongFunction<byte[]> speaks = k -> tone440[(int) (k % 100)];
        LongFunction<byte[]> speaks660 = k -> tone660[(int) (k % 100)];
        LongFunction<byte[]> quiet = k -> silence;
        byte[][][] gateTones = gateTones();
        LongFunction<byte[]> gated = k -> gatedFrame(gateTones, silence, k);
        double level = r.audibleLevel;

        try (ClientSide side = new ClientSide(a, r, dir); BareSide bare = new BareSide()) {
            progress.printf("media latency: %d processors; server process at %s%n", r.processors, side.server.uri());
            side.devices.addToneInput("tone-440", "Tone 440 Hz", 440, TONE_LEVEL);
            side.devices.addToneInput("tone-660", "Tone 660 Hz", 660, TONE_LEVEL);
            MediaBenchmarkEars earsJoinA = new MediaBenchmarkEars(level);
            MediaBenchmarkEars earsJoinB = new MediaBenchmarkEars(level);
            MediaBenchmarkEars earsDisconnect = new MediaBenchmarkEars(level);
            MediaBenchmarkEars earsMouth = new MediaBenchmarkEars(level, GATE_TONES);
            side.devices.addPcmOutput("ears-join-a", "listener that joins", earsJoinA);
            side.devices.addPcmOutput("ears-join-b", "listener that waits", earsJoinB);
            side.devices.addPcmOutput("ears-disconnect", "client that disconnects", earsDisconnect);
            side.devices.addPcmOutput("ears-mouth", "mouth-to-ear listener", earsMouth);

            // 1. join to the first audible frame
            AudioChannel chA = AudioChannel.fullDuplex("bench-join-a", "listener joins");
            AudioChannel chB = AudioChannel.fullDuplex("bench-join-b", "speaker joins");
            AloAudio speakerA = side.client("speaker-a", "tone-440", "discard");
            AloAudio listenerA = side.client("listener-a", "silence", "ears-join-a");
            AloAudio listenerB = side.client("listener-b", "silence", "ears-join-b");
            AloAudio speakerB = side.client("speaker-b", "tone-440", "discard");
            connect(speakerA, chA);
            connect(listenerB, chB);
            int joins = a.integer("joins", 1);
            int joinWarmup = a.integer("join-warmup", 0);
            progress.printf("join: %d + %d warm-up per direction, beside bare pairs...%n", joins, joinWarmup);
            for (int i = 0; i < joins + joinWarmup; i++) {
                boolean measured = i >= joinWarmup;
                // a: the speaker is in and speaks, the listener joins
                earsJoinA.awaitIdle(TimeUnit.MILLISECONDS.toNanos(50), TimeUnit.SECONDS.toNanos(5));
                earsJoinA.arm();
                long t0 = System.nanoTime();
                connect(listenerA, chA);
                long connected = System.nanoTime();
                long audible = earsJoinA.awaitAudible(AUDIBLE_TIMEOUT);
                if (measured) {
                    r.joinListenerConnect.add(connected - t0);
                    if (audible < 0) {
                        r.joinMissed++;
                    } else {
                        r.joinListenerAudible.add(audible - t0);
                        r.joinListenerSilentFrames.add(earsJoinA.firstAudibleIndex());
                    }
                }
                listenerA.disconnect();

                // bare a: the offerer listens, the answerer speaks
                bareJoin(bare, quiet, speaks, level, true, measured, r);

                // b: the listener is in, the speaker joins
                earsJoinB.awaitQuiet(20, TimeUnit.SECONDS.toNanos(5));
                earsJoinB.arm();
                t0 = System.nanoTime();
                connect(speakerB, chB);
                connected = System.nanoTime();
                audible = earsJoinB.awaitAudible(AUDIBLE_TIMEOUT);
                if (measured) {
                    r.joinSpeakerConnect.add(connected - t0);
                    if (audible < 0) {
                        r.joinMissed++;
                    } else {
                        r.joinSpeakerAudible.add(audible - t0);
                    }
                }
                speakerB.disconnect();

                // bare b: the offerer speaks, the answerer listens
                bareJoin(bare, speaks, quiet, level, false, measured, r);
            }
            speakerA.disconnect();
            listenerB.disconnect();

            // 2. disconnect() with media running both ways
            AudioChannel chD = AudioChannel.fullDuplex("bench-disconnect", "disconnect");
            AloAudio anchor = side.client("anchor", "tone-440", "discard");
            AloAudio measuredClient = side.client("disconnects", "tone-660", "ears-disconnect");
            connect(anchor, chD);
            int disconnects = a.integer("disconnects", 1);
            int disconnectWarmup = a.integer("disconnect-warmup", 0);
            progress.printf("disconnect: %d + %d warm-up per side...%n", disconnects, disconnectWarmup);
            for (int i = 0; i < disconnects + disconnectWarmup; i++) {
                boolean measured = i >= disconnectWarmup;
                if (i == disconnectWarmup) {
                    r.tasksAfterWarmup = count(Path.of("/proc/self/task"));
                    r.fdsAfterWarmup = count(Path.of("/proc/self/fd"));
                }
                if (i % 2 == 0) {
                    oursDisconnect(side, measuredClient, chD, earsDisconnect, measured, r);
                    bareDisconnect(bare, speaks, speaks660, level, measured, r);
                } else {
                    bareDisconnect(bare, speaks, speaks660, level, measured, r);
                    oursDisconnect(side, measuredClient, chD, earsDisconnect, measured, r);
                }
                if ((i + 1) % 50 == 0) {
                    progress.printf("  %d/%d%n", i + 1, disconnects + disconnectWarmup);
                }
            }
            anchor.disconnect();

            // 4. mouth-to-ear through the relay
            int onsets = a.integer("onsets", 0);
            if (onsets > 0) {
                int warm = a.integer("onset-warmup", 0);
                progress.printf("mouth-to-ear: %d + %d warm-up onsets per side...%n", onsets, warm);
                mouthToEarClient(side, earsMouth, gateTones, onsets, warm, r);
                mouthToEarBare(bare, gated, quiet, level, onsets, warm, r);
            }
            r.sessionsLeft = side.openSessions();
            r.clientWarnings.putAll(side.warnings());
        }
        // every client, the runtime, both engines and the server process are closed here
        r.tasksAtEnd = count(Path.of("/proc/self/task"));
        r.fdsAtEnd = count(Path.of("/proc/self/fd"));
    }

    private static void bareJoin(BareSide bare, LongFunction<byte[]> offererSends, LongFunction<byte[]> answererSends,
                                 double level, boolean offererListens, boolean measured, Result r) throws Exception {
        MediaBenchmarkEars offererEars = new MediaBenchmarkEars(level);
        MediaBenchmarkEars answererEars = new MediaBenchmarkEars(level);
        MediaBenchmarkEars listening = offererListens ? offererEars : answererEars;
        try (MediaBenchmarkBarePair pair = MediaBenchmarkBarePair.open(bare.engine, bare.pacer, offererSends,
                offererEars, answererSends, answererEars, 0)) {
            long t0 = System.nanoTime();
            pair.negotiate();
            long connected = (offererListens ? pair.offerer : pair.answerer).connectedAt.get();
            long audible = listening.awaitAudible(AUDIBLE_TIMEOUT);
            if (measured) {
                (offererListens ? r.bareListenerConnected : r.bareSpeakerConnected).add(connected - t0);
                if (audible < 0) {
                    r.bareJoinMissed++;
                } else {
                    (offererListens ? r.bareListenerAudible : r.bareSpeakerAudible).add(audible - t0);
                }
            }
        }
    }

    private static void oursDisconnect(ClientSide side, AloAudio client, AudioChannel channel, MediaBenchmarkEars ears,
                                       boolean measured, Result r) throws Exception {
        ears.awaitIdle(TimeUnit.MILLISECONDS.toNanos(50), TimeUnit.SECONDS.toNanos(5));
        ears.arm();
        connect(client, channel);
        // media running: the client hears the anchor (and the anchor hears it)
        boolean audio = ears.awaitAudible(AUDIBLE_TIMEOUT) >= 0;
        long t0 = System.nanoTime();
        client.disconnect();
        long took = System.nanoTime() - t0;
        if (measured) {
            r.oursDisconnect.add(took);
            if (!audio) {
                r.disconnectNoAudio++;
            }
            if (client.state() != ConnectionState.DISCONNECTED) {
                r.disconnectWrongState++;
            }
        }
    }

    private static void bareDisconnect(BareSide bare, LongFunction<byte[]> offererSends,
                                       LongFunction<byte[]> answererSends, double level, boolean measured, Result r)
            throws Exception {
        MediaBenchmarkEars offererEars = new MediaBenchmarkEars(level);
        MediaBenchmarkEars answererEars = new MediaBenchmarkEars(level);
        try (MediaBenchmarkBarePair pair = MediaBenchmarkBarePair.open(bare.engine, bare.pacer, offererSends,
                offererEars, answererSends, answererEars, 0)) {
            pair.negotiate();
            boolean audio = offererEars.awaitAudible(AUDIBLE_TIMEOUT) >= 0
                    & answererEars.awaitAudible(AUDIBLE_TIMEOUT) >= 0;
            long took = pair.closeOffererTimed();
            if (measured) {
                r.bareClose.add(took);
                long pc = pair.offerer.peer.peerConnectionCloseNanos();
                if (pc >= 0) {
                    r.barePeerConnectionClose.add(pc);
                }
                if (!audio) {
                    r.bareNoAudio++;
                }
            }
        }
    }

    private static byte[][][] gateTones() {
        byte[][][] tones = new byte[GATE_TONES.length][][];
        for (int i = 0; i < tones.length; i++) {
            tones[i] = MediaBenchmarkEars.toneSecond(GATE_TONES[i], TONE_LEVEL);
        }
        return tones;
    }

    /** Frame {@code k} of the gated source: burst {@code k / 50} is tone {@code (k / 50) % 3}, 200 ms of each 500. */
    static byte[] gatedFrame(byte[][][] tones, byte[] silence, long k) {
        if (k % GATE_PERIOD_FRAMES >= GATE_ON_FRAMES) {
            return silence;
        }
        return tones[(int) ((k / GATE_PERIOD_FRAMES) % tones.length)][(int) (k % 100)];
    }

    private static void mouthToEarClient(ClientSide side, MediaBenchmarkEars ears, byte[][][] tones, int onsets,
                                         int warmup, Result r) throws Exception {
        PcmInput input = side.devices.addPcmInput("gated", "gated tone (200 ms on, 300 ms off)",
                Duration.ofMillis(40));
        AudioChannel chM = AudioChannel.fullDuplex("bench-mouth", "mouth to ear");
        AloAudio listener = side.client("ear", "silence", "ears-mouth");
        AloAudio speaker = side.client("mouth", "gated", "discard");
        connect(listener, chM);
        connect(speaker, chM);
        ears.recordOnsets(true);
        long lostBefore = ears.lost();
        long framesBefore = ears.frames();
        long windowStart = System.nanoTime();
        int periods = onsets + warmup;
        List<long[]> written = new ArrayList<>(); // {write() called, burst, buffered nanos}
        AtomicBoolean failed = new AtomicBoolean();
        Thread writer = new Thread(() -> {
            byte[] silence = new byte[960];
            long next = System.nanoTime();
            try {
                for (long k = 0; k < (long) periods * GATE_PERIOD_FRAMES + 50; k++) {
                    boolean last = k >= (long) periods * GATE_PERIOD_FRAMES;
                    byte[] frame = last ? silence : gatedFrame(tones, silence, k);
                    if (!last && k % GATE_PERIOD_FRAMES == 0) {
                        long buffered = input.buffered().toNanos();
                        written.add(new long[] {System.nanoTime(), k / GATE_PERIOD_FRAMES, buffered});
                    }
                    input.write(frame);
                    next += RtcPacer.PERIOD_NANOS;
                    long wait = next - System.nanoTime();
                    if (wait > 0) {
                        LockSupport.parkNanos(wait);
                    } else if (wait < -TimeUnit.MILLISECONDS.toNanos(30)) {
                        next = System.nanoTime(); // far behind (the machine stalled): do not burst
                    }
                }
            } catch (InterruptedException | RuntimeException e) {
                failed.set(true);
            }
        }, "bench-media-gated-writer");
        writer.setDaemon(true);
        writer.start();
        writer.join(TimeUnit.SECONDS.toMillis(periods + 30L));
        if (writer.isAlive()) {
            writer.interrupt();
            throw new IllegalStateException("the gated-tone writer did not finish");
        }
        if (failed.get()) {
            throw new IllegalStateException("the gated-tone writer failed");
        }
        Thread.sleep(500);
        List<long[]> heard = ears.onsets();
        r.oursFramesLost = ears.lost() - lostBefore;
        r.oursFrameRate = (ears.frames() - framesBefore) / ((System.nanoTime() - windowStart) / 1e9);
        List<long[]> sentAt = new ArrayList<>();
        for (long[] w : written) {
            sentAt.add(new long[] {w[0], w[1]});
        }
        List<Long> latencies = match(sentAt, heard);
        r.oursInOrder = inOrder(latencies, warmup);
        for (long[] h : heard) {
            if (h[2] >= 0) {
                r.oursOutputDelivery.add(h[2]);
            }
        }
        for (int i = warmup; i < written.size(); i++) {
            r.oursOnsetsSent++;
            long latency = latencies.get(i);
            if (latency < 0) {
                r.oursOnsetsMissed++;
                continue;
            }
            long buffered = written.get(i)[2];
            r.oursMouthToEar.add(latency);
            r.oursInputBuffered.add(buffered);
            r.oursMouthToEarFromPacer.add(Math.max(0, latency - buffered));
        }
        speaker.disconnect();
        listener.disconnect();
        side.devices.remove("gated");
    }

    private static void mouthToEarBare(BareSide bare, LongFunction<byte[]> gated, LongFunction<byte[]> quiet,
                                       double level, int onsets, int warmup, Result r) throws Exception {
        MediaBenchmarkEars offererEars = new MediaBenchmarkEars(level);
        MediaBenchmarkEars answererEars = new MediaBenchmarkEars(level, GATE_TONES);
        try (MediaBenchmarkBarePair pair = MediaBenchmarkBarePair.open(bare.engine, bare.pacer, gated, offererEars,
                quiet, answererEars, GATE_PERIOD_FRAMES)) {
            pair.negotiate();
            answererEars.recordOnsets(true);
            long start = System.nanoTime();
            long framesBefore = answererEars.frames();
            Thread.sleep((onsets + warmup + 1) * 500L + 500);
            r.bareFrameRate = (answererEars.frames() - framesBefore) / ((System.nanoTime() - start) / 1e9);
            List<long[]> sent = new ArrayList<>();
            for (long[] s : pair.offerer.onsetsSent()) {
                if (s[0] >= start) {
                    sent.add(s);
                }
            }
            if (sent.size() > onsets + warmup) {
                sent = sent.subList(0, onsets + warmup);
            }
            List<Long> latencies = match(sent, answererEars.onsets());
            r.bareInOrder = inOrder(latencies, warmup);
            try {
                r.bareStats = pair.answerer.peer.stats().get(WAIT_SECONDS, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                r.bareStats = null;
            }
            for (int i = warmup; i < sent.size(); i++) {
                r.bareOnsetsSent++;
                if (latencies.get(i) < 0) {
                    r.bareOnsetsMissed++;
                } else {
                    r.bareMouthToEar.add(latencies.get(i));
                }
            }
        }
    }

    /**
     * Pairs detected onsets with sent bursts: a detection belongs to the latest burst of the same tone sent before it,
     * if that is less than one cycle of the tones ago; each burst keeps its first detection.
     *
     * @param sent     {nanoTime, burst number} per sent onset, in order
     * @param detected {nanoTime, tone index} per detected onset, in order
     * @return per sent onset, the delay to its detection in nanoseconds, or -1 if none was matched
     */
    static List<Long> match(List<long[]> sent, List<long[]> detected) {
        List<Long> result = new ArrayList<>(Collections.nCopies(sent.size(), -1L));
        for (long[] d : detected) {
            for (int i = sent.size() - 1; i >= 0; i--) {
                long[] s = sent.get(i);
                if (s[0] < d[0] && s[1] % GATE_TONES.length == d[1]) {
                    if (d[0] - s[0] <= ONSET_MATCH_WINDOW && result.get(i) < 0) {
                        result.set(i, d[0] - s[0]);
                    }
                    break;
                }
            }
        }
        return result;
    }

    private static String inOrder(Samples samples) {
        List<Long> values = new ArrayList<>();
        for (int i = 0; i < samples.count(); i++) {
            values.add(samples.get(i));
        }
        return inOrder(values, 0);
    }

    /** The measured latencies in the order sent, whole milliseconds, "-" for a miss. */
    private static String inOrder(List<Long> latencies, int warmup) {
        List<String> parts = new ArrayList<>();
        for (int i = warmup; i < latencies.size(); i++) {
            parts.add(latencies.get(i) < 0 ? "-" : String.valueOf(Math.round(latencies.get(i) / 1e6)));
        }
        return String.join(", ", parts);
    }

    // ---- part "memory" -----------------------------------------------------------------------------------------

    private static void runMemory(Args a, Result r, PrintStream progress) throws Exception {
        Path dir = Path.of(a.string("output")).toAbsolutePath().getParent();
        r.subject = a.string("subject");
        r.sessions = a.integer("sessions", 1);
        r.sampleEvery = a.integer("sample-every", 1);
        int warmup = a.integer("session-warmup", 0);
        Runtime jvm = Runtime.getRuntime();
        r.jvmHeap = (jvm.maxMemory() >> 20) + " MB max, " + (jvm.totalMemory() >> 20) + " MB committed at start";
        double level = r.audibleLevel;
        switch (r.subject) {
            case "client" -> {
                try (ClientSide side = new ClientSide(a, r, dir)) {
                    progress.printf("media memory (client): %d sessions after %d warm-up; server at %s%n",
                            r.sessions, warmup, side.server.uri());
                    side.devices.addToneInput("tone-440", "Tone 440 Hz", 440, TONE_LEVEL);
                    side.devices.addToneInput("tone-660", "Tone 660 Hz", 660, TONE_LEVEL);
                    MediaBenchmarkEars ears = new MediaBenchmarkEars(level);
                    side.devices.addPcmOutput("ears", "client that cycles", ears);
                    AudioChannel channel = AudioChannel.fullDuplex("bench-memory", "memory");
                    AloAudio anchor = side.client("anchor", "tone-440", "discard");
                    AloAudio cycling = side.client("cycles", "tone-660", "ears");
                    connect(anchor, channel);
                    for (int s = -warmup; s < r.sessions; s++) {
                        if (s >= 0 && s % r.sampleEvery == 0) {
                            r.memory.add(readMemory(s));
                        }
                        ears.awaitIdle(TimeUnit.MILLISECONDS.toNanos(50), TimeUnit.SECONDS.toNanos(5));
                        ears.arm();
                        connect(cycling, channel);
                        if (ears.awaitAudible(AUDIBLE_TIMEOUT) < 0 && s >= 0) {
                            r.memoryNoAudio++;
                        }
                        cycling.disconnect();
                        if (s == 0) {
                            r.serverRssBefore = side.server.stats(false).process().rssBytes();
                        }
                        if ((s + 1) % 50 == 0 && s >= 0) {
                            progress.printf("  %d/%d%n", s + 1, r.sessions);
                        }
                    }
                    r.memory.add(readMemory(r.sessions));
                    ServerProcess.Stats stats = side.server.stats(false);
                    r.serverRssAfter = stats.process().rssBytes();
                    r.serverSessions = stats.sessions();
                    anchor.disconnect();
                    r.sessionsLeft = side.openSessions();
                    r.clientWarnings.putAll(side.warnings());
                }
            }
            case "bare" -> {
                byte[][] tone440 = MediaBenchmarkEars.toneSecond(440, TONE_LEVEL);
                byte[][] tone660 = MediaBenchmarkEars.toneSecond(660, TONE_LEVEL);
                LongFunction<byte[]> speaks = k -> tone440[(int) (k % 100)];
                LongFunction<byte[]> speaks660 = k -> tone660[(int) (k % 100)];
                try (ClientLogging logging = new ClientLogging(dir.resolve("benchmark-client.log"), false, null);
                     BareSide bare = new BareSide()) {
                    progress.printf("media memory (bare pairs): %d cycles after %d warm-up%n", r.sessions, warmup);
                    for (int s = -warmup; s < r.sessions; s++) {
                        if (s >= 0 && s % r.sampleEvery == 0) {
                            r.memory.add(readMemory(s));
                        }
                        MediaBenchmarkEars offererEars = new MediaBenchmarkEars(level);
                        MediaBenchmarkEars answererEars = new MediaBenchmarkEars(level);
                        try (MediaBenchmarkBarePair pair = MediaBenchmarkBarePair.open(bare.engine, bare.pacer,
                                speaks, offererEars, speaks660, answererEars, 0)) {
                            pair.negotiate();
                            if (offererEars.awaitAudible(AUDIBLE_TIMEOUT) < 0 && s >= 0) {
                                r.memoryNoAudio++;
                            }
                        }
                        if ((s + 1) % 50 == 0 && s >= 0) {
                            progress.printf("  %d/%d%n", s + 1, r.sessions);
                        }
                    }
                    r.memory.add(readMemory(r.sessions));
                    r.sessionsLeft = bare.engine.openPeers();
                    r.clientWarnings.putAll(logging.counts());
                }
            }
            default -> throw new IllegalArgumentException("--subject must be client or bare, was " + r.subject);
        }
    }

    static MemoryPoint readMemory(int session) throws IOException {
        long rss = -1;
        long anon = -1;
        long file = -1;
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                rss = kib(line);
            } else if (line.startsWith("RssAnon:")) {
                anon = kib(line);
            } else if (line.startsWith("RssFile:")) {
                file = kib(line);
            }
        }
        return new MemoryPoint(session, rss, anon, file, count(Path.of("/proc/self/task")),
                count(Path.of("/proc/self/fd")));
    }

    private static long kib(String line) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
    }

    /** Least-squares slope of y over x, in y per x; NaN with fewer than two points. */
    static double slope(List<MemoryPoint> points, java.util.function.ToLongFunction<MemoryPoint> y) {
        int n = points.size();
        if (n < 2) {
            return Double.NaN;
        }
        double mx = 0;
        double my = 0;
        for (MemoryPoint p : points) {
            mx += p.session();
            my += y.applyAsLong(p);
        }
        mx /= n;
        my /= n;
        double num = 0;
        double den = 0;
        for (MemoryPoint p : points) {
            num += (p.session() - mx) * (y.applyAsLong(p) - my);
            den += (p.session() - mx) * (p.session() - mx);
        }
        return den == 0 ? Double.NaN : num / den;
    }

    static int count(Path dir) {
        int n = 0;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path ignored : entries) {
                n++;
            }
        } catch (IOException e) {
            return -1;
        }
        return n;
    }

    /**
     * Fails unless this JVM runs inside a namespace of {@code bin/netns-exec}: {@code ALO_NETNS} is set and an interface
     * has an address in 10.77.0.0/24.
     *
     * @throws IllegalStateException with what to do instead
     */
    static void requireNamespace() {
        String ns = System.getenv("ALO_NETNS");
        boolean media = false;
        try {
            for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                for (InetAddress address : Collections.list(nic.getInetAddresses())) {
                    if (nic.isUp() && address instanceof Inet4Address
                            && address.getHostAddress().startsWith("10.77.0.")) {
                        media = true;
                    }
                }
            }
        } catch (SocketException e) {
            media = false;
        }
        if (ns == null || ns.isBlank() || !media) {
            throw new IllegalStateException("the media benchmark runs only inside a network namespace made by "
                    + "bin/netns-exec (WebRTC ignores loopback, and benchmark traffic may not leave the machine): run "
                    + "'bin/benchmark media', or 'bin/netns-exec java ... ai.alo.audio.benchmarks.MediaBenchmark'");
        }
    }

    // ---- report ------------------------------------------------------------------------------------------------

    static String markdown(Result r, RunInfo info) {
        StringBuilder md = new StringBuilder();
        if (r.part.equals("memory")) {
            md.append("### Media: resident memory per session (").append(r.subject.equals("client")
                    ? "client media sessions" : "bare peer-connection pairs").append(")\n\n");
        } else {
            md.append("### Media: join, disconnect() and mouth-to-ear beside bare webrtc-java\n\n");
        }
        md.append(info.header(r.serverFlags));
        md.append("- Network: inside `bin/netns-exec` (signalling on 127.0.0.1, media on the veth pair 10.77.0.1/2); "
                + "a frame is audible from RMS ").append(fmt(r.audibleLevel)).append(" of full scale; tones are sent "
                + "at amplitude ").append(fmt(TONE_LEVEL)).append(" (RMS 0.354)\n\n");
        if (r.part.equals("memory")) {
            memoryMarkdown(r, md);
        } else {
            latencyMarkdown(r, md);
        }
        if (!r.clientWarnings.isEmpty()) {
            md.append("\nClient WARNING lines by id: ").append(r.clientWarnings).append('\n');
        }
        return md.toString();
    }

    private static void latencyMarkdown(Result r, StringBuilder md) {
        md.append("#### Join to the first audible frame (ms)\n\n");
        md.append("| | n | p50 | p90 | p99 | max |\n|---|---:|---:|---:|---:|---:|\n");
        for (Samples s : List.of(r.joinListenerAudible, r.joinListenerConnect, r.bareListenerAudible,
                r.bareListenerConnected, r.joinSpeakerAudible, r.joinSpeakerConnect, r.bareSpeakerAudible,
                r.bareSpeakerConnected)) {
            row(md, s);
        }
        md.append('\n');
        md.append("- Ours from `connect()`, bare from `createOffer()`, to the first frame whose level is audible at "
                + "the listener (ours: the PCM output's callback; bare: `onFrame`). Missed (no audible frame within "
                + "5 s): ours ").append(r.joinMissed).append(", bare ").append(r.bareJoinMissed).append(".\n");
        if (!r.joinListenerSilentFrames.isEmpty()) {
            md.append("- Listener joins: the output got ").append(r.joinListenerSilentFrames.p50())
                    .append(" frames (p50; max ").append(r.joinListenerSilentFrames.max())
                    .append(") before the first audible one.\n");
        }
        md.append("- Speaker joins, in the order measured (ms; the listener stays connected throughout): ")
                .append(inOrder(r.joinSpeakerAudible)).append(".\n");
        md.append("- Target p50 < 150 ms: listener joins ").append(verdict(r.joinListenerAudible.p50(),
                JOIN_P50_TARGET)).append(", speaker joins ").append(verdict(r.joinSpeakerAudible.p50(),
                JOIN_P50_TARGET)).append(".\n\n");

        md.append("#### `disconnect()` with media running (ms)\n\n");
        md.append("| | n | p50 | p90 | p99 | max |\n|---|---:|---:|---:|---:|---:|\n");
        row(md, r.oursDisconnect);
        row(md, r.bareClose);
        row(md, r.barePeerConnectionClose);
        md.append('\n');
        md.append("- Ours: the client spoke a tone and heard the anchor's before each call; checks: not DISCONNECTED "
                + "after the call ").append(r.disconnectWrongState).append(", no audio before the call ")
                .append(r.disconnectNoAudio).append(", media sessions left open at the end ").append(r.sessionsLeft)
                .append(". Bare: a connected pair with a tone each way (no audio: ").append(r.bareNoAudio)
                .append("); the offerer's pacer registration removed, then `RtcPeer.close()`.\n");
        md.append("- Target p99 < 50 ms: ").append(verdict(r.oursDisconnect.p99(), DISCONNECT_P99_TARGET))
                .append("; ours / bare at p50 ").append(Samples.ratio(r.oursDisconnect.p50(), r.bareClose.p50()))
                .append(", at p99 ").append(Samples.ratio(r.oursDisconnect.p99(), r.bareClose.p99())).append(".\n");
        md.append("- Process threads (`/proc/self/task`) / descriptors after the warm-up: ").append(r.tasksAfterWarmup)
                .append(" / ").append(r.fdsAfterWarmup).append("; after every client, the runtime, both engines "
                + "and the server process were closed: ").append(r.tasksAtEnd).append(" / ").append(r.fdsAtEnd)
                .append(".\n\n");

        if (r.oursOnsetsSent + r.bareOnsetsSent > 0) {
            md.append("#### Mouth-to-ear: gated tone (200 ms on, 300 ms off), onset to onset (ms)\n\n");
            md.append("| | n | p50 | p90 | p99 | max |\n|---|---:|---:|---:|---:|---:|\n");
            row(md, r.oursMouthToEar);
            row(md, r.oursMouthToEarFromPacer);
            row(md, r.oursInputBuffered);
            row(md, r.oursOutputDelivery);
            row(md, r.bareMouthToEar);
            md.append('\n');
            md.append("- Ours: client → reference service relay → client, both clients in this JVM; onsets sent ")
                    .append(r.oursOnsetsSent).append(", missed ").append(r.oursOnsetsMissed)
                    .append("; frames the output lost ").append(r.oursFramesLost).append(". Bare: one direct pair "
                    + "(no relay, no client); onsets sent ").append(r.bareOnsetsSent).append(", missed ")
                    .append(r.bareOnsetsMissed).append(". Frames received per second meanwhile: ours ")
                    .append(fmt1(r.oursFrameRate)).append(", bare ").append(fmt1(r.bareFrameRate)).append(".\n");
            md.append("- In the order sent (ms), ours: ").append(r.oursInOrder).append("; bare: ").append(r.bareInOrder)
                    .append(".\n");
            if (r.bareStats != null) {
                ai.alo.audio.impl.rtc.RtcStats st = r.bareStats;
                md.append("- Bare listener's receive statistics at the end: packets ").append(st.packetsReceived())
                        .append(", lost ").append(st.packetsLost()).append(", mean jitter-buffer delay ")
                        .append(fmt1(st.jitterBufferMillis())).append(" ms, concealed samples ")
                        .append(st.concealedSamples()).append(" of ").append(st.totalSamplesReceived()).append(".\n");
            }
            md.append("- Through the relay minus direct, p50: ").append(diff(r.oursMouthToEarFromPacer.p50(),
                    r.bareMouthToEar.p50())).append(" ms (from the pacer's pickup), ")
                    .append(diff(r.oursMouthToEar.p50(), r.bareMouthToEar.p50())).append(" ms (from `write()`).\n");
        }
    }

    private static void memoryMarkdown(Result r, StringBuilder md) {
        boolean client = r.subject.equals("client");
        md.append("- JVM heap: ").append(r.jvmHeap).append("\n\n");
        md.append("| ").append(client ? "sessions" : "pairs").append(" | RSS (KiB) | RssAnon | RssFile | threads | "
                + "fds |\n|---:|---:|---:|---:|---:|---:|\n");
        for (MemoryPoint p : r.memory) {
            md.append("| ").append(p.session()).append(" | ").append(p.rssKib()).append(" | ").append(p.anonKib())
                    .append(" | ").append(p.fileKib()).append(" | ").append(p.tasks()).append(" | ").append(p.fds())
                    .append(" |\n");
        }
        md.append('\n');
        double all = slope(r.memory, MemoryPoint::rssKib);
        double anon = slope(r.memory, MemoryPoint::anonKib);
        List<MemoryPoint> half = r.memory.subList(r.memory.size() / 2, r.memory.size());
        double second = slope(half, MemoryPoint::rssKib);
        String unit = client ? "KiB per session" : "KiB per pair (two peers)";
        md.append("- Slope (least squares): RSS ").append(fmt1(all)).append(' ').append(unit).append(", RssAnon ")
                .append(fmt1(anon)).append("; second half only: RSS ").append(fmt1(second)).append(".\n");
        if (!client) {
            md.append("- Per closed peer connection: ").append(fmt1(all / 2)).append(" KiB.\n");
        }
        if (!r.memory.isEmpty()) {
            MemoryPoint first = r.memory.get(0);
            MemoryPoint last = r.memory.get(r.memory.size() - 1);
            md.append("- In all: RSS ").append(first.rssKib()).append(" → ").append(last.rssKib()).append(" KiB (")
                    .append(last.rssKib() - first.rssKib()).append(" KiB over ").append(last.session() - first.session())
                    .append("); threads ").append(first.tasks()).append(" → ").append(last.tasks()).append(", fds ")
                    .append(first.fds()).append(" → ").append(last.fds()).append(".\n");
        }
        md.append("- ").append(client ? "Sessions" : "Pairs").append(" without audio: ").append(r.memoryNoAudio)
                .append("; left open at the end: ").append(r.sessionsLeft).append(".\n");
        if (client && r.serverRssBefore > 0) {
            md.append("- The reference service process (it holds one peer per session too): RSS ")
                    .append(r.serverRssBefore >> 10).append(" → ").append(r.serverRssAfter >> 10).append(" KiB (")
                    .append(fmt1((double) ((r.serverRssAfter - r.serverRssBefore) >> 10) / Math.max(1,
                            r.sessions - 1))).append(" KiB per session); sessions open there at the end ")
                    .append(r.serverSessions).append(".\n");
        }
    }

    private static void row(StringBuilder md, Samples s) {
        md.append("| ").append(s.label()).append(" | ").append(s.count()).append(" | ").append(Samples.ms(s.p50()))
                .append(" | ").append(Samples.ms(s.p90())).append(" | ").append(Samples.ms(s.p99())).append(" | ")
                .append(Samples.ms(s.max())).append(" |\n");
    }

    private static String verdict(long value, long target) {
        if (value < 0) {
            return "no data";
        }
        return (value < target ? "**PASS**" : "**MISS**") + " (" + Samples.ms(value) + " ms)";
    }

    private static String diff(long ours, long bare) {
        return ours < 0 || bare < 0 ? "-" : String.format(Locale.ROOT, "%+.1f", (ours - bare) / 1e6);
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }

    private static String fmt1(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.1f", v);
    }
}
