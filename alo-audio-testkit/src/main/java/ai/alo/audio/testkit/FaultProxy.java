package ai.alo.audio.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
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
 * <h2>Loopback only</h2>
 * <p>The proxy binds and connects to loopback addresses only (127.0.0.0/8 and ::1): a bind address or a target
 * elsewhere is refused with an {@link IllegalArgumentException}, and host names other than {@code localhost} are not
 * looked up (no DNS query), so a test cannot send traffic off the machine through it.
 *
 * @since 0.1
 */
public final class FaultProxy implements AutoCloseable {

    /** The default bound of the bytes buffered per direction of one connection. */
    public static final int DEFAULT_BUFFER_BYTES = 256 * 1024;

    /** The longest latency {@link #latency(Duration)} accepts. */
    public static final Duration MAX_LATENCY = Duration.ofMinutes(10);

    private static final System.Logger LOG = System.getLogger(FaultProxy.class.getPackageName());
    private static final Pattern IPV4_LITERAL = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final int READ_CHUNK = 16 * 1024;
    private static final int MAX_READS_PER_EVENT = 8;
    private static final long COMMAND_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(10);
    private static final long NONE = Long.MIN_VALUE;

    private final InetSocketAddress target;
    private final int bufferBytes;
    private final Selector selector;
    private final ServerSocketChannel server;
    private final InetSocketAddress address;
    private final Thread thread;
    private final Queue<Runnable> commands = new ConcurrentLinkedQueue<>();
    private final AtomicLong bytesForwarded = new AtomicLong();
    private final AtomicLong connectionsAccepted = new AtomicLong();
    private final AtomicLong connectionsRefused = new AtomicLong();
    private final AtomicInteger openConnections = new AtomicInteger();
    private final Object closeLock = new Object();
    private volatile boolean running = true;
    private boolean closeRequested; // guarded by closeLock

    // settings: written on the selector thread only, readable from any thread
    private volatile boolean blackHole;
    private volatile long latencyNanos;
    private volatile long bytesPerSecond;
    private volatile boolean refuseNew;

    // selector thread only
    private final Set<Connection> connections = new LinkedHashSet<>();
    private final PriorityQueue<Wakeup> wakeups = new PriorityQueue<>();
    private final ByteBuffer scratch = ByteBuffer.allocate(READ_CHUNK);

    private FaultProxy(Builder builder) {
        this.target = builder.target;
        this.bufferBytes = builder.bufferBytes;
        Selector openedSelector = null;
        ServerSocketChannel channel = null;
        try {
            openedSelector = Selector.open();
            channel = ServerSocketChannel.open();
            channel.bind(new InetSocketAddress(builder.bindAddress, builder.port), 128);
            channel.configureBlocking(false);
            channel.register(openedSelector, SelectionKey.OP_ACCEPT);
            this.address = (InetSocketAddress) channel.getLocalAddress();
        } catch (IOException | RuntimeException e) {
            closeQuietly(channel);
            closeQuietly(openedSelector);
            if (e instanceof IOException io) {
                throw new UncheckedIOException("Cannot bind the fault proxy to " + builder.bindAddress.getHostAddress()
                        + ":" + builder.port + ": " + e.getMessage(), io);
            }
            throw (RuntimeException) e;
        }
        this.selector = openedSelector;
        this.server = channel;
        String name = builder.threadName != null ? builder.threadName : "alo-testkit-proxy-" + address.getPort();
        this.thread = new Thread(this::loop, name);
        thread.setDaemon(true);
        thread.start();
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
        int count = call(() -> {
            List<Connection> all = new ArrayList<>(connections);
            all.forEach(connection -> closeConnection(connection, true));
            return all.size();
        });
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
        call(() -> {
            if (blackHole != enabled) {
                blackHole = enabled;
                resumeAll();
            }
            return null;
        });
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
        long nanos = delay.toNanos();
        call(() -> {
            latencyNanos = nanos;
            return null;
        });
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
        call(() -> {
            bytesPerSecond = limit;
            long now = System.nanoTime();
            for (Connection connection : connections) {
                connection.up.refill(now, true);
                connection.down.refill(now, true);
            }
            resumeAll();
            return null;
        });
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
        call(() -> {
            refuseNew = enabled;
            return null;
        });
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
        call(() -> {
            boolean changed = blackHole || latencyNanos != 0 || bytesPerSecond != 0 || refuseNew;
            blackHole = false;
            latencyNanos = 0;
            bytesPerSecond = 0;
            refuseNew = false;
            if (changed) {
                resumeAll();
            }
            return null;
        });
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
        return openConnections.get();
    }

