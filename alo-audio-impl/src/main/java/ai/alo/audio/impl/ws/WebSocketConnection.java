package ai.alo.audio.impl.ws;

import ai.alo.audio.impl.runtime.Cancellable;
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
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SNIHostName;
import org.glassfish.tyrus.client.ClientManager;
import org.glassfish.tyrus.core.HandshakeException;
import org.glassfish.tyrus.core.TyrusUpgradeResponse;
import org.glassfish.tyrus.spi.ClientContainer;
import org.glassfish.tyrus.spi.ClientEngine;
import org.glassfish.tyrus.spi.CompletionHandler;
import org.glassfish.tyrus.spi.Connection;
import org.glassfish.tyrus.spi.UpgradeRequest;
import org.glassfish.tyrus.spi.Writer;

/**
 * One WebSocket of a connection attempt: Tyrus's client engine (handshake, framing, the {@link Session}) running on a
 * {@link TcpConnection} of the runtime's shared socket I/O.
 *
 * <h2>Connecting</h2>
 * <p>Tyrus's {@code connectToServer} blocks until the handshake answers, so it runs on one of the runtime's connect
 * threads. It calls {@link AloClientContainer#openClientSocket} there, which hands the engine to {@link
 * #open(ClientEngine)}: the host name is resolved (blocking, on that thread) and a TCP connection is started on an I/O
 * loop. The loop writes the upgrade request, reads the answer and gives it to the engine. Whatever ends the connection
 * before the upgrade (the server closes or resets it, a refusal, an HTTP error status, {@link #abort()}) is handed to
 * the engine at once, which releases the connect thread at once: no connect waits for a timeout it does not need.
 *
 * <h2>Closing</h2>
 * <p>{@link #close(int, String)} sends the close frame through Tyrus. The socket stays open and readable until the peer
 * closes it, as RFC 6455 asks of a server after the close handshake; only then does the client end its own output. The
 * server is the active closer and holds the TIME_WAIT, not the client. A peer that never closes is cut off after the
 * linger. {@link #released()} completes when the descriptor is gone.
 *
 * <p>Thread-safe.
 */
final class WebSocketConnection implements SignallingConnection, TcpConnection.Handler {

    /** The key of this object in the {@link ClientEndpointConfig}'s user properties. */
    static final String USER_PROPERTY = WebSocketConnection.class.getName();

    private static final int CLOSE_PHRASE_MAX_BYTES = 123;
    /** Frame header bytes beyond the payload. */
    private static final int FRAME_OVERHEAD = 14;

    private final WebSocketTransport transport;
    private final ConnectSpec spec;
    private final SignallingListener listener;
    private final CompletableFuture<Void> released = new CompletableFuture<>();
    private final HttpUpgrade upgrade = new HttpUpgrade();

    private volatile boolean aborted;
    private volatile boolean connectorDone;
    private volatile boolean tcpReleased = true;
    private volatile ClientEngine engine;
    private volatile UpgradeRequest request;
    private volatile TcpConnection tcp;
    private volatile Session session;
    private volatile Cancellable linger;
    // loop thread only
    private Connection tyrusConnection;

    private final ClientManager client;

    WebSocketConnection(WebSocketTransport transport, ConnectSpec spec, SignallingListener listener,
                        ClientManager client) {
        this.transport = transport;
        this.spec = spec;
        this.listener = listener;
        this.client = client;
    }

    @Override
    public void start() {
        transport.start(this, client);
    }

    // ------------------------------------------------------------------------------------------------------------
    // connecting (on a connect thread)

    /** The connect could not be handed to a thread: nothing was opened, nothing is held. */
    void notStarted() {
        aborted = true;
        connectorDone = true;
        releasedIfDone();
    }

