package ai.alo.audio.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.alo.audio.protocol.CloseCodes;
import ai.alo.audio.protocol.Hello;
import ai.alo.audio.protocol.Join;
import ai.alo.audio.protocol.Joined;
import ai.alo.audio.protocol.Leave;
import ai.alo.audio.protocol.MediaOffer;
import ai.alo.audio.protocol.Message;
import ai.alo.audio.protocol.MessageCodec;
import ai.alo.audio.protocol.MessageTypes;
import ai.alo.audio.protocol.ParticipantInfo;
import ai.alo.audio.protocol.ParticipantJoined;
import ai.alo.audio.protocol.Ping;
import ai.alo.audio.protocol.Pong;
import ai.alo.audio.protocol.ProtocolException;
import ai.alo.audio.protocol.Reply;
import ai.alo.audio.protocol.Request;
import ai.alo.audio.protocol.Roster;
import ai.alo.audio.protocol.Welcome;
import com.code_intelligence.jazzer.api.BugDetectors;
import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.EOFException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterAll;

/**
 * Coverage-guided fuzzing (Jazzer) of the reference service's handling of client messages, through its real entry
 * point: an embedded {@link AloAudioServer} (no relay, no media, no console) and a real WebSocket on loopback
 * ({@link RawWebSocket}), so every input goes through Grizzly, Tyrus, {@code SessionEndpoint}, {@code
 * SessionService}, the codec and the real handlers with the real registries. (Driving {@code SessionService} in
 * process would need a fake {@code jakarta.websocket.Session}; the socket costs about a millisecond per input.)
 *
 * <p>One input is one session: a connection with a valid token (user {@value #USER}, allowed channels
 * {@link #ALLOWED}), then the input's lines (split at {@code '\n'}, at most {@value #MAX_FRAMES}), each sent as one text
 * frame as it is (so invalid UTF-8 reaches Tyrus too). After each frame the test waits for the server's answer: before
 * {@code welcome}, the welcome or the close; after it, the {@code pong} of a marker {@code ping} or the close.
 * Properties checked for every frame:
 * <ul>
 *   <li>the server never throws out of its handler: no {@code onError} with anything but an I/O failure, no WARNING
 *       or worse with a throwable in the log, never close code 1011;</li>
 *   <li>bad input is answered: a frame the protocol codec rejects (or invalid UTF-8) ends the session with a close
 *       whose code is a protocol one and whose reason is readable (1 to 123 bytes of printable UTF-8); each request
 *       ({@code join}, {@code leave}, {@code media.offer}) gets a reply or an {@code error} with its
 *       {@code requestId}; each {@code ping} gets its {@code pong};</li>
 *   <li>everything the server sends decodes with the client's codec as a known type;</li>
 *   <li>the token's channels are enforced: a {@code joined} only ever names a channel of {@link #ALLOWED}, and the
 *       session's own participant carries the token's user id and a capped, printable name, whatever the
 *       {@code hello} claimed;</li>
 *   <li>no half-registered session: after the close, the server lists no session and no participant;</li>
 *   <li>bounded resources: after the run, the server's thread count and the heap (after GC) are back near where
 *       they were before it (plus the fork's fixed {@code -Xmx}, see the pom).</li>
 * </ul>
 *
 * <p>Seeds: real client messages from docs/protocol.md in
 * {@code src/test/resources/ai/alo/audio/server/ServerMessageFuzzTestInputs/messages/}, one session per file, one
 * message per line. Run by the surefire execution {@code fuzz-tests} ({@code JAZZER_FUZZ=1}, 25 s) and by
 * {@code bin/fuzz}; see docs/protocol.md, "Fuzzing".
 */
class ServerMessageFuzzTest {

    static final String USER = "u-1";
    static final Set<String> ALLOWED = Set.of("dispatch", "ops");

