package ai.alo.audio.server;

import ai.alo.audio.server.fault.TcpFaultRelay;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The server's fault-injection relay in front of the Tyrus port: the project's one fault engine ({@link
 * TcpFaultRelay}, shared with the test kit's {@code FaultProxy}) configured for the service.
 *
 * <p>It tags each WebSocket upgrade request: any {@value #RELAY_HEADER} and {@value
 * ConnectionGate#CLIENT_ADDRESS_HEADER} header the client sent is replaced with the relay's connection number and the
 * client's IP address (so the server can map a session to its connection, and its per-address connection cap counts
 * the client, not the relay). A request head over {@value TcpFaultRelay#MAX_REQUEST_HEAD} bytes is reset. An end of
 * stream from either side closes the connection once the bytes before it were passed on. Each direction buffers at
 * most {@value #BUFFER_BYTES} bytes; an idle connection holds none (10,000 idle sessions cost sockets, not buffers).
 *
 * <p>Faults: {@link #drop} resets both sockets of a connection ({@code SO_LINGER 0}: RST, no WebSocket close frame).
 * {@link #freeze} turns a connection into a lossy black hole: whatever arrives from either side is read and discarded
 * while both sockets stay open, and the end of one side is not passed on (the relay closes its socket to that side
 * only, and releases the connection when the other side has closed too). Unfreezing resumes copying (what was
 * discarded is lost, so a WebSocket stream frozen in the middle of a frame stays broken); a connection that lost a
 * side while frozen is closed at once when unfrozen.
 *
 * <p>Thread-safety: the engine's one selector thread owns every connection; these methods hand it a command and wait
 * (bounded). {@link #close(boolean)} ends the thread and closes every socket it opened. The connection gauge is
 * updated on that thread.
 */
final class FaultRelay {

    /** The header that tells the endpoint which relay connection carries a WebSocket session. */
    static final String RELAY_HEADER = "X-Alo-Relay-Id";

    /** The most bytes buffered per direction of one connection. */
    static final int BUFFER_BYTES = 32 * 1024;

    private static final System.Logger LOG = System.getLogger(AloAudioServer.class.getPackageName());

    private final TcpFaultRelay engine;

    /**
     * Binds the public port; nothing is accepted before {@link #start}.
     *
     * @param bind  the public address
     * @param gauge counts the relayed connections
     * @throws IOException if the port cannot be bound
     */
    FaultRelay(InetSocketAddress bind, ConnectionGauge gauge) throws IOException {
        this.engine = TcpFaultRelay.builder()
                .name("fault-injection relay")
                .bindAddress(bind.getAddress())
                .port(bind.getPort())
                .reuseAddress(true)
                .bufferBytes(BUFFER_BYTES)
                .closeOnEndOfStream(true)
                .requestHeaders(FaultRelay::upgradeHeaders)
                .listener(new GaugeAndLog(gauge))
                .bind();
    }

    private static Map<String, String> upgradeHeaders(long connectionId, InetAddress client) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put(RELAY_HEADER, Long.toString(connectionId));
        headers.put(ConnectionGate.CLIENT_ADDRESS_HEADER, client == null ? "unknown" : client.getHostAddress());
        return headers;
    }

    /**
     * The bound public port.
     *
     * @return the port
     */
    int port() {
        return engine.port();
    }

    /**
     * Starts relaying to {@code target}.
     *
     * @param target     the upstream (Tyrus) address
     * @param threadName the name of the selector thread
     */
    void start(InetSocketAddress target, String threadName) {
        engine.start(target, threadName);
        LOG.log(Level.INFO, () -> "ALOSRV-5040 Fault-injection relay on port " + port() + " in front of " + target);
    }

    /** Closes the public port; existing connections go on. */
    void stopAccepting() {
        engine.stopAccepting();
    }

    /** Resets both sockets of a connection; {@code false} when there is no such connection. */
    boolean drop(long id) {
        boolean dropped = engine.drop(id);
        if (dropped) {
            logReset(Long.toString(id));
        }
        return dropped;
    }

    /** Resets every connection; returns how many. */
    int dropAll() {
        int count = engine.cut();
        logReset("all (" + count + ")");
        return count;
    }

    private static void logReset(String which) {
        LOG.log(Level.INFO, () -> "ALOSRV-5041 Relay connection " + which + " reset");
    }

    /** Freezes or unfreezes a connection; {@code false} when there is no such connection. */
    boolean freeze(long id, boolean frozen) {
        boolean found = engine.freeze(id, frozen);
        if (found) {
            logFreeze(Long.toString(id), frozen);
        }
        return found;
    }

    /** Freezes or unfreezes every connection; returns how many. */
    int freezeAll(boolean frozen) {
        int count = engine.freezeAll(frozen);
        logFreeze("all (" + count + ")", frozen);
        return count;
    }

    private static void logFreeze(String which, boolean frozen) {
        if (frozen) {
            LOG.log(Level.INFO, () -> "ALOSRV-5042 Relay connection " + which + " frozen: traffic is discarded both "
                    + "ways");
        } else {
            LOG.log(Level.INFO, () -> "ALOSRV-5043 Relay connection " + which + " unfrozen");
        }
    }

    /**
     * Ends the selector thread and closes every socket: with {@code reset}, connections are reset (RST).
     * Waits (bounded) for the thread to end. Idempotent.
     *
     * @param reset whether to reset the connections rather than close them
     */
    void close(boolean reset) {
        engine.close(reset);
    }

    /** Counts connections for the server's gauge and logs the engine's failures with the server's ids. */
    private record GaugeAndLog(ConnectionGauge gauge) implements TcpFaultRelay.Listener {

        @Override
        public void opened(long id, InetSocketAddress client) {
            gauge.opened();
        }

        @Override
        public void closed(long id) {
            gauge.closed();
        }

        @Override
        public void requestHeadTooLarge(long id) {
            LOG.log(Level.INFO, () -> "ALOSRV-5045 Relay connection " + id + ": request head larger than "
                    + TcpFaultRelay.MAX_REQUEST_HEAD + " bytes, closed");
        }

        @Override
        public void acceptFailed(IOException cause) {
            LOG.log(Level.WARNING, "ALOSRV-5046 The fault-injection relay could not accept", cause);
        }

        @Override
        public void failed(Exception cause) {
            LOG.log(Level.WARNING, "ALOSRV-5044 The fault-injection relay failed; closing its connections", cause);
        }
    }
}