    /** Runs Tyrus's blocking connect; called on a connect thread. */
    void connectBlocking(ClientManager manager) {
        try {
            if (aborted) {
                return;
            }
            ClientEndpointConfig config = ClientEndpointConfig.Builder.create()
                    .configurator(new ClientEndpointConfig.Configurator() {
                        @Override
                        public void beforeRequest(Map<String, List<String>> headers) {
                            headers.put("Authorization", List.of("Bearer " + spec.token()));
                        }

                        @Override
                        public void afterResponse(HandshakeResponse response) {
                            // the protocol version is negotiated in hello/welcome
                        }
                    })
                    .build();
            config.getUserProperties().put(USER_PROPERTY, this);
            // Tyrus buffers a partial frame plus one read: room for the largest frame and a whole read buffer.
            config.getUserProperties().put(ClientContainer.WLS_INCOMING_BUFFER_SIZE,
                    spec.maxMessageSize() + FRAME_OVERHEAD + IoLoop.READ_BUFFER_SIZE);
            manager.connectToServer(new SignallingEndpoint(), config, spec.uri());
        } catch (DeploymentException | IOException e) {
            if (!aborted) {
                listener.onConnectFailed(describe(e));
            }
            abortSocket();
        } catch (RuntimeException | LinkageError e) {
            if (!aborted) {
                listener.onConnectFailed(new TransportException(TransportException.Kind.OTHER,
                        "Could not connect to the audio service at " + spec.uri() + ": " + redact(e.toString()), 0,
                        e));
            }
            abortSocket();
        } finally {
            connectorDone = true;
            releasedIfDone();
        }
    }

    /**
     * Called by {@link AloClientContainer} on the connect thread with the engine of this connect: resolves the host
     * and starts the TCP connection.
     */
    void open(ClientEngine clientEngine) throws IOException {
        this.engine = clientEngine;
        UpgradeRequest upgradeRequest = clientEngine.createUpgradeRequest(this::abort);
        if (upgradeRequest == null) {
            throw new IOException("Tyrus could not create the upgrade request");
        }
        this.request = upgradeRequest;
        if (aborted) {
            throw new IOException("connect cancelled");
        }
        URI uri = spec.uri();
        boolean secure = "wss".equalsIgnoreCase(uri.getScheme());
        int port = uri.getPort() != -1 ? uri.getPort() : secure ? 443 : 80;
        InetSocketAddress address = new InetSocketAddress(uri.getHost(), port);
        if (address.isUnresolved()) {
            throw new UnknownHostException(uri.getHost());
        }
        SSLEngine tlsEngine = secure ? newTlsEngine(uri.getHost(), port) : null;
        TcpConnection connection;
        synchronized (this) {
            if (aborted) {
                throw new IOException("connect cancelled");
            }
            connection = TcpConnection.create(transport.nextLoop(), tlsEngine, this,
                    Math.max(256 * 1024, 4 * spec.maxMessageSize()));
            tcpReleased = false;
            tcp = connection;
        }
        try {
            connection.connect(address);
        } catch (IOException e) {
            tcpReleased = true;
            throw e;
        }
    }

