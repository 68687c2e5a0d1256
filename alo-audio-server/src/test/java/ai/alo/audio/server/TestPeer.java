package ai.alo.audio.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import ai.alo.audio.protocol.ChannelInfo;
import ai.alo.audio.protocol.End;
import ai.alo.audio.protocol.ErrorMessage;
import ai.alo.audio.protocol.HeartbeatInfo;
import ai.alo.audio.protocol.Hello;
import ai.alo.audio.protocol.Join;
import ai.alo.audio.protocol.Joined;
import ai.alo.audio.protocol.Leave;
import ai.alo.audio.protocol.Left;
import ai.alo.audio.protocol.MediaAnswer;
import ai.alo.audio.protocol.MediaState;
import ai.alo.audio.protocol.Message;
import ai.alo.audio.protocol.MessageCodec;
import ai.alo.audio.protocol.MessageTypes;
import ai.alo.audio.protocol.ParticipantInfo;
import ai.alo.audio.protocol.ParticipantJoined;
import ai.alo.audio.protocol.ParticipantLeft;
import ai.alo.audio.protocol.Ping;
import ai.alo.audio.protocol.Pong;
import ai.alo.audio.protocol.ProtocolException;
import ai.alo.audio.protocol.ProtocolVersion;
import ai.alo.audio.protocol.Roster;
import ai.alo.audio.protocol.UserInfo;
import ai.alo.audio.protocol.Welcome;
import jakarta.websocket.ClientEndpointConfig;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.RemoteEndpoint;
import jakarta.websocket.Session;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.glassfish.tyrus.client.ClientManager;

/**
 * A plain Tyrus WebSocket client playing the peer: records every text frame and the close, sends what the test says.
 * All waits are bounded by {@link #WAIT}.
 */
final class TestPeer implements AutoCloseable {

    /** The longest any test waits for something that should happen. */
    static final Duration WAIT = Duration.ofSeconds(10);

    /** A heartbeat long enough that a test never has to ping, even on a loaded machine (the server's largest). */
    static final HeartbeatInfo RELAXED = new HeartbeatInfo(30_000, 120_000);

    static final MessageCodec CODEC = new MessageCodec();

    /** What a client decodes: every server-to-client message type. */
    static final MessageTypes SERVER_TYPES = MessageTypes.of(Welcome.class, Joined.class, Roster.class, Left.class,
            ParticipantJoined.class, ParticipantLeft.class, Ping.class, Pong.class, End.class, ErrorMessage.class,
            MediaAnswer.class, MediaState.class);

    /** A send failed because the connection is closed (by the server, usually): not an error of the test peer. */
    static final class PeerClosedException extends IOException {

        private static final long serialVersionUID = 1L;

        PeerClosedException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * A join's answer: {@code joined} and every {@code roster} page up to the last.
     *
     * @param joined    the {@code joined}
     * @param pages     the pages, decoded
     * @param pageTexts the pages as received
     */
    record JoinAnswer(Joined joined, List<Roster> pages, List<String> pageTexts) {

        /** Every participant of every page, in order. */
        List<ParticipantInfo> participants() {
            List<ParticipantInfo> all = new ArrayList<>();
            pages.forEach(page -> all.addAll(page.participants()));
            return all;
        }

        /** The joiner itself, from the roster. */
        ParticipantInfo self() {
            return participants().stream().filter(p -> p.connectionId().equals(joined.connectionId())).findFirst()
                    .orElseThrow(() -> new AssertionError("the joiner is not in its roster: " + pages));
        }
    }

    private final BlockingQueue<String> texts = new LinkedBlockingQueue<>();
    private final CompletableFuture<CloseReason> closed = new CompletableFuture<>();
    private volatile Session session;

    private TestPeer() {
    }

    /**
     * Connects with {@code Authorization: Bearer <token>}, or without the header when the token is null.
     */
    static TestPeer connect(ClientManager client, URI uri, String token) throws Exception {
        return connect(client, uri, token == null ? Map.of() : Map.of("Authorization", "Bearer " + token));
    }

    /** Connects with exactly these extra handshake headers. */
    static TestPeer connect(ClientManager client, URI uri, Map<String, String> headers) throws Exception {
        TestPeer peer = new TestPeer();
        ClientEndpointConfig config = ClientEndpointConfig.Builder.create()
                .configurator(new ClientEndpointConfig.Configurator() {
                    @Override
                    public void beforeRequest(Map<String, List<String>> requestHeaders) {
                        headers.forEach((name, value) -> requestHeaders.put(name, List.of(value)));
                    }
                })
                .build();
        peer.session = client.connectToServer(peer.new PeerEndpoint(), config, uri);
        return peer;
    }