    private static final int MAX_FRAMES = 16;
    private static final long MARKER_SEQ = Long.MIN_VALUE + 0x5EED;
    private static final String MARKER_PING = "{\"type\":\"ping\",\"seq\":" + MARKER_SEQ + "}";
    /** What the server decodes (its handler table), to know which frames are protocol errors. */
    private static final MessageTypes CLIENT_TYPES = MessageTypes.of(Hello.class, Join.class, Leave.class,
            MediaOffer.class, Ping.class, Pong.class);
    /** Close codes the server may answer a session's input with (each with a reason). */
    private static final Set<Integer> INPUT_CLOSE_CODES = Set.of(CloseCodes.PROTOCOL_ERROR, 1007,
            CloseCodes.TOO_BIG, CloseCodes.FORBIDDEN, CloseCodes.UNSUPPORTED_PROTOCOL, CloseCodes.HELLO_TIMEOUT,
            CloseCodes.HEARTBEAT_TIMEOUT);
    private static final Duration SETTLE = Duration.ofSeconds(10);

    private static final MessageCodec CODEC = new MessageCodec();
    private static AloAudioServer server;
    private static String token;
    private static ServerErrors errors;
    private static int baselineThreads;
    private static long baselineHeap;
    private static long inputs;

    /**
     * Starts the server at the first input, not in a {@code @BeforeAll}: Jazzer installs its agent just before the
     * first input, and a class loaded before that is retransformed from bytes the JDK 17 reconstitutes without their
     * {@code MethodParameters}, which breaks JSON-B's {@code @JsonbCreator} (the {@code welcome} record's decoding).
     */
    private static void startServer() throws IOException {
        server = AloAudioServer.builder().faultInjection(false).media(false).console(false).build().start();
        token = server.tokens().issue(USER, Duration.ofDays(1), ALLOWED);
        errors = new ServerErrors();
        // one session first, so that the baselines include what the first session creates once (worker threads)
        try (RawWebSocket ws = RawWebSocket.upgraded(server.uri(), token)) {
            ws.sendText("{\"type\":\"hello\",\"protocol\":2,\"client\":\"fuzz\",\"user\":{\"id\":\"" + USER
                    + "\"},\"ttsEnabled\":false,\"heartbeat\":{\"intervalMs\":30000,\"timeoutMs\":120000}}");
            ws.readTextOrClose();
        }
        awaitNoSessions();
        baselineThreads = Thread.activeCount();
        baselineHeap = heapAfterGc();
    }

    @AfterAll
    static void stopServer() {
        if (server == null) {
            return;
        }
        try {
            errors.assertNone();
            int threads = Thread.activeCount();
            long heap = heapAfterGc();
            System.out.println("ServerMessageFuzzTest: " + inputs + " inputs; threads " + baselineThreads + " -> "
                    + threads + "; heap after GC " + (baselineHeap >> 20) + " MiB -> " + (heap >> 20) + " MiB");
            // the fuzzer itself keeps its corpus in native memory; the heap holds the server and this test only
            assertTrue(threads <= baselineThreads + 4, "threads grew from " + baselineThreads + " to " + threads);
            assertTrue(heap <= baselineHeap + (96L << 20), "heap after GC grew from " + (baselineHeap >> 20)
                    + " MiB to " + (heap >> 20) + " MiB");
        } finally {
            errors.close();
            server.stop();
            CODEC.close();
        }
    }

