package ai.alo.audio.benchmarks;

import ai.alo.audio.impl.rtc.RtcEngine;
import ai.alo.audio.impl.rtc.RtcPacer;
import ai.alo.audio.impl.rtc.RtcPeer;
import ai.alo.audio.impl.rtc.RtcPeerState;
import ai.alo.audio.impl.rtc.RtcStats;
import ai.alo.audio.protocol.Capability;
import ai.alo.audio.protocol.ChannelInfo;
import ai.alo.audio.protocol.End;
import ai.alo.audio.protocol.ErrorMessage;
import ai.alo.audio.protocol.HeartbeatInfo;
import ai.alo.audio.protocol.Hello;
import ai.alo.audio.protocol.Join;
import ai.alo.audio.protocol.Joined;
import ai.alo.audio.protocol.MediaAnswer;
import ai.alo.audio.protocol.MediaOffer;
import ai.alo.audio.protocol.MediaState;
import ai.alo.audio.protocol.Message;
import ai.alo.audio.protocol.MessageCodec;
import ai.alo.audio.protocol.MessageTypes;
import ai.alo.audio.protocol.ParticipantJoined;
import ai.alo.audio.protocol.ParticipantLeft;
import ai.alo.audio.protocol.Ping;
import ai.alo.audio.protocol.Pong;
import ai.alo.audio.protocol.ProtocolException;
import ai.alo.audio.protocol.ProtocolVersion;
import ai.alo.audio.protocol.Roster;
import ai.alo.audio.protocol.UserInfo;
import ai.alo.audio.protocol.Welcome;
import ai.alo.audio.server.AloAudioServer;
import ai.alo.audio.server.TokenIssuer;
import jakarta.websocket.ClientEndpointConfig;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.Session;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.Writer;
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
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.glassfish.tyrus.client.ClientManager;

/**
 * The reference service's media relay under load ({@code bin/benchmark relay}): server CPU per relayed two-way
 * participant, and how many two-way participants one server carries on this machine without audible gaps.
 *
 * <p>This JVM runs the reference server (embedded, media on) and nothing else that is busy, so its CPU time
 * ({@code /proc/self/stat}, via the JVM) is the server's. The participants run in a separate JVM ({@code participants}
 * part, started here): each is a raw WebSocket session plus a raw {@link RtcPeer} that offers to the server, in
 * channels of two (each participant speaks a steady tone of its own frequency and hears its partner's). For each step
 * (a number of participants), after every participant is connected and a warm-up, both JVMs measure the same window:
 * the server's CPU, the participants' JVM CPU, and at every receiver the frames received (100 a second expected),
 * the samples libwebrtc concealed (lost or late packets) and the frames in which the partner's tone was missing
 * (level below 0.01 of full scale: a gap the relay sent, such as a mixer underrun).
 *
 * <p>Must run inside the network namespace of {@code bin/netns-exec} (WebRTC ignores loopback; signalling stays on
 * 127.0.0.1, media on the namespace's veth pair); {@code bin/benchmark relay} starts it there. Every process it
 * starts is destroyed on every path.
 */
public final class RelayBenchmark {

    private static final MessageCodec CODEC = new MessageCodec();
    private static final MessageTypes SERVER_TYPES = MessageTypes.of(Welcome.class, Joined.class, Roster.class,
            ParticipantJoined.class, ParticipantLeft.class, Ping.class, Pong.class, End.class, ErrorMessage.class,
            MediaAnswer.class, MediaState.class);
    private static final String SECRET_ENV = "ALO_RELAY_BENCHMARK_SECRET";

    private RelayBenchmark() {
    }