    /** Connects with a valid token for {@code userId}, says hello and returns after {@code welcome}. */
    static TestPeer welcomed(ClientManager client, AloAudioServer server, String userId, String deviceId)
            throws Exception {
        TestPeer peer = connect(client, server.uri(), server.tokens().issue(userId, Duration.ofHours(1)));
        peer.hello(userId, deviceId, RELAXED);
        peer.next(Welcome.class);
        return peer;
    }

    static String encode(Message message) {
        return CODEC.encode(message);
    }

    /** A hello offering this code's version range, no capabilities, name "Name userId". */
    static Hello helloOf(String userId, String deviceId, HeartbeatInfo heartbeat) {
        return new Hello(ProtocolVersion.MAX, ProtocolVersion.MIN, "test-peer/1",
                new UserInfo(userId, "Name " + userId, deviceId), false, heartbeat, List.of(), null);
    }

    void hello(String userId, String deviceId, HeartbeatInfo heartbeat) throws IOException {
        send(encode(helloOf(userId, deviceId, heartbeat)));
    }

    void join(String channelId) throws IOException {
        join(channelId, null);
    }

    void join(String channelId, String requestId) throws IOException {
        send(encode(new Join(requestId, new ChannelInfo(channelId, "Channel " + channelId, false))));
    }

    void leave(String channelId) throws IOException {
        leave(channelId, null);
    }

    void leave(String channelId, String requestId) throws IOException {
        send(encode(new Leave(requestId, channelId)));
    }

    void ping(long seq) throws IOException {
        send(encode(new Ping(seq)));
    }

    /** A send through Tyrus's basic remote. */
    @FunctionalInterface
    private interface Send {
        void run(RemoteEndpoint.Basic remote) throws IOException;
    }

    /**
     * Sends a text frame and returns once it is written.
     *
     * @throws PeerClosedException if the connection is (or got) closed; see {@link #send(Send)}
     * @throws IOException         if the write failed otherwise
     */
    void send(String text) throws IOException {
        send(remote -> remote.sendText(text));
    }

    /** Sends a binary frame; like {@link #send(String)}. */
    void sendBinary(byte[] data) throws IOException {
        send(remote -> remote.sendBinary(ByteBuffer.wrap(data)));
    }

    /**
     * Sends a text frame that the server is expected to answer by closing the connection (possibly while the frame is
     * still being written, or before Tyrus finished its bookkeeping of the send), and returns the close.
     */
    CloseReason sendExpectingClose(String text) throws InterruptedException {
        return expectClose(remote -> remote.sendText(text));
    }

    /** Sends a binary frame that the server is expected to answer by closing the connection; returns the close. */
    CloseReason sendBinaryExpectingClose(byte[] data) throws InterruptedException {
        return expectClose(remote -> remote.sendBinary(ByteBuffer.wrap(data)));
    }

    private CloseReason expectClose(Send send) throws InterruptedException {
        try {
            send(send);
        } catch (IOException e) {
            // PeerClosedException, or a write cut short by the close: the close itself tells what happened.
        }
        return awaitClose();
    }

    /**
     * Runs a send, reporting a closed connection as {@link PeerClosedException}. Tyrus's basic remote reschedules its
     * idle-timeout bookkeeping in a {@code finally} after every send, on its ClientManager's executor; when the server
     * closed the session meanwhile and it was that ClientManager's last one, the manager has shut that executor down
     * and the bookkeeping fails with {@link RejectedExecutionException} (after the frame went out, or masking the
     * write's own failure). A send on a session that is already closed fails with {@link IllegalStateException}. Both
     * mean "the connection is closed" once the close has arrived, and are reported so; a rejection without a close
     * is rethrown.
     */
    private void send(Send send) throws IOException {
        Session current = session;
        if (closed.isDone()) {
            throw new PeerClosedException("the connection is closed: " + closed.getNow(null), null);
        }
        try {
            send.run(current.getBasicRemote());
        } catch (RejectedExecutionException | IllegalStateException e) {
            if (awaitClosed()) {
                throw new PeerClosedException("the connection was closed: " + closed.getNow(null), e);
            }
            throw e;
        }
    }

