package ai.alo.audio.testkit;

import ai.alo.audio.server.fault.TcpFaultRelay;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A TCP proxy on the loopback interface, in front of one loopback target (typically an {@link
 * ai.alo.audio.server.AloAudioServer}), that breaks the network between a client and the service on demand.
 *
 * <pre>{@code
 * try (AloAudioServer server = AloAudioServer.builder().media(false).build().start();
 *      FaultProxy proxy = FaultProxy.start(server.uri())) {
 *     URI through = proxy.uri(server.uri());     // ws://127.0.0.1:<proxy port>/audio
 *     // connect a client to "through", then:
 *     proxy.cut();                               // every connection reset (RST), at once
 * }
 * }</pre>
 *
 * <h2>Faults</h2>
 * <p>Every fault applies to all connections, the open ones and the ones accepted later, until it is changed; {@link
 * #heal()} clears them all. Each method returns once the proxy's thread applied it: after {@code blackHole(true)}
 * returns, no further byte is forwarded; after {@code cut()} returns, every connection open at the call is reset.
 * <ul>
 *   <li>{@link #cut()}: resets both sockets of every open connection ({@code SO_LINGER 0}: a TCP RST, no FIN, no
 *       WebSocket close frame), like a crashed middlebox or a NAT that forgot the flow.</li>
 *   <li>{@link #blackHole(boolean)}: a silent network. Nothing is forwarded in either direction and the sockets stay
 *       open (no FIN, no RST). Bytes are <em>held, not dropped</em>: the proxy stops reading, so they wait in the
 *       proxy's bounded buffers and in the kernels' socket buffers, and the senders' writes stall once those are
 *       full. Like a real partition under TCP (which retransmits), a black hole that ends before either peer gave
 *       up delivers everything, in order; each peer can only notice it with its own timeout (a heartbeat). An end of
 *       stream or a reset from one side is not noticed, and not passed on, until the black hole ends.</li>
 *   <li>{@link #latency(Duration)}: every chunk read from either side is forwarded no earlier than this much after
 *       it was read, in order (a chunk never overtakes an earlier one, also when the latency is lowered). A change
 *       applies to chunks read afterwards. A round trip through the proxy grows by twice the latency.</li>
 *   <li>{@link #throttle(long)}: each direction of each connection forwards at most this many bytes a second (a
 *       token bucket holding at most a tenth of a second of bytes, so bursts are short); 0 removes the limit.</li>
 *   <li>{@link #refuseNew(boolean)}: new connections are accepted and reset at once (RST before any byte), so a
 *       client's connect fails fast. They are accepted rather than left in the listen queue because the kernel
 *       completes the TCP handshake before the application accepts: a connection that is never accepted looks
 *       established to the client, which then waits for its handshake timeout (a black hole, not a refusal); and the
 *       port is not closed, so that no other process can take it before {@code refuseNew(false)}. Open connections
 *       are not affected.</li>
 * </ul>
 *
 * <h2>Memory and back-pressure</h2>
 * <p>Each direction of each connection buffers at most {@link Builder#bufferBytes(int) bufferBytes} (default
 * {@value #DEFAULT_BUFFER_BYTES}) bytes: when they are waiting (a slow receiver, latency, a throttle), the proxy stops
 * reading from the sender until the receiver took some. With latency {@code L} the throughput of one direction is
 * therefore at most {@code bufferBytes / L}.
 *
 * <h2>Threads and resources</h2>
 * <p>One daemon selector thread ({@code alo-testkit-proxy-<port>}) serves every connection; no thread is started per
 * connection. The public methods are thread-safe: they hand a command to that thread and wait (at most 10 s) for it.
 * {@link #close()} ends the thread, closes the listening socket and every connection's two sockets, and returns after
 * the thread ended; it is idempotent. After {@code close()} the fault methods throw {@link IllegalStateException}; the
 * counters keep their last values.
 *
 * <h2>One engine</h2>
 * <p>The forwarding and the faults are the reference service's own fault engine ({@code
 * ai.alo.audio.server.fault.TcpFaultRelay}, internal), the same code that serves the service's fault-injection relay
 * ({@code AloAudioServer.dropConnection}, {@code freeze}); this class is its public face for tests: loopback checks,
 * validation, logging and the URI helper.
 *
 * <h2>Loopback only</h2>
 * <p>The proxy binds and connects to loopback addresses only (127.0.0.0/8 and ::1): a bind address or a target
 * elsewhere is refused with an {@link IllegalArgumentException}, and host names other than {@code localhost} are not
 * looked up (no DNS query), so a test cannot send traffic off the machine through it.
 *
 * @since 0.1
 */public final class FaultProxy implements AutoCloseable {

    /** The default bound of the bytes buffered per direction of one connection. */
    public static final int DEFAULT_BUFFER_BYTES = 256 * 1024;

    /** The longest latency {@link #latency(Duration)} accepts. */
    public static final Duration MAX_LATENCY = Duration.ofMinutes(10);

    private static final System.Logger LOG = System.getLogger(FaultProxy.class.getPackageName());
    private static final Pattern IPV4_LITERAL = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    private final InetSocketAddress target;
    private final InetSocketAddress address;
    private final TcpFaultRelay engine;

    private FaultProxy(Builder builder) {
        this.target = builder.target;
        TcpFaultRelay bound;
        try {
            bound = TcpFaultRelay.builder()
                    .name("fault proxy")
                    .bindAddress(builder.bindAddress)
                    .port(builder.port)
                    .bufferBytes(builder.bufferBytes)
                    .listener(new FailureLog())
                    .bind();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot bind the fault proxy to " + builder.bindAddress.getHostAddress()
                    + ":" + builder.port + ": " + e.getMessage(), e);
        }
        this.engine = bound;
        this.address = bound.address();
        String name = builder.threadName != null ? builder.threadName : "alo-testkit-proxy-" + address.getPort();
        try {
            bound.start(target, name);
        } catch (RuntimeException e) {
            bound.close(false);
            throw e;
        }
        LOG.log(Level.INFO, () -> "ALOAUD-2200 Fault proxy on " + describe(address) + " in front of "
                + describe(target));
    }

    /**
     * Starts a proxy with the defaults (an ephemeral port on 127.0.0.1) in front of {@code target}.
     *
     * @param target a loopback address and port
     * @return the running proxy
     * @throws IllegalArgumentException if the target is not on the loopback interface
     * @throws UncheckedIOException     if no port can be bound
     */
    public static FaultProxy start(InetSocketAddress target) {
        return builder(target).start();
    }

    /**
     * Starts a proxy with the defaults in front of the host and port of a service URI, such as
     * {@code AloAudioServer.uri()} ({@code ws://127.0.0.1:41234/audio}; without a port, 80 for {@code ws}/{@code http}
     * and 443 for {@code wss}/{@code https}).
     *
     * @param service the URI of a service on the loopback interface
     * @return the running proxy
     * @throws IllegalArgumentException if the URI has no host, or its host is not a loopback address or
     *                                  {@code localhost}
     */
    public static FaultProxy start(URI service) {
        return builder(targetOf(service)).start();
    }

    /**
     * Starts configuring a proxy in front of {@code target}.
     *
     * @param target a loopback address and port (checked here)
     * @return a builder
     * @throws IllegalArgumentException if the target is not on the loopback interface or its port is not 1..65535
     */
    public static Builder builder(InetSocketAddress target) {
        return new Builder(target);
    }

    // ------------------------------------------------------------------ faults

    /**
     * Resets every open connection on both sides (RST; no FIN, no WebSocket close frame) and forgets the bytes in
     * flight. Connections accepted afterwards are forwarded normally (see {@link #refuseNew(boolean)} to refuse them).
     *
     * @return how many connections were reset
     * @throws IllegalStateException after {@link #close()}
     */
    public int cut() {
        int count = engine.cut();
        LOG.log(Level.INFO, () -> "ALOAUD-2201 Fault proxy " + address.getPort() + ": " + count
                + " connections cut (reset)");
        return count;
    }

    /**
     * Starts or ends a black hole: nothing is forwarded either way while the sockets stay open. Bytes are held, not
     * dropped (see the class documentation); ending the black hole forwards them in order.
     *
     * @param enabled {@code true} to stop forwarding, {@code false} to resume
     * @return this proxy
     * @throws IllegalStateException after {@link #close()}
     */
    public FaultProxy blackHole(boolean enabled) {
        engine.blackHole(enabled);
        LOG.log(Level.INFO, () -> "ALOAUD-2202 Fault proxy " + address.getPort() + ": black hole "
                + (enabled ? "on: nothing is forwarded, sockets stay open" : "off: forwarding resumes"));
        return this;
    }

    /**
     * Delays every chunk forwarded in either direction by {@code delay} (see the class documentation); zero removes
     * the delay for chunks read from now on.
     *
     * @param delay the one-way delay; zero or positive, at most {@link #MAX_LATENCY}
     * @return this proxy
     * @throws NullPointerException     if {@code delay} is null
     * @throws IllegalArgumentException if {@code delay} is negative or longer than {@link #MAX_LATENCY}
     * @throws IllegalStateException    after {@link #close()}
     */
    public FaultProxy latency(Duration delay) {
        Objects.requireNonNull(delay, "delay");
        if (delay.isNegative()) {
            throw new IllegalArgumentException("latency must not be negative, was " + delay);
        }
        if (delay.compareTo(MAX_LATENCY) > 0) {
            throw new IllegalArgumentException("latency must be at most " + MAX_LATENCY + ", was " + delay);
        }
        engine.latency(delay);
        LOG.log(Level.INFO, () -> "ALOAUD-2203 Fault proxy " + address.getPort() + ": latency " + delay.toMillis()
                + " ms each way");
        return this;
    }

    /**
     * Limits each direction of each connection to {@code limit} bytes a second; 0 removes the limit.
     *
     * @param limit bytes a second, or 0 for unlimited
     * @return this proxy
     * @throws IllegalArgumentException if {@code limit} is negative
     * @throws IllegalStateException    after {@link #close()}
     */
    public FaultProxy throttle(long limit) {
        if (limit < 0) {
            throw new IllegalArgumentException("throttle must be 0 (unlimited) or a positive number of bytes a second, "
                    + "was " + limit);
        }
        engine.throttle(limit);
        LOG.log(Level.INFO, () -> "ALOAUD-2204 Fault proxy " + address.getPort() + ": throttle "
                + (limit == 0 ? "off" : limit + " bytes/s each way"));
        return this;
    }

    /**
     * Refuses new connections (accepted and reset at once; see the class documentation for why), or accepts them
     * again. Open connections are not affected.
     *
     * @param enabled {@code true} to refuse new connections
     * @return this proxy
     * @throws IllegalStateException after {@link #close()}
     */
    public FaultProxy refuseNew(boolean enabled) {
        engine.refuseNew(enabled);
        LOG.log(Level.INFO, () -> "ALOAUD-2205 Fault proxy " + address.getPort() + ": new connections "
                + (enabled ? "refused (reset at once)" : "accepted"));
        return this;
    }

    /**
     * Clears every fault: no black hole, no latency, no throttle, new connections accepted. Open connections are kept
     * (bytes held by a black hole are forwarded).
     *
     * @return this proxy
     * @throws IllegalStateException after {@link #close()}
     */
    public FaultProxy heal() {
        engine.heal();
        return this;
    }

    // ------------------------------------------------------------------ state

    /**
     * The same URI with the host and port of this proxy: {@code ws://127.0.0.1:41234/audio} becomes
     * {@code ws://127.0.0.1:<proxy port>/audio}; scheme, path, query and fragment are kept.
     *
     * @param original a URI with a host, typically the service's
     * @return the URI through the proxy
     * @throws NullPointerException     if {@code original} is null
     * @throws IllegalArgumentException if {@code original} has no host
     */
    public URI uri(URI original) {
        Objects.requireNonNull(original, "original");
        if (original.getHost() == null) {
            throw new IllegalArgumentException("The URI has no host to replace: " + original);
        }
        try {
            return new URI(original.getScheme(), original.getUserInfo(), address.getAddress().getHostAddress(),
                    address.getPort(), original.getPath(), original.getQuery(), original.getFragment());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("Cannot form a proxied URI from " + original + ": " + e.getMessage(), e);
        }
    }

    /**
     * The port the proxy listens on.
     *
     * @return the port (valid after {@link #close()} too)
     */
    public int port() {
        return address.getPort();
    }

    /**
     * The address the proxy listens on.
     *
     * @return a loopback address and port
     */
    public InetSocketAddress address() {
        return address;
    }

    /**
     * The address the proxy forwards to.
     *
     * @return a loopback address and port
     */
    public InetSocketAddress target() {
        return target;
    }

    /**
     * Connections accepted and not yet closed.
     *
     * @return the count now
     */
    public int openConnections() {
        return engine.openConnections();
    }

    /**
     * Bytes written to either side since the start, in both directions together.
     *
     * @return the total
     */
    public long bytesForwarded() {
        return engine.bytesForwarded();
    }

    /**
     * Connections accepted and forwarded since the start (refused ones not counted).
     *
     * @return the total
     */
    public long connectionsAccepted() {
        return engine.connectionsAccepted();
    }

    /**
     * Connections reset at once because of {@link #refuseNew(boolean)} since the start.
     *
     * @return the total
     */
    public long connectionsRefused() {
        return engine.connectionsRefused();
    }

    /**
     * Whether a black hole is on.
     *
     * @return the current setting
     */
    public boolean isBlackHole() {
        return engine.isBlackHole();
    }

    /**
     * The current one-way latency.
     *
     * @return the setting of {@link #latency(Duration)}
     */
    public Duration latency() {
        return engine.latency();
    }

    /**
     * The current throttle.
     *
     * @return bytes a second per direction and connection, 0 for unlimited
     */
    public long throttle() {
        return engine.throttle();
    }

    /**
     * Whether new connections are refused.
     *
     * @return the current setting
     */
    public boolean isRefusingNew() {
        return engine.isRefusingNew();
    }

    /**
     * Whether the proxy runs (not closed, and its thread did not fail).
     *
     * @return {@code true} while it forwards
     */
    public boolean isRunning() {
        return engine.isRunning();
    }

    /**
     * Ends the thread and closes the listening socket and every connection (a plain close: the peers see an end of
     * stream, or a reset where unread bytes were pending). Returns after the thread ended (bounded: 10 s).
     * Idempotent; may be called from any thread.
     */
    @Override
    public void close() {
        engine.close(false);
        LOG.log(Level.DEBUG, () -> "Fault proxy " + address.getPort() + " closed");
    }

    @Override
    public String toString() {
        boolean blackHole = engine.isBlackHole();
        long latencyMillis = engine.latency().toMillis();
        long bytesPerSecond = engine.throttle();
        boolean refuseNew = engine.isRefusingNew();
        return "FaultProxy[" + describe(address) + " -> " + describe(target) + ", open " + openConnections()
                + (blackHole ? ", black hole" : "") + (latencyMillis > 0 ? ", latency " + latencyMillis + " ms" : "")
                + (bytesPerSecond > 0 ? ", throttle " + bytesPerSecond + " B/s" : "")
                + (refuseNew ? ", refusing new" : "") + (engine.isRunning() ? "" : ", closed") + "]";
    }

    // ------------------------------------------------------------------ addresses

    /** The host and port of a service URI, checked to be on the loopback interface. */
    static InetSocketAddress targetOf(URI service) {
        Objects.requireNonNull(service, "service");
        String host = service.getHost();
        if (host == null) {
            throw new IllegalArgumentException("The service URI has no host: " + service);
        }
        int port = service.getPort();
        if (port < 0) {
            String scheme = service.getScheme() == null ? "" : service.getScheme().toLowerCase(Locale.ROOT);
            port = scheme.equals("wss") || scheme.equals("https") ? 443 : 80;
        }
        return new InetSocketAddress(loopback(host, "target"), port);
    }

    /**
     * A loopback address for a host string, without any name look-up: an IP literal on the loopback interface, or
     * {@code localhost} (the JDK's loopback address).
     */
    static InetAddress loopback(String host, String what) {
        Objects.requireNonNull(host, what);
        String literal = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        InetAddress address;
        if (literal.equalsIgnoreCase("localhost")) {
            address = InetAddress.getLoopbackAddress();
        } else if (IPV4_LITERAL.matcher(literal).matches() || literal.indexOf(':') >= 0) {
            try {
                address = InetAddress.getByName(literal); // a literal: parsed, never looked up
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException("The " + what + " '" + host + "' is not a valid IP address", e);
            }
        } else {
            throw new IllegalArgumentException("The " + what + " '" + host + "' is a host name; the fault proxy takes "
                    + "only loopback addresses (127.0.0.1, ::1 or localhost) and never looks names up, so that test "
                    + "traffic cannot leave this machine");
        }
        return requireLoopback(address, what);
    }

    static InetAddress requireLoopback(InetAddress address, String what) {
        Objects.requireNonNull(address, what);
        if (!address.isLoopbackAddress()) {
            throw new IllegalArgumentException("The " + what + " " + address.getHostAddress() + " is not a loopback "
                    + "address: the fault proxy binds and forwards only on 127.0.0.0/8 and ::1, so that test traffic "
                    + "cannot leave this machine");
        }
        return address;
    }

    private static String describe(InetSocketAddress socketAddress) {
        InetAddress ip = socketAddress.getAddress();
        String host = ip == null ? socketAddress.getHostString() : ip.getHostAddress();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + socketAddress.getPort();
    }

    // ------------------------------------------------------------------ builder

    /**
     * Configures a {@link FaultProxy}. Not thread-safe; {@link #start()} may be called more than once (each call
     * starts a new proxy).
     *
     * @since 0.1
     */
    public static final class Builder {

        private final InetSocketAddress target;
        private InetAddress bindAddress = InetAddress.getLoopbackAddress();
        private int port;
        private int bufferBytes = DEFAULT_BUFFER_BYTES;
        private String threadName;

        private Builder(InetSocketAddress target) {
            Objects.requireNonNull(target, "target");
            InetAddress ip = target.isUnresolved() ? loopback(target.getHostString(), "target")
                    : requireLoopback(target.getAddress(), "target");
            if (target.getPort() < 1) {
                throw new IllegalArgumentException("The target port must be 1..65535, was " + target.getPort());
            }
            this.target = new InetSocketAddress(ip, target.getPort());
        }

        /**
         * The address to listen on (default: the JDK's loopback address, normally 127.0.0.1).
         *
         * @param address a loopback address
         * @return this builder
         * @throws IllegalArgumentException if it is not a loopback address
         */
        public Builder bindAddress(InetAddress address) {
            this.bindAddress = requireLoopback(address, "bind address");
            return this;
        }

        /**
         * The port to listen on (default 0: an ephemeral port).
         *
         * @param port 0..65535
         * @return this builder
         * @throws IllegalArgumentException if out of range
         */
        public Builder port(int port) {
            if (port < 0 || port > 65_535) {
                throw new IllegalArgumentException("port must be 0..65535, was " + port);
            }
            this.port = port;
            return this;
        }

        /**
         * The most bytes buffered per direction of one connection (default
         * {@value FaultProxy#DEFAULT_BUFFER_BYTES}).
         *
         * @param bytes at least 1024
         * @return this builder
         * @throws IllegalArgumentException if smaller
         */
        public Builder bufferBytes(int bytes) {
            if (bytes < 1024) {
                throw new IllegalArgumentException("bufferBytes must be at least 1024, was " + bytes);
            }
            this.bufferBytes = bytes;
            return this;
        }

        /**
         * The name of the proxy's thread (default {@code alo-testkit-proxy-<port>}).
         *
         * @param name not blank
         * @return this builder
         * @throws IllegalArgumentException if blank
         */
        public Builder threadName(String name) {
            Objects.requireNonNull(name, "name");
            if (name.isBlank()) {
                throw new IllegalArgumentException("threadName must not be blank");
            }
            this.threadName = name;
            return this;
        }

        /**
         * Binds the port and starts the proxy's thread.
         *
         * @return the running proxy
         * @throws UncheckedIOException if the port cannot be bound
         */
        public FaultProxy start() {
            return new FaultProxy(this);
        }
    }

    /** Logs the engine's failures with the kit's message ids. */
    private final class FailureLog implements TcpFaultRelay.Listener {

        @Override
        public void acceptFailed(IOException cause) {
            LOG.log(Level.WARNING, "ALOAUD-2207 Fault proxy " + address.getPort() + " could not accept: " + cause);
        }

        @Override
        public void failed(Exception cause) {
            LOG.log(Level.WARNING, "ALOAUD-2206 Fault proxy " + address.getPort() + " failed; closing its connections",
                    cause);
        }
    }
}
