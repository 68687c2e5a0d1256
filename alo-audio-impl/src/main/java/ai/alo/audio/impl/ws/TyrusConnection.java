package ai.alo.audio.impl.ws;

import jakarta.websocket.ClientEndpointConfig;
import jakarta.websocket.CloseReason;
import jakarta.websocket.DeploymentException;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.HandshakeResponse;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.Session;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeoutException;
import org.glassfish.grizzly.threadpool.ThreadPoolConfig;
import org.glassfish.tyrus.client.ClientManager;
import org.glassfish.tyrus.client.ClientProperties;
import org.glassfish.tyrus.container.grizzly.client.GrizzlyClientProperties;
import org.glassfish.tyrus.core.HandshakeException;
import org.glassfish.tyrus.spi.ClientEngine;

/**
 * A {@link SignallingConnection} on a private Tyrus {@link ClientManager}: its Grizzly transport's selector and worker
 * threads come from the owner's {@link ThreadFactory}, and {@link #release(long)} shuts the manager down.
 */
final class TyrusConnection implements SignallingConnection {

    private static final int CLOSE_PHRASE_MAX_BYTES = 123;

    private final URI uri;
    private final String token;
    private final int maxMessageSize;
    private final SignallingHandler handler;
    private final SessionContainer container;
    private final ClientManager client;
    private volatile Session session;
    private volatile ClientEngine.TimeoutHandler handshakeAbort;

    TyrusConnection(URI uri, String token, int maxMessageSize, Duration connectTimeout, ThreadFactory threads,
                    SignallingHandler handler) {
        this.uri = uri;
        this.token = token;
        this.maxMessageSize = maxMessageSize;
        this.handler = handler;
        this.container = new SessionContainer(threads);
        this.client = createClient(container);
        Map<String, Object> properties = client.getProperties();
        // A backstop only: the connection owner's own connect timeout fires first and aborts the handshake.
        int timeoutMillis = (int) Math.min(Integer.MAX_VALUE, Math.max(1, connectTimeout.toMillis() + 1000));
        properties.put(ClientProperties.HANDSHAKE_TIMEOUT, timeoutMillis);
        // Tyrus buffers at most this much of one frame: a larger frame is refused while it is read (close 1011
        // "Buffer overflow."), a message over the limit but within the buffer is refused with 1009.
        properties.put(ClientProperties.INCOMING_BUFFER_SIZE, maxMessageSize + 1024);
        properties.put(GrizzlyClientProperties.WORKER_THREAD_POOL_CONFIG, ThreadPoolConfig.defaultConfig()
                .setPoolName("alo-audio-io").setCorePoolSize(1).setMaxPoolSize(1).setDaemon(true)
                .setThreadFactory(threads));
        properties.put(GrizzlyClientProperties.SELECTOR_THREAD_POOL_CONFIG, ThreadPoolConfig.defaultConfig()
                .setPoolName("alo-audio-selector").setCorePoolSize(1).setMaxPoolSize(1).setDaemon(true)
                .setThreadFactory(threads));
    }