    /**
     * Runs the benchmark ({@code --steps 10,20,30,40,50 --warmup 3 --window 10 --output FILE}) or, with
     * {@code participants} as the first argument, the participants' part (started by the benchmark itself).
     *
     * @param argv the options
     */
    public static void main(String[] argv) throws Exception {
        if (argv.length > 0 && argv[0].equals("participants")) {
            participants(argv);
            return;
        }
        Args args = new Args("RelayBenchmark [options]")
                .option("steps", "10,20,30,40,50", "numbers of two-way participants, comma-separated (even)")
                .option("warmup", 3, "seconds between the last connect and the measured window")
                .option("window", 10, "seconds measured per step")
                .option("packet-time", 10, "the Opus packet time the participants ask the relay to send (10 or 20 ms)")
                .option("output", "alo-audio-benchmarks/target/benchmark-relay.md", "where the Markdown goes");
        try {
            args.parse(argv);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(e.getMessage().isEmpty() ? 0 : 2);
            return;
        }
        PrintStream progress = System.err;
        if (System.getenv("ALO_NETNS") == null) {
            progress.println("RelayBenchmark runs inside bin/netns-exec (WebRTC ignores loopback); use "
                    + "'bin/benchmark relay'");
            System.exit(2);
            return;
        }
        RunInfo info = new RunInfo();
        List<Step> steps = new ArrayList<>();
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        String secretHex = java.util.HexFormat.of().formatHex(secret);
        int warmup = args.integer("warmup", 0);
        int window = args.integer("window", 1);
        int packetTime = args.integer("packet-time", 10);
        String failure = null;
        AloAudioServer server = AloAudioServer.builder().tokenSecret(secret).faultInjection(false)
                .maxConnectionsPerAddress(10_000).build().start();
        try {
            if (!server.mediaStatus().available()) {
                throw new IllegalStateException("the server has no media relay: " + server.mediaStatus().problem());
            }
            for (String s : args.string("steps").split(",")) {
                int n = Integer.parseInt(s.trim());
                if (n < 2 || n % 2 != 0) {
                    throw new IllegalArgumentException("steps are even numbers of participants, got " + n);
                }
                progress.println("relay: " + n + " two-way participants ...");
                try {
                    Step step = step(server, secretHex, n, warmup, window, "s" + steps.size(), packetTime);
                    steps.add(step);
                    progress.println("relay: " + step.summary());
                } catch (IOException | RuntimeException e) {
                    failure = n + " participants: " + e.getMessage();
                    progress.println("relay: step failed, no larger step is tried: " + failure);
                    break;
                }
            }
        } finally {
            server.stop();
        }
        info.finish();
        String markdown = markdown(steps, info, warmup, window, packetTime, failure);
        System.out.println(markdown);
        Path output = Path.of(args.string("output")).toAbsolutePath();
        Files.createDirectories(output.getParent());
        Files.writeString(output, markdown, StandardCharsets.UTF_8);
        progress.println("Report written to " + output);
        System.exit(0);
    }

    /** One step's result. */
    record Step(int participants, double serverCpuPercent, double participantsCpuPercent, double windowSeconds,
                double minFramesPerSecond, double meanFramesPerSecond, double maxConcealedPercent,
                double meanConcealedPercent, long gapFrames, long framesReceived, int deaf, long connectMillis,
                String serverThreads) {

        double serverCpuPerParticipant() {
            return serverCpuPercent / participants;
        }

        boolean clean() {
            return deaf == 0 && minFramesPerSecond >= 97 && maxConcealedPercent < 1.0
                    && gapFrames <= framesReceived / 1000;
        }

        String summary() {
            return String.format(Locale.ROOT, "%d participants: server CPU %.1f%% of one core (%.2f%% each), "
                            + "participants' JVM %.0f%%; frames/s min %.1f mean %.1f; concealed max %.2f%% mean %.2f%%;"
                            + " gap frames %d of %d; deaf %d; connect %d ms; %s; server threads: %s", participants,
                    serverCpuPercent, serverCpuPerParticipant(), participantsCpuPercent, minFramesPerSecond,
                    meanFramesPerSecond, maxConcealedPercent, meanConcealedPercent, gapFrames, framesReceived, deaf,
                    connectMillis, clean() ? "clean" : "NOT clean", serverThreads);
        }
    }