    private SSLEngine newTlsEngine(String host, int port) throws IOException {
        try {
            SSLContext context = spec.sslContext() != null ? spec.sslContext() : SSLContext.getDefault();
            SSLEngine tlsEngine = context.createSSLEngine(host, port);
            tlsEngine.setUseClientMode(true);
            SSLParameters parameters = tlsEngine.getSSLParameters();
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
            if (!host.isEmpty() && Character.isLetter(host.charAt(0)) && !host.contains(":")) {
                parameters.setServerNames(List.of(new SNIHostName(host)));
            }
            tlsEngine.setSSLParameters(parameters);
            return tlsEngine;
        } catch (java.security.NoSuchAlgorithmException | IllegalArgumentException e) {
            throw new SSLException("no TLS context available: " + e.getMessage(), e);
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // the TCP connection's events (loop thread)

    @Override
    public void onConnected() {
        tcp.write(HttpUpgrade.request(request), null);
    }

    @Override
    public void onData(ByteBuffer data) {
        if (tyrusConnection != null) {
            tyrusConnection.getReadHandler().handle(data);
            return;
        }
        TyrusUpgradeResponse response;
        try {
            response = upgrade.offer(data);
        } catch (IOException e) {
            failHandshake(e);
            return;
        }
        if (response == null) {
            return;
        }
        ClientEngine.ClientUpgradeInfo info = engine.processResponse(response, new TcpWriter(), reason -> finish());
        switch (info.getUpgradeStatus()) {
            case SUCCESS:
                tyrusConnection = info.createConnection();
                if (data.hasRemaining()) {
                    tyrusConnection.getReadHandler().handle(data);
                }
                break;
            case ANOTHER_UPGRADE_REQUEST_REQUIRED:
                failHandshake(new IOException("the audio service asked for HTTP authentication or a redirect (HTTP "
                        + response.getStatus() + "), which this client does not follow"));
                break;
            default:
                // the engine has reported the refusal to the connecting thread
                tcp.close();
                break;
        }
    }

    @Override
    public void onInputEnded() {
        if (tyrusConnection == null) {
            failHandshake(new IOException("the audio service closed the connection during the WebSocket handshake"));
        } else {
            // After a completed close handshake Tyrus ignores this; otherwise the endpoint sees 1006.
            tyrusConnection.close(new CloseReason(CloseReason.CloseCodes.CLOSED_ABNORMALLY, "Closed abnormally."));
            // The peer closed first (as a server should after the close handshake): write what is queued, end our
            // output, and the socket is released; the peer holds the TIME_WAIT.
            tcp.finishWriting();
        }
    }

    @Override
    public void onFailed(IOException cause) {
        if (tyrusConnection == null) {
            failHandshake(cause);
        } else {
            tyrusConnection.close(new CloseReason(CloseReason.CloseCodes.CLOSED_ABNORMALLY, "Closed abnormally."));
        }
    }

    @Override
    public void onReleased() {
        Cancellable timer;
        synchronized (this) {
            tcpReleased = true;
            timer = linger;
        }
        if (timer != null) {
            timer.cancel();
        }
        releasedIfDone();
    }

    private void failHandshake(IOException cause) {
        ClientEngine current = engine;
        if (current != null) {
            try {
                current.processError(cause);
            } catch (RuntimeException e) {
                // the engine has already finished (success or failure)
            }
        }
        TcpConnection connection = tcp;
        if (connection != null) {
            connection.close();
        }
    }

    /**
     * The WebSocket is closed on our side: wait (bounded by the linger) for the peer to close the TCP connection
     * first. Ending our output here would make the client the active closer and leave a TIME_WAIT on the client's
     * host for every disconnect.
     */
    private void finish() {
        TcpConnection connection = tcp;
        if (connection == null) {
            return;
        }
        synchronized (this) {
            // once: Tyrus closes its writer and calls the close listener, possibly on two threads
            if (linger == null && !tcpReleased) {
                linger = transport.timer().schedule(connection::close, spec.closeLinger().toNanos());
            }
        }
    }

    private void releasedIfDone() {
        if (connectorDone && tcpReleased && !released.isDone()) {
            transport.forget(this);
            released.complete(null);
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // SignallingConnection

    @Override
    public void send(String text, SendCallback callback) {
        Session current = session;
        if (current == null || !current.isOpen()) {
            callback.failed(new IOException("the connection is not open"));
            return;
        }
        try {
            current.getAsyncRemote().sendText(text, result -> {
                if (result.isOK()) {
                    callback.sent();
                } else {
                    callback.failed(result.getException());
                }
            });
        } catch (RuntimeException e) {
            callback.failed(e);
        }
    }

    @Override
    public void close(int code, String reason) {
        Session current = session;
        if (current == null || !current.isOpen()) {
            if (current == null) {
                abort();
            }
            return;
        }
        try {
            current.close(new CloseReason(CloseReason.CloseCodes.getCloseCode(code), truncate(reason)));
        } catch (IOException | RuntimeException e) {
            // closed meanwhile by the peer or the network: nothing left to close gracefully
            abortSocket();
        }
    }

    @Override
    public void abort() {
        synchronized (this) {
            aborted = true;
        }
        ClientEngine current = engine;
        if (current != null && session == null) {
            try {
                current.processError(new IOException("connect cancelled"));
            } catch (RuntimeException e) {
                // the handshake has just finished: the socket close below ends the session
            }
        }
        abortSocket();
    }

    private void abortSocket() {
        TcpConnection connection = tcp;
        if (connection != null) {
            connection.close();
        }
    }

    @Override
    public void readPending(Runnable then) {
        TcpConnection connection = tcp;
        if (connection == null) {
            then.run();
        } else {
            connection.readPending(then);
        }
    }

    @Override
    public boolean isOpen() {
        Session current = session;
        return current != null && current.isOpen();
    }

    @Override
    public CompletableFuture<Void> released() {
        return released;
    }

    // ------------------------------------------------------------------------------------------------------------

    private TransportException describe(Exception e) {
        String prefix = "Could not connect to the audio service at " + spec.uri() + ": ";
        HandshakeException handshake = cause(e, HandshakeException.class);
        if (handshake != null) {
            int status = handshake.getHttpStatusCode();
            return new TransportException(TransportException.Kind.HTTP_STATUS, prefix
                    + "the WebSocket handshake was refused (HTTP " + status + httpMeaning(status) + ")", status, e);
        }
        if (cause(e, UnknownHostException.class) != null || cause(e, UnresolvedAddressException.class) != null) {
            return new TransportException(TransportException.Kind.UNKNOWN_HOST, prefix + "unknown host", 0, e);
        }
        if (cause(e, ConnectException.class) != null) {
            return new TransportException(TransportException.Kind.REFUSED, prefix + "connection refused", 0, e);
        }
        if (cause(e, SSLException.class) != null) {
            return new TransportException(TransportException.Kind.TLS, prefix + "TLS failed: "
                    + redact(rootMessage(cause(e, SSLException.class))), 0, e);
        }
        String root = rootMessage(e);
        if (root.contains("during the WebSocket handshake") || root.contains("Connection reset")
                || root.contains("Broken pipe")) {
            return new TransportException(TransportException.Kind.CLOSED_DURING_HANDSHAKE, prefix
                    + "the audio service closed the connection during the WebSocket handshake", 0, e);
        }
        return new TransportException(TransportException.Kind.OTHER, prefix + redact(root), 0, e);
    }

    private static String httpMeaning(int status) {
        switch (status) {
            case 401:
                return ": unauthorized";
            case 403:
                return ": forbidden";
            case 404:
                return ": no audio service at this path";
            case 429:
                return ": too many connections from this address";
            case 503:
                return ": the audio service is at capacity";
            default:
                return "";
        }
    }

    private String redact(String text) {
        return text == null ? "" : text.replace(spec.token(), "<redacted>");
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() != null ? root.getMessage() : root.getClass().getSimpleName();
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

    /** Tyrus's writer: frames go to the TCP connection; closing ends its output. */
    private final class TcpWriter extends Writer {

        @Override
        public void write(ByteBuffer buffer, CompletionHandler<ByteBuffer> handler) {
            TcpConnection connection = tcp;
            connection.write(buffer, new TcpConnection.WriteCallback() {
                @Override
                public void completed() {
                    if (handler != null) {
                        handler.completed(buffer);
                    }
                }

                @Override
                public void failed(IOException cause) {
                    if (handler != null) {
                        handler.failed(cause);
                    }
                }
            });
        }

        @Override
        public void close() {
            finish();
        }
    }

    /** The Tyrus endpoint of this connection: forwards to the listener. */
    private final class SignallingEndpoint extends Endpoint {

        @Override
        public void onOpen(Session opened, EndpointConfig config) {
            session = opened;
            opened.setMaxTextMessageBufferSize(spec.maxMessageSize());
            opened.setMaxBinaryMessageBufferSize(spec.maxMessageSize());
            opened.addMessageHandler(String.class, (MessageHandler.Whole<String>) listener::onText);
            opened.addMessageHandler(ByteBuffer.class, (MessageHandler.Whole<ByteBuffer>) data -> listener.onBinary());
            if (aborted) {
                // cancelled while the handshake completed: the socket is being closed, report nothing
                return;
            }
            listener.onOpen();
        }

        @Override
        public void onClose(Session closed, CloseReason reason) {
            if (!aborted) {
                listener.onClosed(reason.getCloseCode().getCode(),
                        reason.getReasonPhrase() == null ? "" : reason.getReasonPhrase());
            }
        }

        @Override
        public void onError(Session failed, Throwable error) {
            // a close follows: the close callback reports it
        }
    }
}