    @FuzzTest(maxDuration = "25s")
    @DictionaryEntries({"\"type\"", "\"hello\"", "\"join\"", "\"leave\"", "\"media.offer\"", "\"ping\"",
            "\"pong\"", "\"protocol\"", "\"minProtocol\"", "\"client\"", "\"user\"", "\"id\"", "\"name\"",
            "\"deviceId\"", "\"ttsEnabled\"", "\"heartbeat\"", "\"intervalMs\"", "\"timeoutMs\"",
            "\"capabilities\"", "\"requestId\"", "\"channel\"", "\"channelId\"", "\"fullDuplex\"", "\"sdp\"",
            "\"seq\"", "\"u-1\"", "\"dispatch\"", "\"ops\"", "\"media.webrtc\"", "\"session.resume\"",
            "\"resume\"", "null", "true", "false", "\\u0000", "\\ud800"})
    void messages(byte[] input) throws IOException {
        if (server == null) {
            startServer();
        }
        allowOnlyTheServer();
        inputs++;
        List<byte[]> frames = lines(input);
        Session session = new Session();
        try (RawWebSocket ws = RawWebSocket.upgraded(server.uri(), token)) {
            for (byte[] frame : frames) {
                if (session.closeCode != null) {
                    break;
                }
                exchange(ws, frame, session);
                errors.assertNone();
            }
            if (session.closeCode == null) {
                ws.sendFrame(true, 8, new byte[] {(byte) (CloseCodes.NORMAL >> 8), (byte) CloseCodes.NORMAL});
                readUntilClosed(ws, session);
            } else {
                assertTrue(ws.awaitEnd(SETTLE), "the server did not end the TCP connection after its close");
            }
        }
        awaitNoSessions();
        for (String channel : session.channels) {
            assertEquals(List.of(), server.participants(channel), "participants left in " + channel);
        }
        errors.assertNone();
    }

    /** Sends one frame and reads the server's answer to it (see the class comment). */
    private static void exchange(RawWebSocket ws, byte[] frame, Session session) throws IOException {
        Expectation expected = expectation(frame, session.welcomed);
        try {
            ws.sendFrame(true, 1, frame);
            if (session.welcomed) {
                ws.sendText(MARKER_PING);
            }
        } catch (SocketException e) {
            // the server closed already (its close frame is read below)
        }
        while (true) {
            RawWebSocket.Frame received;
            try {
                received = ws.readFrame();
            } catch (EOFException | SocketException e) {
                throw new AssertionError("the server ended the connection without a close frame after "
                        + describe(frame), e);
            } catch (SocketTimeoutException e) {
                throw new AssertionError("no answer within " + TestPeer.WAIT + " to " + describe(frame), e);
            }
            if (received.opcode() == 8) {
                closed(received, frame, session);
                try {
                    // answer with a close frame, as a client does, so the server ends the TCP connection at once
                    ws.sendFrame(true, 8, closePayload(received));
                } catch (SocketException e) {
                    // it has already
                }
                return;
            }
            if (received.opcode() != 1) {
                continue;
            }
            Message message = serverMessage(received.text());
            session.saw(message);
            expected.answeredBy(message);
            if (message instanceof Welcome) {
                session.welcomed = true;
                if (expected.beforeWelcome) {
                    expected.assertAnswered(frame);
                    return;
                }
            }
            if (message instanceof Pong pong && pong.seq() == MARKER_SEQ) {
                if (expected.protocolError) {
                    throw new AssertionError("the server took a protocol error without closing: "
                            + describe(frame));
                }
                expected.assertAnswered(frame);
                return;
            }
        }
    }

