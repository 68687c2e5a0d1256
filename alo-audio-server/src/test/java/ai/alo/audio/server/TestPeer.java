package ai.alo.audio.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

import ai.alo.audio.protocol.ChannelInfo;
import ai.alo.audio.protocol.HeartbeatInfo;
import ai.alo.audio.protocol.Hello;
import ai.alo.audio.protocol.Join;
import ai.alo.audio.protocol.Leave;
import ai.alo.audio.protocol.Message;
import ai.alo.audio.protocol.MessageCodec;
import ai.alo.audio.protocol.Ping;
import ai.alo.audio.protocol.ProtocolException;
import ai.alo.audio.protocol.UserInfo;
import ai.alo.audio.protocol.Welcome;
import jakarta.websocket.ClientEndpointConfig;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.Session;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
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

    /** A heartbeat long enough that a test never has to ping. */
    static final HeartbeatInfo RELAXED = new HeartbeatInfo(10_000, 30_000);

    private static final MessageCodec CODEC = new MessageCodec(1 << 22);

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

    void hello(String userId, String deviceId, HeartbeatInfo heartbeat) throws IOException {
        send(encode(new Hello(1, "test-peer/1", new UserInfo(userId, "Name " + userId, deviceId), false,
                heartbeat)));
    }

    void join(String channelId) throws IOException {
        send(encode(new Join(new ChannelInfo(channelId, "Channel " + channelId, false))));
    }

    void leave(String channelId) throws IOException {
        send(encode(new Leave(channelId)));
    }

    void ping(long seq) throws IOException {
        send(encode(new Ping(seq)));
    }

    void send(String text) throws IOException {
        session.getBasicRemote().sendText(text);
    }

    void sendBinary(byte[] data) throws IOException {
        session.getBasicRemote().sendBinary(ByteBuffer.wrap(data));
    }

    /** The next text frame, decoded, which must be of {@code type}. */
    <T extends Message> T next(Class<T> type) throws InterruptedException {
        String text = nextText();
        try {
            MessageCodec.Decoded decoded = CODEC.decode(text);
            assertNotNull(decoded.message(), () -> "unknown message type in " + text);
            return assertInstanceOf(type, decoded.message(), () -> "unexpected message " + text);
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
