package ai.alo.audio.server;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicLong;
import jakarta.websocket.CloseReason;
import org.glassfish.grizzly.Connection;
import org.glassfish.grizzly.ConnectionProbe;
import org.glassfish.grizzly.Grizzly;
import org.glassfish.grizzly.attributes.Attribute;
import org.glassfish.grizzly.filterchain.BaseFilter;
import org.glassfish.grizzly.filterchain.Filter;
import org.glassfish.grizzly.filterchain.FilterChainBuilder;
import org.glassfish.grizzly.filterchain.FilterChainContext;
import org.glassfish.grizzly.filterchain.NextAction;
import org.glassfish.grizzly.http.HttpContent;
import org.glassfish.grizzly.http.HttpHeader;
import org.glassfish.grizzly.http.HttpRequestPacket;
import org.glassfish.grizzly.http.HttpResponsePacket;
import org.glassfish.grizzly.http.server.AddOn;
import org.glassfish.grizzly.http.server.NetworkListener;
import org.glassfish.grizzly.memory.Buffers;
import org.glassfish.tyrus.spi.ReadHandler;
import org.glassfish.tyrus.spi.Writer;

/**
 * Guards the Tyrus port at the Grizzly level, where Tyrus offers no hooks: connection caps, the upgrade deadline and
 * the frame size limit.
 *
 * <ul>
 *   <li>Every accepted TCP connection gets a {@link ClientConnection} and a deadline: one that has not completed its
 *       WebSocket upgrade within {@code upgradeTimeout} is closed.</li>
 *   <li>An upgrade request is admitted against the caps ({@link ConnectionLimits}): over the total cap it is answered
 *       with HTTP 503, over the per-address cap with HTTP 429, both with {@code Retry-After} and
 *       {@code Connection: close}, and the connection is closed. Behind the fault-injection relay every connection
 *       comes from the relay, so the address counted is the one the relay puts in {@value #CLIENT_ADDRESS_HEADER}
 *       (trusted only from a loopback peer, and the relay replaces any value a client sent).</li>
 *   <li>An admitted request gets the {@value #CONNECTION_ID_HEADER} header (replacing any sent), through which the
 *       endpoint finds its {@link ClientConnection}.</li>
 *   <li>Once Tyrus has upgraded the connection, its read handler is wrapped in a {@link FrameGuard}.</li>
 * </ul>
 *
 * <p>The filter sits right before Tyrus's own filter, after the HTTP codec. Thread-safe.
 */
final class ConnectionGate implements AddOn {

    private static final System.Logger LOG = System.getLogger(AloAudioServer.class.getPackageName());

    /** Set on an admitted upgrade request: the {@link ClientConnection#id}. */
    static final String CONNECTION_ID_HEADER = "X-Alo-Connection-Id";
    /** Set by the fault-injection relay: the IP address of its client. */
    static final String CLIENT_ADDRESS_HEADER = "X-Alo-Client-Address";

    /** {@code Retry-After} of a 429 (per address), in seconds. */
    static final int RETRY_AFTER_ADDRESS_FULL = 1;
    /** {@code Retry-After} of a 503 (server full), in seconds. */
    static final int RETRY_AFTER_SERVER_FULL = 5;

    private static final String TYRUS_FILTER = "org.glassfish.tyrus.container.grizzly.server.GrizzlyServerFilter";
    private static final Attribute<ClientConnection> CONNECTION =
            Grizzly.DEFAULT_ATTRIBUTE_BUILDER.createAttribute(ConnectionGate.class.getName() + ".Connection");
    /** Tyrus's own attribute (attributes are shared by name): the upgraded connection. */
    private static final Attribute<org.glassfish.tyrus.spi.Connection> TYRUS_CONNECTION =
            Grizzly.DEFAULT_ATTRIBUTE_BUILDER.createAttribute(TYRUS_FILTER + ".Connection");

    private final ServerSettings settings;
    private final ScheduledExecutorService scheduler;
    private final ConnectionGauge gauge;
    private final boolean behindRelay;
    private final ConnectionLimits limits;
    private final ClientConnection.TooBigHandler tooBig;
    private final Map<Long, ClientConnection> byId = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();