    private static ClientManager createClient(SessionContainer container) {
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        // Tyrus loads the container class with the context class loader; make sure it sees ours.
        thread.setContextClassLoader(TyrusConnection.class.getClassLoader());
        try {
            return ClientManager.createClient(CancellableClientContainer.class.getName(), container);
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    @Override
    public void abort() {
        ClientEngine.TimeoutHandler abort = handshakeAbort;
        if (abort != null) {
            try {
                abort.handleTimeout();
            } catch (RuntimeException e) {
                // the transport is already closing
            }
        }
    }

    @Override
    public void open() throws TransportException, InterruptedException {
        WireLogGuard.apply();
        ClientEndpointConfig config = ClientEndpointConfig.Builder.create()
                .configurator(new ClientEndpointConfig.Configurator() {
                    @Override
                    public void beforeRequest(Map<String, List<String>> headers) {
                        headers.put("Authorization", List.of("Bearer " + token));
                    }

                    @Override
                    public void afterResponse(HandshakeResponse response) {
                        // nothing to check: the protocol version is negotiated in hello/welcome
                    }
                })
                .build();
        CancellableClientContainer.HANDSHAKE_ABORT.set(handler -> handshakeAbort = handler);
        try {
            client.connectToServer(new SignallingEndpoint(), config, uri);
        } catch (DeploymentException | IOException e) {
            if (Thread.currentThread().isInterrupted() || cause(e, InterruptedException.class) != null) {
                throw new InterruptedException("connect cancelled");
            }
            throw new TransportException(describe(e), e, isTimeout(e));
        } catch (RuntimeException e) {
            throw new TransportException("Could not connect to the audio service at " + uri + ": " + e, e, false);
        } finally {
            CancellableClientContainer.HANDSHAKE_ABORT.remove();
        }
    }

    @Override
    public CompletableFuture<Void> send(String text) {
        Session current = session;
        CompletableFuture<Void> result = new CompletableFuture<>();
        if (current == null || !current.isOpen()) {
            result.completeExceptionally(new IOException("the connection is not open"));
            return result;
        }
        try {
            current.getAsyncRemote().sendText(text, sendResult -> {
                if (sendResult.isOK()) {
                    result.complete(null);
                } else {
                    result.completeExceptionally(sendResult.getException());
                }
            });
        } catch (RuntimeException e) {
            result.completeExceptionally(e);
        }
        return result;
    }

    @Override
    public boolean isOpen() {
        Session current = session;
        return current != null && current.isOpen();
    }

    @Override
    public void close(int code, String reason) {
        Session current = session;
        if (current == null || !current.isOpen()) {
            return;
        }
        try {
            current.close(new CloseReason(CloseReason.CloseCodes.getCloseCode(code), truncate(reason)));
        } catch (IOException | RuntimeException e) {
            // The peer or the network closed it between the check and the call: nothing left to close.
        }
    }

    @Override
    public void release() {
        close(CloseReason.CloseCodes.GOING_AWAY.getCode(), "released");
        // Every thread these executors and the transport ran on came from the owner's factory; the owner waits
        // for them, bounded by the deadline.
        container.shutdown();
        client.shutdown();
    }

    private String describe(Exception e) {
        String prefix = "Could not connect to the audio service at " + uri + ": ";
        HandshakeException handshake = cause(e, HandshakeException.class);
        if (handshake != null) {
            return prefix + "the WebSocket handshake was refused (HTTP " + handshake.getHttpStatusCode() + ")";
        }
        if (cause(e, ConnectException.class) != null) {
            return prefix + "connection refused";
        }
        if (cause(e, UnknownHostException.class) != null || cause(e, UnresolvedAddressException.class) != null) {
            return prefix + "unknown host";
        }
        if (isTimeout(e)) {
            return prefix + "no answer within the connect timeout";
        }
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String detail = root.getMessage() != null ? root.getMessage() : root.getClass().getSimpleName();
        return prefix + detail.replace(token, "<redacted>");
    }

    private static boolean isTimeout(Exception e) {
        return cause(e, TimeoutException.class) != null
                || (e.getMessage() != null && e.getMessage().contains("Handshake response not received"));
    }

    private static <T extends Throwable> T cause(Throwable e, Class<T> type) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }

    static String truncate(String reason) {
        byte[] bytes = reason.getBytes(StandardCharsets.UTF_8);
        if (bytes.length <= CLOSE_PHRASE_MAX_BYTES) {
            return reason;
        }
        return new String(bytes, 0, CLOSE_PHRASE_MAX_BYTES, StandardCharsets.UTF_8).replace("\uFFFD", "");
    }

    /** The Tyrus endpoint: forwards to the handler. One per connection. */
    private final class SignallingEndpoint extends Endpoint {

        @Override
        public void onOpen(Session opened, EndpointConfig config) {
            session = opened;
            opened.setMaxTextMessageBufferSize(maxMessageSize);
            opened.setMaxBinaryMessageBufferSize(maxMessageSize);
            opened.addMessageHandler(String.class, (MessageHandler.Whole<String>) handler::onText);
            opened.addMessageHandler(ByteBuffer.class, (MessageHandler.Whole<ByteBuffer>) data -> handler.onBinary());
            handler.onOpen();
        }

        @Override
        public void onClose(Session closed, CloseReason reason) {
            handler.onClosed(reason.getCloseCode().getCode(),
                    reason.getReasonPhrase() == null ? "" : reason.getReasonPhrase());
        }

        @Override
        public void onError(Session failed, Throwable error) {
            handler.onError(error);
        }
    }
}