    private static void closed(RawWebSocket.Frame close, byte[] frame, Session session) {
        int code = close.closeCode();
        session.closeCode = code;
        byte[] payload = close.payload();
        String reason;
        try {
            reason = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(payload, 2, Math.max(0, payload.length - 2))).toString();
        } catch (CharacterCodingException e) {
            throw new AssertionError("close reason is not UTF-8 (code " + code + ")", e);
        }
        assertTrue(code != CloseCodes.INTERNAL_ERROR, () -> "internal error 1011 (" + reason + ") after "
                + describe(frame));
        assertTrue(INPUT_CLOSE_CODES.contains(code), () -> "unexpected close code " + code + " (" + reason
                + ") after " + describe(frame));
        assertTrue(!reason.isBlank() && payload.length - 2 <= 123, () -> "close " + code
                + " without a readable reason: '" + reason + "'");
        for (int i = 0; i < reason.length(); i++) {
            char c = reason.charAt(i);
            if (Character.isISOControl(c)) {
                throw new AssertionError("close reason holds control character U+" + Integer.toHexString(c));
            }
        }
    }

    private static void readUntilClosed(RawWebSocket ws, Session session) throws IOException {
        while (true) {
            RawWebSocket.Frame received;
            try {
                received = ws.readFrame();
            } catch (EOFException | SocketException e) {
                return;
            }
            if (received.opcode() == 8) {
                return;
            }
            if (received.opcode() == 1) {
                session.saw(serverMessage(received.text()));
            }
        }
    }

    /** The close frame that answers the server's: its code, without the reason (or nothing if it had no code). */
    private static byte[] closePayload(RawWebSocket.Frame close) {
        return close.payload().length >= 2 ? Arrays.copyOf(close.payload(), 2) : new byte[0];
    }

    /** What the server must answer a frame with. */
    private static Expectation expectation(byte[] frame, boolean welcomed) {
        Expectation expected = new Expectation(!welcomed);
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(frame)).toString();
        } catch (CharacterCodingException e) {
            expected.protocolError = true;
            return expected;
        }
        MessageCodec.Decoded decoded;
        try {
            decoded = CODEC.decode(text, CLIENT_TYPES, 64 * 1024);
        } catch (ProtocolException e) {
            expected.protocolError = true;
            return expected;
        }
        if (decoded.message() instanceof Request request) {
            expected.requestId = request.requestId();
            expected.needsReply = true;
        } else if (decoded.message() instanceof Ping ping) {
            expected.pingSeq = ping.seq();
        }
        return expected;
    }

    /** Decodes what the server sent as the client does; anything else is a finding. */
    private static Message serverMessage(String text) {
        MessageCodec.Decoded decoded;
        try {
            decoded = CODEC.decode(text, TestPeer.SERVER_TYPES, 1 << 20);
        } catch (ProtocolException e) {
            throw new AssertionError("the server sent a message the client cannot decode: " + e.getMessage(), e);
        }
        if (decoded.isUnknown()) {
            throw new AssertionError("the server sent a message of an unknown type: " + decoded.type());
        }
        return decoded.message();
    }

    private static void awaitNoSessions() {
        long deadline = System.nanoTime() + SETTLE.toNanos();
        while (!server.sessions().isEmpty()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("sessions left after the close: " + server.sessions());
            }
            Thread.onSpinWait();
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    /** Splits the input at '\n' into at most {@link #MAX_FRAMES} frames (the rest stays in the last one). */
    private static List<byte[]> lines(byte[] input) {
        List<byte[]> frames = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < input.length && frames.size() < MAX_FRAMES - 1; i++) {
            if (input[i] == '\n') {
                frames.add(Arrays.copyOfRange(input, start, i));
                start = i + 1;
            }
        }
        if (start < input.length) {
            frames.add(Arrays.copyOfRange(input, start, input.length));
        }
        return frames;
    }

    private static String describe(byte[] frame) {
        String text = new String(frame, StandardCharsets.UTF_8);
        return "frame of " + frame.length + " bytes: " + MessageCodec.printable(text);
    }

    /** The SSRF detector of Jazzer flags every connection; this test connects to its own server on loopback only. */
    private static void allowOnlyTheServer() {
        int port = server.port();
        BugDetectors.allowNetworkConnections((host, p) -> p == port
                && ("localhost".equals(host) || "127.0.0.1".equals(host) || "::1".equals(host)));
    }

    private static long heapAfterGc() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return memory.getHeapMemoryUsage().getUsed();
    }

    /** What one session saw. */
    private static final class Session {
        boolean welcomed;
        Integer closeCode;
        String connectionId;
        final Set<String> channels = new HashSet<>(ALLOWED);

        void saw(Message message) {
            if (message instanceof Joined joined) {
                String channel = joined.channel().id();
                channels.add(channel);
                assertTrue(ALLOWED.contains(channel), () -> "joined channel '" + MessageCodec.printable(channel)
                        + "', which the token does not allow");
                connectionId = joined.connectionId();
            } else if (message instanceof Roster roster) {
                roster.participants().forEach(this::checkParticipant);
            } else if (message instanceof ParticipantJoined joined) {
                checkParticipant(joined.participant());
            }
        }

        /** The session's own participant carries the token's user and a capped name, whatever hello said. */
        private void checkParticipant(ParticipantInfo participant) {
            assertTrue(participant.name().length() <= Names.MAX_NAME_LENGTH, () -> "a name of "
                    + participant.name().length() + " characters");
            participant.name().chars().forEach(c -> assertTrue(!Character.isISOControl(c),
                    "a participant name with a control character"));
            if (Objects.equals(participant.connectionId(), connectionId)) {
                assertEquals(USER, participant.userId(), "the session's participant is not the token's user");
            }
        }
    }

    /** The answer one frame needs. */
    private static final class Expectation {
        final boolean beforeWelcome;
        boolean protocolError;
        boolean needsReply;
        String requestId;
        Long pingSeq;
        boolean replied;
        boolean ponged;

        Expectation(boolean beforeWelcome) {
            this.beforeWelcome = beforeWelcome;
        }

        void answeredBy(Message message) {
            if (needsReply && message instanceof Reply reply && Objects.equals(reply.requestId(), requestId)) {
                replied = true;
            }
            if (pingSeq != null && message instanceof Pong pong && pong.seq() == pingSeq) {
                ponged = true;
            }
        }

        void assertAnswered(byte[] frame) {
            if (needsReply && !replied && !beforeWelcome) {
                throw new AssertionError("no reply or error for the request " + describe(frame));
            }
            if (pingSeq != null && !ponged && !beforeWelcome) {
                throw new AssertionError("no pong for " + describe(frame));
            }
        }
    }

    /**
     * Collects what shows that the server threw: its endpoint's {@code onError} with anything but an I/O failure
     * (logged at DEBUG, so this logger is opened to FINE while the test runs), and any record of WARNING or worse
     * that carries a throwable, from any logger.
     */
    private static final class ServerErrors extends Handler implements AutoCloseable {

        private final Logger serverLogger = Logger.getLogger(AloAudioServer.class.getPackageName());
        private final Logger root = Logger.getLogger("");
        private final Level serverLevel = serverLogger.getLevel();
        private final List<String> found = new ArrayList<>();

        ServerErrors() {
            setLevel(Level.ALL);
            serverLogger.setLevel(Level.FINE);
            root.addHandler(this);
        }

        @Override
        public synchronized void publish(LogRecord record) {
            String message = String.valueOf(record.getMessage());
            if (message.startsWith("WebSocket error on") && !isIoFailure(message)) {
                found.add(message);
            } else if (record.getLevel().intValue() >= Level.WARNING.intValue() && record.getThrown() != null) {
                found.add(record.getLoggerName() + " " + record.getLevel() + ": " + message + "\n"
                        + stackTrace(record.getThrown()));
            }
        }

        private static boolean isIoFailure(String message) {
            return message.contains("IOException") || message.contains("EOFException")
                    || message.contains("SocketException") || message.contains("ClosedChannelException")
                    || message.contains("Connection reset") || message.contains("Broken pipe");
        }

        private static String stackTrace(Throwable thrown) {
            StringWriter text = new StringWriter();
            thrown.printStackTrace(new PrintWriter(text));
            return text.toString();
        }

        synchronized void assertNone() {
            if (!found.isEmpty()) {
                String all = String.join("\n", found);
                found.clear();
                throw new AssertionError("the server threw: " + all);
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
            root.removeHandler(this);
            serverLogger.setLevel(serverLevel);
        }
    }
}