    ConnectionGate(ServerSettings settings, ScheduledExecutorService scheduler, ConnectionGauge gauge,
                   boolean behindRelay, ClientConnection.TooBigHandler tooBig) {
        this.settings = settings;
        this.scheduler = scheduler;
        this.gauge = gauge;
        this.behindRelay = behindRelay;
        this.tooBig = tooBig;
        this.limits = new ConnectionLimits(settings.maxConnections(), settings.maxConnectionsPerAddress());
    }

    /** The probe to register on the transport: it sees every accept and close. */
    ConnectionProbe probe() {
        return new Probe();
    }

    /**
     * The connection an endpoint opened on, by the id of {@value #CONNECTION_ID_HEADER}.
     *
     * @param id the header's value
     * @return the connection, or null when unknown
     */
    ClientConnection find(long id) {
        return byId.get(id);
    }

    /** The admitted connections still open (for tests of the caps). */
    int admitted() {
        return limits.total();
    }

    /** Inserts the gate's filter right before Tyrus's filter; register this add-on after Tyrus's. */
    @Override
    @SuppressWarnings("unchecked")
    public void setup(NetworkListener networkListener, FilterChainBuilder builder) {
        int index;
        try {
            index = builder.indexOfType((Class<? extends Filter>) Class.forName(TYRUS_FILTER, false,
                    ConnectionGate.class.getClassLoader()));
        } catch (ClassNotFoundException e) {
            index = -1;
        }
        if (index < 0) {
            throw new IllegalStateException("Tyrus's filter " + TYRUS_FILTER + " is not in the filter chain (Tyrus "
                    + "version other than 2.1.x?)");
        }
        builder.add(index, new GateFilter());
    }

    private String clientAddress(ClientConnection connection, HttpHeader request) {
        if (behindRelay) {
            String forwarded = request.getHeader(CLIENT_ADDRESS_HEADER);
            if (forwarded != null && isLoopback(connection.peerAddress())) {
                return forwarded.strip();
            }
        }
        return connection.peerAddress();
    }