    /** Sets the largest text message this peer accepts (Tyrus closes with 1009 above it). */
    void maxTextMessageSize(int bytes) {
        session.setMaxTextMessageBufferSize(bytes);
    }

    /** The next text frame, decoded, which must be of {@code type}. */
    <T extends Message> T next(Class<T> type) throws InterruptedException {
        String text = nextText();
        return assertInstanceOf(type, decode(text), () -> "unexpected message " + text);
    }

    /** The next text frame, decoded; it must be of a server-to-client type. */
    Message nextMessage() throws InterruptedException {
        return decode(nextText());
    }

    /** Reads {@code joined} and the roster pages up to the last. */
    JoinAnswer awaitJoin() throws InterruptedException {
        Joined joined = next(Joined.class);
        List<Roster> pages = new ArrayList<>();
        List<String> pageTexts = new ArrayList<>();
        Roster page;
        do {
            String text = nextText();
            page = assertInstanceOf(Roster.class, decode(text), () -> "expected a roster page, got " + text);
            assertEquals(joined.requestId(), page.requestId(), "every page carries the join's request id");
            assertEquals(joined.channel().id(), page.channelId());
            pages.add(page);
            pageTexts.add(text);
        } while (!page.last());
        JoinAnswer answer = new JoinAnswer(joined, pages, pageTexts);
        assertEquals(joined.participantCount(), answer.participants().size(), "participantCount and the roster");
        return answer;
    }

    static Message decode(String text) {
        try {
            MessageCodec.Decoded decoded = CODEC.decode(text, SERVER_TYPES, Integer.MAX_VALUE);
            assertNotNull(decoded.message(), () -> "unknown message type in " + text);
            return decoded.message();
        } catch (ProtocolException e) {
            return fail("undecodable message " + text, e);
        }
    }

    /** The next text frame as received. */
    String nextText() throws InterruptedException {
        String text = texts.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertNotNull(text, () -> "timed out waiting for a message; closed: " + closed.getNow(null));
        return text;
    }

    /** The text frames received and not yet taken. */
    List<String> pending() {
        return List.copyOf(texts);
    }

    /** Waits for the close and returns it. */
    CloseReason awaitClose() throws InterruptedException {
        try {
            return closed.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            return fail("close failed", e);
        } catch (TimeoutException e) {
            return fail("timed out waiting for the close; pending messages: " + texts);
        }
    }

    /** Waits for the close and checks its code. */
    void assertClosedWith(int code) throws InterruptedException {
        CloseReason reason = awaitClose();
        assertEquals(code, reason.getCloseCode().getCode(), () -> "close reason: " + reason);
    }

    /** Waits for the close, checks its code and that its reason contains {@code text}. */
    void assertClosedWith(int code, String text) throws InterruptedException {
        CloseReason reason = awaitClose();
        assertEquals(code, reason.getCloseCode().getCode(), () -> "close reason: " + reason);
        assertTrue(reason.getReasonPhrase().contains(text), () -> "close reason: " + reason);
    }

    boolean isClosed() {
        return closed.isDone();
    }

    CloseReason closeReasonNow() {
        return closed.getNow(null);
    }

    boolean isOpen() {
        Session current = session;
        return current != null && current.isOpen() && !closed.isDone();
    }

    /** Closes with 1000 unless already closed. */
    @Override
    public void close() {
        Session current = session;
        if (current != null && current.isOpen()) {
            try {
                current.close();
            } catch (IOException | RuntimeException e) {
                // already gone
            }
        }
    }

    /** Closes with a given code. */
    void close(int code, String reason) throws IOException {
        session.close(new CloseReason(CloseReason.CloseCodes.getCloseCode(code), reason));
    }

    private boolean awaitClosed() {
        try {
            closed.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException | TimeoutException e) {
            return false;
        }
    }

    private final class PeerEndpoint extends Endpoint {

        @Override
        public void onOpen(Session ws, EndpointConfig config) {
            ws.addMessageHandler(String.class, (MessageHandler.Whole<String>) texts::add);
        }

        @Override
        public void onClose(Session ws, CloseReason closeReason) {
            closed.complete(closeReason);
        }

        @Override
        public void onError(Session ws, Throwable error) {
            // Tyrus follows an error with onClose
        }
    }
}