    private static Step step(AloAudioServer server, String secretHex, int n, int warmup, int window, String prefix,
                             int packetTime) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of("-Xmx512m", "-cp", System.getProperty("java.class.path"),
                RelayBenchmark.class.getName(), "participants", server.uri().toString(), String.valueOf(n), prefix,
                String.valueOf(packetTime)));
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT);
        builder.environment().put(SECRET_ENV, secretHex);
        Process process = builder.start();
        Thread reaper = new Thread(process::destroyForcibly, "relay-benchmark-reaper");
        Runtime.getRuntime().addShutdownHook(reaper);
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8));
             Writer in = new java.io.OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8)) {
            String ready = expect(out, "ready ");
            long connectMillis = Long.parseLong(ready.split(" ")[1]);
            Thread.sleep(warmup * 1000L);
            Map<String, Long> threads0 = threadTicks();
            long cpu0 = ProcStats.cpuNanos();
            long t0 = System.nanoTime();
            in.write("measure " + window + "\n");
            in.flush();
            String result = expect(out, "result ");
            long elapsed = System.nanoTime() - t0;
            long cpu1 = ProcStats.cpuNanos();
            Map<String, Long> threads1 = threadTicks();
            String byThread = topThreads(threads0, threads1, elapsed);
            in.write("quit\n");
            in.flush();
            Map<String, String> r = parse(result);
            double windowSeconds = Double.parseDouble(r.get("seconds"));
            return new Step(n, 100.0 * (cpu1 - cpu0) / elapsed, Double.parseDouble(r.get("cpu")), windowSeconds,
                    Double.parseDouble(r.get("minfps")), Double.parseDouble(r.get("meanfps")),
                    Double.parseDouble(r.get("maxconcealed")), Double.parseDouble(r.get("meanconcealed")),
                    Long.parseLong(r.get("gaps")), Long.parseLong(r.get("frames")), Integer.parseInt(r.get("deaf")),
                    connectMillis, byThread);
        } finally {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
            try {
                Runtime.getRuntime().removeShutdownHook(reaper);
            } catch (IllegalStateException e) {
                // shutting down
            }
            // the server must be empty again before the next step
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!server.sessions().isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
        }
    }

    /**
     * CPU nanoseconds of this process's Java threads (attached native threads included, as {@code Thread-N}), summed
     * by name with numbers and the server's hex id collapsed; {@code "(native, not attached)"} is the rest of the
     * process's CPU time.
     */
    private static Map<String, Long> threadTicks() {
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        Map<String, Long> cpu = new java.util.TreeMap<>();
        long sum = 0;
        for (long id : mx.getAllThreadIds()) {
            java.lang.management.ThreadInfo info = mx.getThreadInfo(id);
            long nanos = mx.getThreadCpuTime(id);
            if (info == null || nanos < 0) {
                continue;
            }
            String name = info.getThreadName().replaceAll("-[0-9a-f]{8}-", "-<id>-").replaceAll("[0-9]+", "#");
            cpu.merge(name, nanos, Long::sum);
            sum += nanos;
        }
        cpu.put("(native, not attached)", Math.max(0, ProcStats.cpuNanos() - sum));
        return cpu;
    }

    private static String topThreads(Map<String, Long> before, Map<String, Long> after, long elapsedNanos) {
        List<Map.Entry<String, Long>> used = new ArrayList<>();
        for (Map.Entry<String, Long> e : after.entrySet()) {
            long delta = e.getValue() - before.getOrDefault(e.getKey(), 0L);
            if (delta > 0) {
                used.add(Map.entry(e.getKey(), delta));
            }
        }
        used.sort((a, b) -> Long.compare(b.getValue(), a.getValue()));
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < Math.min(6, used.size()); i++) {
            double percent = 100.0 * used.get(i).getValue() / elapsedNanos;
            out.append(i == 0 ? "" : ", ").append('`').append(used.get(i).getKey()).append("` ")
                    .append(String.format(Locale.ROOT, "%.1f %%", percent));
        }
        return out.toString();
    }

    private static String expect(BufferedReader out, String prefix) throws IOException {
        String line;
        while ((line = out.readLine()) != null) {
            if (line.startsWith(prefix)) {
                return line;
            }
            if (line.startsWith("failed ")) {
                throw new IOException("the participants' JVM failed: " + line);
            }
        }
        throw new IOException("the participants' JVM ended before '" + prefix.trim() + "'");
    }

    private static Map<String, String> parse(String line) {
        Map<String, String> values = new java.util.HashMap<>();
        for (String part : line.split(" ")) {
            int eq = part.indexOf('=');
            if (eq > 0) {
                values.put(part.substring(0, eq), part.substring(eq + 1));
            }
        }
        return values;
    }

    private static String markdown(List<Step> steps, RunInfo info, int warmup, int window, int packetTime,
                                   String failure) {
        StringBuilder md = new StringBuilder();
        md.append("### Relay: server CPU and capacity (two-way participants)\n\n");
        md.append(info.header(null));
        md.append("- Setup: the reference server embedded in the benchmark JVM (media on, one pacer thread; it sends "
                + packetTime + " ms Opus packets, as the participants' offers ask, and receives 10 ms ones); the participants in one other JVM (raw `RtcPeer`s, one engine, one pacer), "
                + "in channels of two, each sending a steady tone and hearing its partner's; inside `bin/netns-exec`."
                + " Per step: " + warmup + " s warm-up after the last connect, then a " + window + " s window.\n");
        md.append("- Clean = every receiver heard its partner, at least 97 frames/s at the slowest receiver, less than "
                + "1 % of samples concealed at every receiver, and at most 1 frame in 1,000 without the partner's "
                + "tone (a gap sent by the relay).\n\n");
        md.append("| two-way participants | server CPU (% of one core) | per participant | participants' JVM CPU "
                + "| frames/s min / mean | concealed max / mean | frames without the partner's tone | connect all "
                + "| verdict |\n");
        md.append("|---|---|---|---|---|---|---|---|---|\n");
        int capacity = 0;
        for (Step s : steps) {
            md.append(String.format(Locale.ROOT, "| %d | %.1f %% | %.2f %% | %.0f %% | %.1f / %.1f | %.2f %% / %.2f %% "
                            + "| %d of %d | %d ms | %s |%n", s.participants(), s.serverCpuPercent(),
                    s.serverCpuPerParticipant(), s.participantsCpuPercent(), s.minFramesPerSecond(),
                    s.meanFramesPerSecond(), s.maxConcealedPercent(), s.meanConcealedPercent(), s.gapFrames(),
                    s.framesReceived(), s.connectMillis(), s.clean() ? "clean" : "**not clean**"));
            if (s.clean()) {
                capacity = Math.max(capacity, s.participants());
            }
        }
        md.append("\nWhere the server's CPU went (threads by name, % of one core over the window):\n\n");
        for (Step s : steps) {
            md.append("- ").append(s.participants()).append(" participants: ").append(s.serverThreads()).append('\n');
        }
        if (failure != null) {
            md.append("\n**Step failed** (no larger step tried): ").append(failure).append('\n');
        }
        md.append('\n').append("Largest clean step: ").append(capacity == 0 ? "none" : capacity + " two-way "
                + "participants").append(" (server and participants share the machine's cores).\n");
        return md.toString();
    }

    // ---------------------------------------------------------------- the participants' JVM

    /** {@code participants <uri> <n> <prefix>}: connects n participants in pairs, then follows stdin commands. */
    private static void participants(String[] argv) {
        URI uri = URI.create(argv[1]);
        int n = Integer.parseInt(argv[2]);
        String prefix = argv[3];
        int packetTime = Integer.parseInt(argv[4]);
        TokenIssuer tokens = new TokenIssuer(java.util.HexFormat.of().parseHex(System.getenv(SECRET_ENV)));
        RtcEngine engine = null;
        RtcPacer pacer = null;
        ClientManager client = ClientManager.createClient();
        List<Participant> all = new ArrayList<>();
        PrintStream out = System.out;
        int status = 0;
        try {
            engine = RtcEngine.create(RtcEngine.Options.builder().name("relay-bench").packetTimeMillis(packetTime)
                    .build());
            pacer = new RtcPacer(r -> {
                Thread t = new Thread(r);
                t.setDaemon(true);
                return t;
            }, "relay-bench-pacer");
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                double hz = 300 + 40 * (i % 2) + 80 * ((i / 2) % 20);
                Participant p = new Participant(prefix + "-u" + i, prefix + "-ch" + (i / 2), hz);
                all.add(p);
                p.connect(client, uri, tokens, engine);
            }
            for (int i = 0; i < n; i++) {
                all.get(i).partnerHz = all.get(i ^ 1).toneHz;
            }
            for (Participant p : all) {
                p.awaitConnected();
            }
            List<Participant> speakers = List.copyOf(all);
            pacer.add((tick, nanos) -> {
                for (Participant p : speakers) {
                    p.speak(tick);
                }
            });
            out.println("ready " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            String line;
            while ((line = in.readLine()) != null && !line.equals("quit")) {
                if (line.startsWith("measure ")) {
                    out.println(measure(all, Integer.parseInt(line.substring(8).trim())));
                    out.flush();
                }
            }
        } catch (Throwable e) {
            out.println("failed " + e.toString().replace('\n', ' '));
            out.flush();
            e.printStackTrace();
            status = 1;
        } finally {
            if (pacer != null) {
                pacer.close();
            }
            for (Participant p : all) {
                p.close();
            }
            if (engine != null) {
                engine.close();
            }
            client.shutdown();
        }
        System.exit(status);
    }

    private static String measure(List<Participant> all, int seconds) throws Exception {
        List<RtcStats> before = new ArrayList<>();
        for (Participant p : all) {
            before.add(p.peer.stats().get(10, TimeUnit.SECONDS));
        }
        // the frame counters' window is exactly the measured one (statistics calls can take long on a loaded machine)
        for (Participant p : all) {
            p.windowStart();
        }
        long cpu0 = ProcStats.cpuNanos();
        long t0 = System.nanoTime();
        Thread.sleep(seconds * 1000L);
        for (Participant p : all) {
            p.windowEnd();
        }
        long elapsed = System.nanoTime() - t0;
        long cpu1 = ProcStats.cpuNanos();
        double minFps = Double.MAX_VALUE;
        double sumFps = 0;
        double maxConcealed = 0;
        double sumConcealed = 0;
        long gaps = 0;
        long frames = 0;
        int deaf = 0;
        for (int i = 0; i < all.size(); i++) {
            Participant p = all.get(i);
            long f = p.windowFrames();
            long g = p.windowGaps();
            RtcStats after = p.peer.stats().get(10, TimeUnit.SECONDS);
            long samples = after.totalSamplesReceived() - before.get(i).totalSamplesReceived();
            long concealed = after.concealedSamples() - before.get(i).concealedSamples();
            double concealedPercent = samples > 0 ? 100.0 * concealed / samples : 100;
            double fps = f / (elapsed / 1e9);
            minFps = Math.min(minFps, fps);
            sumFps += fps;
            maxConcealed = Math.max(maxConcealed, concealedPercent);
            sumConcealed += concealedPercent;
            gaps += g;
            frames += f;
            if (p.heardPartnerFrames() == 0) {
                deaf++;
            }
        }
        return String.format(Locale.ROOT, "result seconds=%.2f cpu=%.1f minfps=%.1f meanfps=%.1f maxconcealed=%.3f "
                        + "meanconcealed=%.3f gaps=%d frames=%d deaf=%d", elapsed / 1e9,
                100.0 * (cpu1 - cpu0) / elapsed, minFps, sumFps / all.size(), maxConcealed,
                sumConcealed / all.size(), gaps, frames, deaf);
    }

    /** Frame {@code index} of a continuous sine: 480 samples, 16-bit little-endian, {@code amplitude} of full scale. */
    static byte[] tone(double hz, double amplitude, long index) {
        byte[] pcm = new byte[RtcPeer.FRAME_BYTES];
        long first = index * RtcPeer.FRAME_SAMPLES;
        for (int i = 0; i < RtcPeer.FRAME_SAMPLES; i++) {
            double t = (double) (first + i) / RtcPeer.SAMPLE_RATE;
            int v = (int) Math.round(amplitude * 32767 * Math.sin(2 * Math.PI * hz * t));
            pcm[2 * i] = (byte) v;
            pcm[2 * i + 1] = (byte) (v >> 8);
        }
        return pcm;
    }

    /** The amplitude of one frequency in a frame, as a fraction of full scale (Goertzel). */
    static double amplitudeAt(byte[] pcm, double hz) {
        int n = pcm.length / 2;
        double w = 2 * Math.PI * hz / RtcPeer.SAMPLE_RATE;
        double coeff = 2 * Math.cos(w);
        double s1 = 0;
        double s2 = 0;
        for (int i = 0; i < n; i++) {
            double x = (short) ((pcm[2 * i] & 0xff) | (pcm[2 * i + 1] << 8)) / 32768.0;
            double s0 = x + coeff * s1 - s2;
            s2 = s1;
            s1 = s0;
        }
        double power = s1 * s1 + s2 * s2 - coeff * s1 * s2;
        return 2 * Math.sqrt(Math.max(power, 0)) / n;
    }

    /** One participant: a WebSocket session and a peer of the participants' engine. */
    private static final class Participant implements RtcPeer.Listener {
        final String userId;
        final String channelId;
        final double toneHz;
        volatile double partnerHz;
        RtcPeer peer;
        Session ws;
        private final BlockingQueue<Message> messages = new LinkedBlockingQueue<>();
        private final CompletableFuture<Void> connected = new CompletableFuture<>();
        private final AtomicLong frames = new AtomicLong();
        private final AtomicLong gaps = new AtomicLong();
        private final AtomicLong partnerFrames = new AtomicLong();
        private volatile long framesAtWindow;
        private volatile long gapsAtWindow;
        private volatile boolean counting;
        private volatile long framesInWindow;
        private volatile long gapsInWindow;

        Participant(String userId, String channelId, double toneHz) {
            this.userId = userId;
            this.channelId = channelId;
            this.toneHz = toneHz;
        }

        void connect(ClientManager client, URI uri, TokenIssuer tokens, RtcEngine engine) throws Exception {
            String token = tokens.issue(userId, Duration.ofHours(1));
            ClientEndpointConfig config = ClientEndpointConfig.Builder.create()
                    .configurator(new ClientEndpointConfig.Configurator() {
                        @Override
                        public void beforeRequest(Map<String, List<String>> headers) {
                            headers.put("Authorization", List.of("Bearer " + token));
                        }
                    }).build();
            ws = client.connectToServer(new Endpoint() {
                @Override
                public void onOpen(Session session, EndpointConfig endpointConfig) {
                    session.addMessageHandler(String.class, (MessageHandler.Whole<String>) text -> {
                        try {
                            Message m = CODEC.decode(text, SERVER_TYPES, Integer.MAX_VALUE).message();
                            if (m != null) {
                                messages.add(m);
                            }
                        } catch (ProtocolException e) {
                            System.err.println(userId + ": undecodable message: " + e.getMessage());
                        }
                    });
                }
            }, config, uri);
            send(new Hello(ProtocolVersion.MAX, ProtocolVersion.MIN, "relay-benchmark/1",
                    new UserInfo(userId, userId, ""), false, new HeartbeatInfo(30_000, 120_000),
                    List.of(Capability.MEDIA_WEBRTC), null));
            await(Welcome.class);
            send(new Join("j", new ChannelInfo(channelId, channelId, true)));
            while (!(await(Roster.class)).last()) {
                // more pages
            }
            peer = engine.newPeer(this);
            String offer = peer.createOffer().get(20, TimeUnit.SECONDS);
            send(new MediaOffer("o", channelId, offer));
            Message reply = await(Message.class, m -> m instanceof MediaAnswer || m instanceof ErrorMessage);
            if (reply instanceof ErrorMessage e) {
                throw new IllegalStateException(userId + ": offer refused: " + e.code() + " " + e.message());
            }
            peer.acceptAnswer(((MediaAnswer) reply).sdp()).get(20, TimeUnit.SECONDS);
        }

        void awaitConnected() throws Exception {
            connected.get(60, TimeUnit.SECONDS);
        }

        private void send(Message message) throws IOException {
            ws.getBasicRemote().sendText(CODEC.encode(message));
        }

        private <T extends Message> T await(Class<T> type) throws InterruptedException {
            return await(type, type::isInstance);
        }

        private <T extends Message> T await(Class<T> type, java.util.function.Predicate<Message> match)
                throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (System.nanoTime() < deadline) {
                Message m = messages.poll(100, TimeUnit.MILLISECONDS);
                if (m != null && match.test(m)) {
                    return type.cast(m);
                }
            }
            throw new IllegalStateException(userId + ": no " + type.getSimpleName() + " within 30 s");
        }

        /** On the pacer thread. */
        void speak(long tick) {
            peer.send(tone(toneHz, 0.3, tick));
        }

        void windowStart() {
            framesAtWindow = frames.get();
            gapsAtWindow = gaps.get();
            counting = true;
        }

        void windowEnd() {
            framesInWindow = frames.get() - framesAtWindow;
            gapsInWindow = gaps.get() - gapsAtWindow;
        }

        long windowFrames() {
            return framesInWindow;
        }

        long windowGaps() {
            return gapsInWindow;
        }

        long heardPartnerFrames() {
            return partnerFrames.get();
        }

        @Override
        public void onFrame(byte[] pcm) {
            frames.incrementAndGet();
            double hz = partnerHz;
            if (hz > 0 && counting) {
                if (amplitudeAt(pcm, hz) < 0.01) {
                    gaps.incrementAndGet();
                } else {
                    partnerFrames.incrementAndGet();
                }
            }
        }

        @Override
        public void onStateChange(RtcPeerState state) {
            if (state == RtcPeerState.CONNECTED) {
                connected.complete(null);
            } else if (state == RtcPeerState.FAILED) {
                connected.completeExceptionally(new IllegalStateException(userId + ": media failed"));
            }
        }

        void close() {
            if (peer != null) {
                peer.close();
            }
            if (ws != null) {
                try {
                    ws.close();
                } catch (IOException | RuntimeException e) {
                    // gone
                }
            }
        }
    }
}
