package ai.alo.audio.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.alo.audio.protocol.CloseCodes;
import ai.alo.audio.protocol.Ping;
import ai.alo.audio.protocol.Pong;
import ai.alo.audio.protocol.Welcome;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The message size limit at the frame level: Tyrus's incoming buffer is the limit plus a frame header, a frame over
 * the limit is refused with 1009 from its header alone, and many small frames in one read still pass.
 */
class FrameSizeTest {

    private static final int LIMIT = 4096;

    private AloAudioServer server;
    private final RecordingServerListener events = new RecordingServerListener();
    private final List<RawWebSocket> sockets = new ArrayList<>();

    @AfterEach
    void stopServer() throws Exception {
        for (RawWebSocket socket : sockets) {
            socket.close();
        }
        if (server != null) {
            server.stop();
        }
    }

    @ParameterizedTest(name = "faultInjection={0}")
    @ValueSource(booleans = {true, false})
    void frameHeader_announcingMoreThanTheLimit_isRefusedWith1009WithoutWaitingForThePayload(boolean relay)
            throws Exception {
        start(relay);
        RawWebSocket ws = welcomed("u-1");
        // Only the header of a 10 MB frame: the server must answer without reading (or buffering) any payload.
        ws.sendFrameHeader(true, 1, 10_000_000);
        RawWebSocket.Frame close = ws.readUntilClose();
        assertEquals(CloseCodes.TOO_BIG, close.closeCode());
        assertTrue(close.closeReason().contains("limit " + LIMIT), close.closeReason());
        assertEquals(CloseCodes.TOO_BIG, events.awaitClosed("u-1").code());
        assertTrue(server.sessions().isEmpty());
        // The server lingers (dropping what it reads, the rest of the announced frame) for a while, then ends the
        // TCP connection.
        assertTrue(ws.awaitEnd(TestPeer.WAIT), "the server ends the connection");
    }

    @ParameterizedTest(name = "faultInjection={0}")
    @ValueSource(booleans = {true, false})
    void refusedFrame_sentWholeAndFollowedByTheClientsClose_endsTheConnection(boolean relay) throws Exception {
        start(relay);
        RawWebSocket ws = welcomed("u-1");
        byte[] big = new byte[3 * LIMIT];
        Arrays.fill(big, (byte) 'x');
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        bytes.writeBytes(RawWebSocket.frame(true, 2, big));
        bytes.writeBytes(RawWebSocket.frame(true, 8, new byte[] {0x03, (byte) 0xe8}));
        ws.sendBytes(bytes.toByteArray());
        assertEquals(CloseCodes.TOO_BIG, ws.readUntilClose().closeCode());
        assertTrue(ws.awaitEnd(TestPeer.WAIT), "the server ends the connection after the close handshake");
        assertEquals(CloseCodes.TOO_BIG, events.awaitClosed("u-1").code());
    }

    @ParameterizedTest(name = "faultInjection={0}")
    @ValueSource(booleans = {true, false})
    void frame_withA64BitLength_isRefusedWith1009(boolean relay) throws Exception {
        start(relay);
        RawWebSocket ws = welcomed("u-1");
        ws.sendFrameHeader(true, 1, Long.MAX_VALUE);
        assertEquals(CloseCodes.TOO_BIG, ws.readUntilClose().closeCode());
        assertTrue(ws.awaitEnd(TestPeer.WAIT), "closed after the linger time without our close frame");
    }

    @ParameterizedTest(name = "faultInjection={0}")
    @ValueSource(booleans = {true, false})
    void message_exactlyAtTheLimit_isAccepted_andOneByteMore_closes1009(boolean relay) throws Exception {
        start(relay);
        RawWebSocket ws = welcomed("u-1");
        ws.sendText(pingOfSize(7, LIMIT));
        assertEquals(new Pong(7), TestPeer.decode(ws.readTextOrClose().text()));
        ws.sendText(pingOfSize(8, LIMIT + 1));
        assertEquals(CloseCodes.TOO_BIG, ws.readUntilClose().closeCode());
    }