    /**
     * Bytes written to either side since the start, in both directions together.
     *
     * @return the total
     */
    public long bytesForwarded() {
        return bytesForwarded.get();
    }

    /**
     * Connections accepted and forwarded since the start (refused ones not counted).
     *
     * @return the total
     */
    public long connectionsAccepted() {
        return connectionsAccepted.get();
    }

    /**
     * Connections reset at once because of {@link #refuseNew(boolean)} since the start.
     *
     * @return the total
     */
    public long connectionsRefused() {
        return connectionsRefused.get();
    }

    /**
     * Whether a black hole is on.
     *
     * @return the current setting
     */
    public boolean isBlackHole() {
        return blackHole;
    }

    /**
     * The current one-way latency.
     *
     * @return the setting of {@link #latency(Duration)}
     */
    public Duration latency() {
        return Duration.ofNanos(latencyNanos);
    }

    /**
     * The current throttle.
     *
     * @return bytes a second per direction and connection, 0 for unlimited
     */
    public long throttle() {
        return bytesPerSecond;
    }

    /**
     * Whether new connections are refused.
     *
     * @return the current setting
     */
    public boolean isRefusingNew() {
        return refuseNew;
    }

    /**
     * Whether the proxy runs (not closed, and its thread did not fail).
     *
     * @return {@code true} while it forwards
     */
    public boolean isRunning() {
        return running && thread.isAlive();
    }

    /**
     * Ends the thread and closes the listening socket and every connection (a plain close: the peers see an end of
     * stream, or a reset where unread bytes were pending). Returns after the thread ended (bounded: 10 s).
     * Idempotent; may be called from any thread.
     */
    @Override
    public void close() {
        synchronized (closeLock) {
            if (closeRequested) {
                awaitThread();
                return;
            }
            closeRequested = true;
        }
        running = false;
        selector.wakeup();
        awaitThread();
        LOG.log(Level.DEBUG, () -> "Fault proxy " + address.getPort() + " closed");
    }

    @Override
    public String toString() {
        return "FaultProxy[" + describe(address) + " -> " + describe(target) + ", open " + openConnections()
                + (blackHole ? ", black hole" : "") + (latencyNanos > 0 ? ", latency " + latency().toMillis() + " ms"
                : "") + (bytesPerSecond > 0 ? ", throttle " + bytesPerSecond + " B/s" : "")
                + (refuseNew ? ", refusing new" : "") + (running ? "" : ", closed") + "]";
    }