    private static boolean isLoopback(String address) {
        try {
            return InetAddress.getByName(address).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    @SuppressWarnings("rawtypes")
    private static String peerAddressOf(Connection connection) {
        Object peer = connection.getPeerAddress();
        if (peer instanceof InetSocketAddress socketAddress && socketAddress.getAddress() != null) {
            return socketAddress.getAddress().getHostAddress();
        }
        return String.valueOf(peer);
    }

    /** Writes 429/503 with {@code Retry-After}, then closes the connection once the response is written. */
    private static void refuse(FilterChainContext ctx, HttpRequestPacket request, int status, String phrase,
                               int retryAfterSeconds, String text) {
        HttpResponsePacket response = request.getResponse();
        response.setStatus(status);
        response.setReasonPhrase(phrase);
        response.setHeader("Retry-After", Integer.toString(retryAfterSeconds));
        response.setHeader("Connection", "close");
        response.setContentType("text/plain;charset=UTF-8");
        byte[] body = (text + "\n").getBytes(StandardCharsets.UTF_8);
        response.setContentLength(body.length);
        request.getProcessingState().setKeepAlive(false);
        ctx.write(HttpContent.builder(response)
                .content(Buffers.wrap(ctx.getMemoryManager(), body))
                .last(true)
                .build());
        ctx.getConnection().closeSilently();
    }

    /** Installs the frame guard once Tyrus has upgraded the connection. */
    @SuppressWarnings("rawtypes")
    private void installGuard(Connection grizzly, ClientConnection connection) {
        if (connection.guard() != null) {
            return;
        }
        org.glassfish.tyrus.spi.Connection tyrus = TYRUS_CONNECTION.get(grizzly);
        if (tyrus == null || tyrus instanceof GuardedConnection) {
            return;
        }
        FrameGuard guard = new FrameGuard(tyrus.getReadHandler(), settings.maxMessageSize(), connection);
        TYRUS_CONNECTION.set(grizzly, new GuardedConnection(tyrus, guard));
        connection.guard(guard);
    }

    /** The gate's filter, after the HTTP codec and before Tyrus. */
    private final class GateFilter extends BaseFilter {

        @Override
        public NextAction handleRead(FilterChainContext ctx) throws IOException {
            ClientConnection connection = CONNECTION.get(ctx.getConnection());
            if (connection == null || !(ctx.getMessage() instanceof HttpContent content)) {
                return ctx.getInvokeAction();
            }
            if (connection.admitted()) {
                installGuard(ctx.getConnection(), connection);
                return ctx.getInvokeAction();
            }
            if (connection.upgradeRefused()) {
                return ctx.getStopAction();
            }
            HttpHeader header = content.getHttpHeader();
            if (!header.isRequest() || !"websocket".equalsIgnoreCase(header.getUpgrade())) {
                return ctx.getInvokeAction();
            }
            String address = clientAddress(connection, header);
            ConnectionLimits.Admission admission = limits.tryAdmit(address);
            if (admission == ConnectionLimits.Admission.ADMITTED) {
                connection.admit(address);
                header.setHeader(CONNECTION_ID_HEADER, Long.toString(connection.id));
                return ctx.getInvokeAction();
            }
            connection.refuseUpgrade();
            boolean serverFull = admission == ConnectionLimits.Admission.SERVER_FULL;
            LOG.log(Level.INFO, () -> "ALOSRV-5036 Upgrade from " + address + " refused: " + (serverFull
                    ? "the server holds its maximum of " + settings.maxConnections() + " connections (503)"
                    : "the address holds its maximum of " + settings.maxConnectionsPerAddress()
                    + " connections (429)"));
            if (serverFull) {
                refuse(ctx, (HttpRequestPacket) header, 503, "Service Unavailable", RETRY_AFTER_SERVER_FULL,
                        "The server holds its maximum number of connections; retry later.");
            } else {
                refuse(ctx, (HttpRequestPacket) header, 429, "Too Many Requests", RETRY_AFTER_ADDRESS_FULL,
                        "Your address holds its maximum number of connections; retry later.");
            }
            return ctx.getStopAction();
        }
    }

    /** Sees every accepted and closed TCP connection; Grizzly's probe interface uses raw types. */
    @SuppressWarnings("rawtypes")
    private final class Probe extends ConnectionProbe.Adapter {

        @Override
        public void onAcceptEvent(Connection serverConnection, Connection clientConnection) {
            ClientConnection connection = new ClientConnection(ids.incrementAndGet(), clientConnection,
                    peerAddressOf(clientConnection), scheduler, settings.maxMessageSize(), tooBig);
            CONNECTION.set(clientConnection, connection);
            byId.put(connection.id, connection);
            gauge.opened();
            connection.upgradeDeadline(settings.upgradeTimeoutMs(), () -> {
                LOG.log(Level.INFO, () -> "ALOSRV-5037 Connection from " + connection.address() + " closed: no "
                        + "WebSocket upgrade within " + settings.upgradeTimeoutMs() + " ms");
                clientConnection.terminateSilently();
            });
        }

        @Override
        public void onCloseEvent(Connection closed) {
            ClientConnection connection = CONNECTION.get(closed);
            if (connection == null || !connection.released()) {
                return;
            }
            byId.remove(connection.id);
            if (connection.admitted()) {
                limits.release(connection.address());
            }
            gauge.closed();
        }
    }

    /** Tyrus's connection with its read handler replaced by the guard. */
    private record GuardedConnection(org.glassfish.tyrus.spi.Connection delegate, FrameGuard guard)
            implements org.glassfish.tyrus.spi.Connection {

        @Override
        public ReadHandler getReadHandler() {
            return guard;
        }

        @Override
        public Writer getWriter() {
            return delegate.getWriter();
        }

        @Override
        public CloseListener getCloseListener() {
            return delegate.getCloseListener();
        }

        @Override
        public void close(CloseReason reason) {
            delegate.close(reason);
        }
    }
}