    @ParameterizedTest(name = "faultInjection={0}")
    @ValueSource(booleans = {true, false})
    void fragmentedMessage_overTheLimit_closes1009AtTheFragmentThatCrossesIt(boolean relay) throws Exception {
        start(relay);
        RawWebSocket ws = welcomed("u-1");
        byte[] text = pingOfSize(9, LIMIT + 100).getBytes(StandardCharsets.UTF_8);
        int half = text.length / 2;
        ws.sendFrame(false, 1, Arrays.copyOfRange(text, 0, half));
        ws.sendFrame(true, 0, Arrays.copyOfRange(text, half, text.length));
        RawWebSocket.Frame close = ws.readUntilClose();
        assertEquals(CloseCodes.TOO_BIG, close.closeCode());
    }

    @ParameterizedTest(name = "faultInjection={0}")
    @ValueSource(booleans = {true, false})
    void fragmentedMessage_withinTheLimit_isAccepted(boolean relay) throws Exception {
        start(relay);
        RawWebSocket ws = welcomed("u-1");
        byte[] text = pingOfSize(10, LIMIT).getBytes(StandardCharsets.UTF_8);
        int third = text.length / 3;
        ws.sendFrame(false, 1, Arrays.copyOfRange(text, 0, third));
        ws.sendFrame(false, 0, Arrays.copyOfRange(text, third, 2 * third));
        ws.sendFrame(true, 0, Arrays.copyOfRange(text, 2 * third, text.length));
        assertEquals(new Pong(10), TestPeer.decode(ws.readTextOrClose().text()));
    }

    @ParameterizedTest(name = "faultInjection={0}")
    @ValueSource(booleans = {true, false})
    void manyFrames_inWritesLargerThanTheIncomingBuffer_areAllAnsweredInOrder(boolean relay) throws Exception {
        start(relay);
        RawWebSocket ws = welcomed("u-1");
        // 300 pings and two near-limit ones, about 20 KB, far more than Tyrus's incoming buffer of LIMIT + 14 bytes,
        // sent in two writes cut in the middle of a frame.
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        int count = 300;
        for (int seq = 0; seq < count; seq++) {
            String text = seq == 100 || seq == 200 ? pingOfSize(seq, LIMIT)
                    : TestPeer.encode(new Ping(seq));
            all.writeBytes(RawWebSocket.frame(true, 1, text.getBytes(StandardCharsets.UTF_8)));
        }
        byte[] bytes = all.toByteArray();
        int cut = bytes.length / 2 + 3;
        ws.sendBytes(Arrays.copyOfRange(bytes, 0, cut));
        ws.sendBytes(Arrays.copyOfRange(bytes, cut, bytes.length));
        for (int seq = 0; seq < count; seq++) {
            RawWebSocket.Frame frame = ws.readTextOrClose();
            assertEquals(1, frame.opcode(), () -> "closed: " + frame.closeCode() + " " + frame.closeReason());
            assertEquals(new Pong(seq), TestPeer.decode(frame.text()));
        }
    }

    private void start(boolean relay) {
        server = AloAudioServer.builder().maxMessageSize(LIMIT).faultInjection(relay).build();
        server.addListener(events);
        server.start();
    }

    private RawWebSocket welcomed(String userId) throws Exception {
        RawWebSocket ws = RawWebSocket.upgraded(server.uri(), server.tokens().issue(userId, Duration.ofHours(1)));
        sockets.add(ws);
        ws.sendText(TestPeer.encode(TestPeer.helloOf(userId, "", TestPeer.RELAXED)));
        assertTrue(TestPeer.decode(ws.readTextOrClose().text()) instanceof Welcome);
        return ws;
    }

    /** A ping whose JSON text is exactly {@code bytes} UTF-8 bytes long (an unknown member pads it). */
    private static String pingOfSize(long seq, int bytes) {
        String bare = "{\"type\":\"ping\",\"seq\":" + seq + ",\"pad\":\"\"}";
        String text = "{\"type\":\"ping\",\"seq\":" + seq + ",\"pad\":\"" + "x".repeat(bytes - bare.length()) + "\"}";
        assertEquals(bytes, text.getBytes(StandardCharsets.UTF_8).length);
        return text;
    }
}