    private void awaitThread() {
        if (Thread.currentThread() == thread) {
            return;
        }
        try {
            thread.join(TimeUnit.NANOSECONDS.toMillis(COMMAND_TIMEOUT_NANOS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ------------------------------------------------------------------ selector thread

    private void loop() {
        try {
            while (running) {
                long now = System.nanoTime();
                Wakeup next = wakeups.peek();
                if (next == null) {
                    selector.select();
                } else {
                    long waitMillis = TimeUnit.NANOSECONDS.toMillis(next.at - now + 999_999);
                    if (waitMillis <= 0) {
                        selector.selectNow();
                    } else {
                        selector.select(waitMillis);
                    }
                }
                Runnable command;
                while ((command = commands.poll()) != null) {
                    command.run();
                }
                if (!running) {
                    break;
                }
                Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
                while (keys.hasNext()) {
                    SelectionKey key = keys.next();
                    keys.remove();
                    if (!key.isValid()) {
                        continue;
                    }
                    if (key.attachment() instanceof Connection connection) {
                        handle(connection, key);
                    } else if (key.isAcceptable()) {
                        accept();
                    }
                }
                runDueWakeups();
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.WARNING, "ALOAUD-2206 Fault proxy " + address.getPort() + " failed; closing its connections",
                    e);
        } finally {
            running = false;
            for (Connection connection : new ArrayList<>(connections)) {
                closeConnection(connection, false);
            }
            wakeups.clear();
            Runnable command;
            while ((command = commands.poll()) != null) {
                command.run();
            }
            closeQuietly(server);
            try {
                // lets the selector deregister the closed channels (which closes their sockets) before it goes
                if (selector.isOpen()) {
                    selector.selectNow();
                }
            } catch (IOException | ClosedSelectorException e) {
                // closing anyway
            }
            closeQuietly(selector);
        }
    }

    private void accept() {
        while (true) {
            SocketChannel client;
            try {
                client = server.accept();
            } catch (IOException e) {
                // for example too many open files: that client's connect fails, the proxy goes on
                LOG.log(Level.WARNING, "ALOAUD-2207 Fault proxy " + address.getPort() + " could not accept: " + e);
                return;
            }
            if (client == null) {
                return;
            }
            if (refuseNew) {
                connectionsRefused.incrementAndGet();
                reset(client);
                continue;
            }
            SocketChannel upstream = null;
            try {
                client.configureBlocking(false);
                client.setOption(StandardSocketOptions.TCP_NODELAY, true);
                upstream = SocketChannel.open();
                upstream.configureBlocking(false);
                upstream.setOption(StandardSocketOptions.TCP_NODELAY, true);
                boolean connected = upstream.connect(target);
                Connection connection = new Connection(client, upstream, connected, System.nanoTime());
                connection.clientKey = client.register(selector, 0, connection);
                connection.upstreamKey = upstream.register(selector, 0, connection);
                connections.add(connection);
                openConnections.incrementAndGet();
                connectionsAccepted.incrementAndGet();
                updateInterest(connection);
            } catch (IOException | RuntimeException e) {
                // the target refused at once, or a socket could not be set up: the client sees a reset
                LOG.log(Level.DEBUG, () -> "Fault proxy could not set up a connection: " + e);
                reset(client);
                closeQuietly(upstream);
            }
        }
    }

    private void handle(Connection connection, SelectionKey key) {
        boolean clientSide = key == connection.clientKey;
        long now = System.nanoTime();
        try {
            if (!clientSide && key.isConnectable()) {
                connection.upstream.finishConnect();
                connection.upstreamConnected = true;
            }
            if (key.isReadable()) {
                read(clientSide ? connection.up : connection.down, now);
            }
            if (key.isValid() && key.isWritable()) {
                (clientSide ? connection.down : connection.up).writeBlocked = false;
            }
            pump(connection.up, now);
            pump(connection.down, now);
        } catch (IOException | RuntimeException e) {
            // one side reset or failed (or the target refused): the other side sees a reset too
            LOG.log(Level.DEBUG, () -> "Fault proxy connection failed on the " + (clientSide ? "client" : "target")
                    + " side: " + e);
            closeConnection(connection, true);
            return;
        }
        finishIfDone(connection);
        if (!connection.closed) {
            updateInterest(connection);
        }
    }

    private void read(Direction direction, long now) throws IOException {
        for (int i = 0; i < MAX_READS_PER_EVENT && canRead(direction); i++) {
            scratch.clear();
            scratch.limit(Math.min(READ_CHUNK, bufferBytes - direction.queuedBytes));
            int n = direction.from.read(scratch);
            if (n == 0) {
                return;
            }
            long releaseAt = Math.max(now + latencyNanos, direction.lastReleaseAt);
            direction.lastReleaseAt = releaseAt;
            if (n < 0) {
                direction.readEof = true;
                direction.queue.add(new Chunk(null, releaseAt));
                return;
            }
            scratch.flip();
            ByteBuffer data = ByteBuffer.allocate(n);
            data.put(scratch).flip();
            direction.queue.add(new Chunk(data, releaseAt));
            direction.queuedBytes += n;
        }
    }

    private boolean canRead(Direction direction) {
        return !blackHole && !direction.readEof && direction.queuedBytes < bufferBytes;
    }

    /** Forwards what is due in one direction, within the throttle; schedules a wake-up for the rest. */
    private void pump(Direction direction, long now) throws IOException {
        Connection connection = direction.connection;
        if (blackHole || connection.closed || direction.writeBlocked || !connection.upstreamConnected) {
            return;
        }
        while (!direction.queue.isEmpty()) {
            Chunk chunk = direction.queue.peek();
            if (chunk.releaseAt - now > 0) {
                schedule(direction, chunk.releaseAt);
                return;
            }
            if (chunk.data == null) {
                direction.queue.poll();
                direction.to.shutdownOutput();
                direction.writeShut = true;
                return;
            }
            int allowed = chunk.data.remaining();
            long rate = bytesPerSecond;
            if (rate > 0) {
                direction.refill(now, false);
                long burst = Direction.burst(rate);
                long wanted = Math.min(allowed, burst);
                if (direction.credit < wanted) {
                    long missing = wanted - (long) direction.credit;
                    schedule(direction, now + Math.max(TimeUnit.MILLISECONDS.toNanos(1),
                            missing * 1_000_000_000L / rate));
                    return;
                }
                allowed = (int) Math.min(allowed, (long) direction.credit);
            }
            ByteBuffer slice = chunk.data.duplicate();
            slice.limit(slice.position() + allowed);
            int written = direction.to.write(slice);
            chunk.data.position(chunk.data.position() + written);
            direction.queuedBytes -= written;
            bytesForwarded.addAndGet(written);
            if (rate > 0) {
                direction.credit -= written;
            }
            if (!chunk.data.hasRemaining()) {
                direction.queue.poll();
            }
            if (written < allowed) {
                direction.writeBlocked = true;
                return;
            }
        }
    }

    private void schedule(Direction direction, long at) {
        if (direction.wakeupAt != NONE && direction.wakeupAt <= at) {
            return;
        }
        direction.wakeupAt = at;
        wakeups.add(new Wakeup(at, direction));
    }

    private void runDueWakeups() {
        long now = System.nanoTime();
        Wakeup wakeup;
        while ((wakeup = wakeups.peek()) != null && wakeup.at - now <= 0) {
            wakeups.poll();
            Direction direction = wakeup.direction;
            if (direction.wakeupAt != wakeup.at || direction.connection.closed) {
                continue; // superseded or gone
            }
            direction.wakeupAt = NONE;
            Connection connection = direction.connection;
            try {
                pump(direction, now);
            } catch (IOException | RuntimeException e) {
                LOG.log(Level.DEBUG, () -> "Fault proxy connection failed while forwarding: " + e);
                closeConnection(connection, true);
                continue;
            }
            finishIfDone(connection);
            if (!connection.closed) {
                updateInterest(connection);
            }
        }
    }

    /** After a fault changed: forwards what is due on every connection and recomputes what to wait for. */
    private void resumeAll() {
        long now = System.nanoTime();
        for (Connection connection : new ArrayList<>(connections)) {
            try {
                pump(connection.up, now);
                pump(connection.down, now);
            } catch (IOException | RuntimeException e) {
                closeConnection(connection, true);
                continue;
            }
            finishIfDone(connection);
            if (!connection.closed) {
                updateInterest(connection);
            }
        }
    }

    /** Both ends of stream passed on: the connection is over. */
    private void finishIfDone(Connection connection) {
        if (!connection.closed && connection.up.writeShut && connection.down.writeShut) {
            closeConnection(connection, false);
        }
    }

    private void updateInterest(Connection connection) {
        int client = 0;
        int upstream = 0;
        if (canRead(connection.up)) {
            client |= SelectionKey.OP_READ;
        }
        if (!blackHole && connection.down.writeBlocked) {
            client |= SelectionKey.OP_WRITE;
        }
        if (!connection.upstreamConnected) {
            upstream = SelectionKey.OP_CONNECT;
        } else {
            if (canRead(connection.down)) {
                upstream |= SelectionKey.OP_READ;
            }
            if (!blackHole && connection.up.writeBlocked) {
                upstream |= SelectionKey.OP_WRITE;
            }
        }
        if (connection.clientKey.isValid()) {
            connection.clientKey.interestOps(client);
        }
        if (connection.upstreamKey.isValid()) {
            connection.upstreamKey.interestOps(upstream);
        }
    }

    private void closeConnection(Connection connection, boolean reset) {
        if (connection.closed) {
            return;
        }
        connection.closed = true;
        connections.remove(connection);
        openConnections.decrementAndGet();
        connection.up.queue.clear();
        connection.down.queue.clear();
        connection.up.queuedBytes = 0;
        connection.down.queuedBytes = 0;
        connection.clientKey.cancel();
        connection.upstreamKey.cancel();
        if (reset) {
            reset(connection.client);
            reset(connection.upstream);
        } else {
            closeQuietly(connection.client);
            closeQuietly(connection.upstream);
        }
    }

    /** Closes with {@code SO_LINGER 0}: the peer gets a RST. */
    private static void reset(SocketChannel channel) {
        try {
            if (channel.isOpen() && channel.isConnected()) {
                channel.setOption(StandardSocketOptions.SO_LINGER, 0);
            }
        } catch (IOException | RuntimeException e) {
            // not connected: a plain close is all there is
        }
        closeQuietly(channel);
    }

    private static void closeQuietly(AutoCloseable closeable) {
        if (closeable == null) {
            return;
        }
        try {
            closeable.close();
        } catch (Exception e) {
            // nothing more to do
        }
    }

    /** Runs a command on the selector thread and waits (bounded) for its result. */
    private <T> T call(Callable<T> command) {
        if (Thread.currentThread() == thread) {
            try {
                return command.call();
            } catch (Exception e) {
                throw new IllegalStateException("Fault proxy command failed: " + e.getMessage(), e);
            }
        }
        if (!running) {
            throw new IllegalStateException("The fault proxy on port " + address.getPort() + " is closed");
        }
        CompletableFuture<T> result = new CompletableFuture<>();
        commands.add(() -> {
            if (!running) {
                result.completeExceptionally(new IllegalStateException("The fault proxy on port " + address.getPort()
                        + " is closed"));
                return;
            }
            try {
                result.complete(command.call());
            } catch (Exception | Error e) {
                result.completeExceptionally(e);
            }
        });
        selector.wakeup();
        long deadline = System.nanoTime() + COMMAND_TIMEOUT_NANOS;
        try {
            while (true) {
                try {
                    return result.get(100, TimeUnit.MILLISECONDS);
                } catch (TimeoutException e) {
                    if (!thread.isAlive() && !result.isDone()) {
                        throw new IllegalStateException("The fault proxy on port " + address.getPort()
                                + " is closed");
                    }
                    if (System.nanoTime() - deadline > 0) {
                        throw new IllegalStateException("The fault proxy's thread did not answer within 10 s");
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for the fault proxy", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException("Fault proxy command failed: " + cause, cause);
        }
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

    // ------------------------------------------------------------------ per connection (selector thread only)

    /** One proxied connection: the client's socket and the target socket, and one {@link Direction} each way. */
    private final class Connection {

        final SocketChannel client;
        final SocketChannel upstream;
        final Direction up;
        final Direction down;
        SelectionKey clientKey;
        SelectionKey upstreamKey;
        boolean upstreamConnected;
        boolean closed;

        Connection(SocketChannel client, SocketChannel upstream, boolean upstreamConnected, long now) {
            this.client = client;
            this.upstream = upstream;
            this.upstreamConnected = upstreamConnected;
            this.up = new Direction(this, client, upstream, now);
            this.down = new Direction(this, upstream, client, now);
        }
    }

    /** One direction of a connection: what was read from {@code from} and waits to be written to {@code to}. */
    private final class Direction {

        final Connection connection;
        final SocketChannel from;
        final SocketChannel to;
        final ArrayDeque<Chunk> queue = new ArrayDeque<>();
        int queuedBytes;
        long lastReleaseAt;
        boolean readEof;
        boolean writeShut;
        boolean writeBlocked;
        double credit;
        long refilledAt;
        long wakeupAt = NONE;

        Direction(Connection connection, SocketChannel from, SocketChannel to, long now) {
            this.connection = connection;
            this.from = from;
            this.to = to;
            this.lastReleaseAt = now;
            refill(now, true);
        }

        /** The token bucket's size: a tenth of a second of bytes, at least one byte. */
        static long burst(long rate) {
            return Math.max(1, rate / 10);
        }

        void refill(long now, boolean full) {
            long rate = bytesPerSecond;
            if (rate <= 0) {
                credit = 0;
            } else if (full) {
                credit = burst(rate);
            } else {
                credit = Math.min(burst(rate), credit + (now - refilledAt) * (double) rate / 1e9);
            }
            refilledAt = now;
        }
    }

    /** Bytes read at one time, or the end of stream ({@code data == null}), and when they may be forwarded. */
    private record Chunk(ByteBuffer data, long releaseAt) {
    }

    /** A direction to pump again at {@code at} (nanoTime); stale when the direction's {@code wakeupAt} differs. */
    private record Wakeup(long at, Direction direction) implements Comparable<Wakeup> {
        @Override
        public int compareTo(Wakeup other) {
            return Long.compare(at, other.at);
        }
    }
}
