package ai.alo.audio.server.fault;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.Queue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Internal (no compatibility promise): a TCP relay in front of one target that breaks connections on purpose; the
 * one engine behind the reference service's fault-injection relay and the test kit's {@code FaultProxy}.
 *
 * <p><strong>Forwarding.</strong> One selector thread serves every connection: it accepts a client, connects to the
 * target, and copies bytes both ways with {@code TCP_NODELAY}. When no fault delays a direction and nothing waits in
 * it, bytes go straight from the read to the write (no copy kept); otherwise what was read is queued as chunks. Each
 * direction of each connection holds at most {@code bufferBytes} (builder): when that much waits, the relay stops
 * reading from the sender until the receiver took some (back-pressure, never an unbounded queue). An idle connection
 * holds no buffer. An end of stream is passed on ({@code shutdownOutput}) after the bytes before it; the connection is
 * released when both directions ended (or, with {@link Builder#closeOnEndOfStream(boolean)}, closed at the first end
 * of stream). A failure on either socket (a reset, a refused connect to the target) resets
 * both.
 *
 * <p><strong>Request head.</strong> With {@link Builder#requestHeaders(RequestHeaders)}, the first bytes from the
 * client are read as an HTTP request head (at most {@value #MAX_REQUEST_HEAD} bytes, else the connection is reset and
 * {@link Listener#requestHeadTooLarge(long)} called): any header line named like one of the supplied headers is
 * removed, and the supplied ones are inserted after the request line. The reference service uses it to tag each
 * WebSocket upgrade with the relay's connection id and the client's address.
 *
 * <p><strong>Faults on every connection</strong> (open ones and later ones, until changed; {@link #heal()} clears
 * them): {@link #cut()} resets every connection ({@code SO_LINGER 0}: RST); {@link #blackHole(boolean)} stops reading
 * and writing while the sockets stay open, so bytes are held (not dropped) and delivered in order when it ends;
 * {@link #latency(Duration)} releases each chunk no earlier than this after it was read, in order; {@link
 * #throttle(long)} is a token bucket (a tenth of a second of bytes) per direction and connection; {@link
 * #refuseNew(boolean)} accepts new connections and resets them at once.
 *
 * <p><strong>Faults on one connection</strong> (by the id {@link Listener#opened} reported): {@link #drop(long)}
 * resets it; {@link #freeze(long, boolean)} turns it into a lossy black hole: whatever arrives from either side is read
 * and <em>discarded</em> while both sockets stay open, and the end of one side is not passed on: when one side closes,
 * the relay closes its socket to that side only, and releases the connection when the other side has closed too.
 * Unfreezing resumes copying (what was discarded is lost); a connection that lost a side while frozen is closed at once
 * when unfrozen. A global black hole wins over a freeze (nothing is read).
 *
 * <p><strong>Threads and resources.</strong> Nothing runs before {@link #start}: {@link Builder#bind()} only binds the
 * listening socket. The public methods are thread-safe: they hand a command to the selector thread, wake it and wait
 * (at most 10 s) for the result, so a fault is in effect when its method returns. {@link #close(boolean)} ends the
 * thread, closes the listening socket and every connection's two sockets and returns after the thread ended; it is
 * idempotent. Afterwards (or before {@code start}) the fault methods throw {@link IllegalStateException}; the counters
 * keep their last values. Listener methods run on the selector thread and must not block or call back into the relay.
 *
 * <p>The relay checks no addresses: the faces decide what they may bind to and forward to (the test kit's proxy
 * allows only loopback).
 */
public final class TcpFaultRelay {

    /** The largest HTTP request head read when request headers are rewritten. */
    public static final int MAX_REQUEST_HEAD = 16 * 1024;

    private static final System.Logger LOG = System.getLogger(TcpFaultRelay.class.getPackageName());
    private static final int FIRST_HEAD = 1024;
    private static final int READ_CHUNK = 16 * 1024;
    private static final int MAX_READS_PER_EVENT = 8;
    private static final int MAX_DISCARDS_PER_EVENT = 16;
    private static final long COMMAND_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(10);
    private static final long NONE = Long.MIN_VALUE;
    private static final byte[] HEAD_END = {'\r', '\n', '\r', '\n'};

    private final String name;
    private final int bufferBytes;
    private final boolean closeOnEndOfStream;
    private final Listener listener;
    private final RequestHeaders requestHeaders;
    private final Selector selector;
    private final ServerSocketChannel server;
    private final InetSocketAddress address;
    private final Queue<Runnable> commands = new ConcurrentLinkedQueue<>();
    private final AtomicLong bytesForwarded = new AtomicLong();
    private final AtomicLong connectionsAccepted = new AtomicLong();
    private final AtomicLong connectionsRefused = new AtomicLong();
    private final AtomicInteger openConnections = new AtomicInteger();
    private final Object lifecycleLock = new Object();
    private volatile Thread thread;
    private volatile InetSocketAddress target;
    private volatile boolean running;
    private volatile boolean resetOnExit;
    private boolean closeRequested; // guarded by lifecycleLock

    // settings: written on the selector thread only, readable from any thread
    private volatile boolean blackHole;
    private volatile long latencyNanos;
    private volatile long bytesPerSecond;
    private volatile boolean refuseNew;

    // selector thread only
    private final Map<Long, Connection> connections = new LinkedHashMap<>();
    private final PriorityQueue<Wakeup> wakeups = new PriorityQueue<>();
    private final ByteBuffer scratch = ByteBuffer.allocate(READ_CHUNK);
    private long nextId;

    private TcpFaultRelay(Builder builder, Selector selector, ServerSocketChannel server, InetSocketAddress address) {
        this.name = builder.name;
        this.bufferBytes = builder.bufferBytes;
        this.closeOnEndOfStream = builder.closeOnEndOfStream;
        this.listener = builder.listener;
        this.requestHeaders = builder.requestHeaders;
        this.selector = selector;
        this.server = server;
        this.address = address;
    }

    /**
     * Starts configuring a relay.
     *
     * @return a builder with the defaults (ephemeral port on the JDK's loopback address, 256 KiB per direction)
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Starts forwarding to {@code target} on a new daemon thread. Once only.
     *
     * @param target     where accepted connections are forwarded
     * @param threadName the selector thread's name
     * @throws IllegalStateException if started before, or closed
     */
    public void start(InetSocketAddress target, String threadName) {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(threadName, "threadName");
        synchronized (lifecycleLock) {
            if (closeRequested || thread != null) {
                throw new IllegalStateException("The " + name + " on port " + port() + " was "
                        + (closeRequested ? "closed" : "started already"));
            }
            this.target = target;
            running = true;
            Thread started = new Thread(this::loop, threadName);
            started.setDaemon(true);
            thread = started;
            started.start();
        }
    }

    // ------------------------------------------------------------------ faults on every connection

    /**
     * Resets every open connection on both sides and forgets the bytes in flight; later connections are forwarded.
     *
     * @return how many connections were reset
     * @throws IllegalStateException when not running
     */
    public int cut() {
        return call(() -> {
            List<Connection> all = new ArrayList<>(connections.values());
            all.forEach(connection -> closeConnection(connection, true));
            return all.size();
        });
    }

    /**
     * Starts or ends a black hole on every connection (bytes held, not dropped; see the class comment).
     *
     * @param enabled whether to stop forwarding
     * @throws IllegalStateException when not running
     */
    public void blackHole(boolean enabled) {
        call(() -> {
            if (blackHole != enabled) {
                blackHole = enabled;
                resumeAll();
            }
            return null;
        });
    }

    /**
     * Sets the one-way delay of every chunk read from now on.
     *
     * @param delay zero or positive
     * @throws IllegalArgumentException if negative
     * @throws IllegalStateException    when not running
     */
    public void latency(Duration delay) {
        if (delay.isNegative()) {
            throw new IllegalArgumentException("latency must not be negative, was " + delay);
        }
        long nanos = delay.toNanos();
        call(() -> {
            latencyNanos = nanos;
            return null;
        });
    }

    /**
     * Limits each direction of each connection to {@code limit} bytes a second; 0 removes the limit.
     *
     * @param limit bytes a second, or 0
     * @throws IllegalArgumentException if negative
     * @throws IllegalStateException    when not running
     */
    public void throttle(long limit) {
        if (limit < 0) {
            throw new IllegalArgumentException("throttle must be 0 (unlimited) or a positive number of bytes a second, "
                    + "was " + limit);
        }
        call(() -> {
            bytesPerSecond = limit;
            long now = System.nanoTime();
            for (Connection connection : connections.values()) {
                connection.up.refill(now, true);
                connection.down.refill(now, true);
            }
            resumeAll();
            return null;
        });
    }

    /**
     * Refuses new connections (accepted and reset at once), or accepts them again. Open connections go on.
     *
     * @param enabled whether to refuse
     * @throws IllegalStateException when not running
     */
    public void refuseNew(boolean enabled) {
        call(() -> {
            refuseNew = enabled;
            return null;
        });
    }

    /**
     * Clears the faults on every connection: black hole, latency, throttle, refusing. Per-connection freezes stay.
     *
     * @throws IllegalStateException when not running
     */
    public void heal() {
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
    }

    // ------------------------------------------------------------------ faults on one connection

    /**
     * Resets both sockets of one connection.
     *
     * @param id a connection id from {@link Listener#opened}
     * @return {@code false} when there is no such open connection
     * @throws IllegalStateException when not running
     */
    public boolean drop(long id) {
        return call(() -> {
            Connection connection = connections.get(id);
            if (connection == null) {
                return false;
            }
            closeConnection(connection, true);
            return true;
        });
    }

    /**
     * Freezes (a lossy black hole, see the class comment) or unfreezes one connection.
     *
     * @param id     a connection id from {@link Listener#opened}
     * @param frozen whether to freeze
     * @return {@code false} when there is no such open connection
     * @throws IllegalStateException when not running
     */
    public boolean freeze(long id, boolean frozen) {
        return call(() -> {
            Connection connection = connections.get(id);
            if (connection == null) {
                return false;
            }
            setFrozen(connection, frozen);
            return true;
        });
    }

    /**
     * Freezes or unfreezes every open connection.
     *
     * @param frozen whether to freeze
     * @return how many connections were open
     * @throws IllegalStateException when not running
     */
    public int freezeAll(boolean frozen) {
        return call(() -> {
            List<Connection> all = new ArrayList<>(connections.values());
            all.forEach(connection -> setFrozen(connection, frozen));
            return all.size();
        });
    }

    /**
     * Closes the listening socket; open connections go on. New connection attempts are refused by the kernel.
     *
     * @throws IllegalStateException when not running
     */
    public void stopAccepting() {
        call(() -> {
            SelectionKey key = server.keyFor(selector);
            if (key != null) {
                key.cancel();
            }
            server.close();
            return null;
        });
    }

    // ------------------------------------------------------------------ state

    /**
     * The address the relay listens on.
     *
     * @return the bound address and port (also after close)
     */
    public InetSocketAddress address() {
        return address;
    }

    /**
     * The port the relay listens on.
     *
     * @return the bound port
     */
    public int port() {
        return address.getPort();
    }

    /**
     * Where connections are forwarded.
     *
     * @return the target, or {@code null} before {@link #start}
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
     * Bytes written to either side since the start, both directions together (request heads as written).
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
     * Connections reset at once because of {@link #refuseNew(boolean)}.
     *
     * @return the total
     */
    public long connectionsRefused() {
        return connectionsRefused.get();
    }

    /**
     * Whether a black hole is on.
     *
     * @return the setting
     */
    public boolean isBlackHole() {
        return blackHole;
    }

    /**
     * The current one-way latency.
     *
     * @return the setting
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
     * @return the setting
     */
    public boolean isRefusingNew() {
        return refuseNew;
    }

    /**
     * Whether the relay forwards (started, not closed, its thread alive).
     *
     * @return {@code true} while it forwards
     */
    public boolean isRunning() {
        Thread current = thread;
        return running && current != null && current.isAlive();
    }

    /**
     * Ends the thread and closes the listening socket and every connection: with {@code reset} every connection is
     * reset (RST), else closed plainly (an end of stream, or a reset where unread bytes were pending). Returns after
     * the thread ended (bounded: 10 s). Idempotent; any thread.
     *
     * @param reset whether to reset the connections
     */
    public void close(boolean reset) {
        Thread current;
        synchronized (lifecycleLock) {
            if (!closeRequested) {
                closeRequested = true;
                resetOnExit = reset;
                running = false;
            }
            current = thread;
        }
        if (current == null) {
            closeQuietly(server);
            closeQuietly(selector);
            return;
        }
        selector.wakeup();
        if (current != Thread.currentThread()) {
            try {
                current.join(TimeUnit.NANOSECONDS.toMillis(COMMAND_TIMEOUT_NANOS));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public String toString() {
        return "TcpFaultRelay[" + name + " " + address + " -> " + target + ", open " + openConnections() + "]";
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
            notify(() -> listener.failed(e));
        } finally {
            running = false;
            boolean reset = resetOnExit;
            for (Connection connection : new ArrayList<>(connections.values())) {
                closeConnection(connection, reset);
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
                // for example too many open files: that client's connect fails, the relay goes on
                notify(() -> listener.acceptFailed(e));
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
                InetSocketAddress clientAddress = (InetSocketAddress) client.getRemoteAddress();
                upstream = SocketChannel.open();
                upstream.configureBlocking(false);
                upstream.setOption(StandardSocketOptions.TCP_NODELAY, true);
                boolean connected = upstream.connect(target);
                Connection connection = new Connection(++nextId, client, upstream, connected, clientAddress,
                        System.nanoTime());
                if (requestHeaders != null) {
                    connection.head = ByteBuffer.allocate(FIRST_HEAD);
                }
                connection.clientKey = client.register(selector, 0, connection);
                connection.upstreamKey = upstream.register(selector, 0, connection);
                connections.put(connection.id, connection);
                openConnections.incrementAndGet();
                connectionsAccepted.incrementAndGet();
                notify(() -> listener.opened(connection.id, clientAddress));
                updateInterest(connection);
            } catch (IOException | RuntimeException e) {
                // the target refused at once, or a socket could not be set up: the client sees a reset
                LOG.log(Level.DEBUG, () -> name + " could not set up a connection: " + e);
                reset(client);
                closeQuietly(upstream);
            }
        }
    }

    private void handle(Connection connection, SelectionKey key) {
        boolean clientSide = key == connection.clientKey;
        long now = System.nanoTime();
        try {
            if (!clientSide && key.isValid() && key.isConnectable()) {
                connection.upstream.finishConnect();
                connection.upstreamConnected = true;
            }
            if (key.isValid() && key.isReadable()) {
                if (connection.frozen) {
                    discard(connection, clientSide);
                } else if (clientSide && connection.head != null) {
                    readHead(connection, now);
                } else {
                    read(clientSide ? connection.up : connection.down, now);
                }
            }
            if (!connection.closed && key.isValid() && key.isWritable()) {
                (clientSide ? connection.down : connection.up).writeBlocked = false;
            }
            if (!connection.closed) {
                pump(connection.up, now);
                pump(connection.down, now);
            }
        } catch (IOException | RuntimeException e) {
            // one side reset or failed (or the target refused): the other side sees a reset too
            LOG.log(Level.DEBUG, () -> name + " connection " + connection.id + " failed on the "
                    + (clientSide ? "client" : "target") + " side: " + e);
            closeConnection(connection, true);
            return;
        }
        finishIfDone(connection);
        if (!connection.closed) {
            updateInterest(connection);
        }
    }

    /** Reads the client's request head; once whole, queues it rewritten (and what followed it) towards the target. */
    private void readHead(Connection connection, long now) throws IOException {
        ByteBuffer head = connection.head;
        if (!head.hasRemaining() && head.capacity() < MAX_REQUEST_HEAD) {
            ByteBuffer larger = ByteBuffer.allocate(Math.min(MAX_REQUEST_HEAD, head.capacity() * 2));
            head.flip();
            larger.put(head);
            head = larger;
            connection.head = head;
        }
        if (connection.client.read(head) < 0) {
            closeConnection(connection, false);
            return;
        }
        int end = indexOf(head, HEAD_END);
        if (end >= 0) {
            byte[] rewritten = rewriteHead(connection, head, end + HEAD_END.length);
            connection.head = null;
            enqueue(connection.up, ByteBuffer.wrap(rewritten), now);
        } else if (!head.hasRemaining() && head.capacity() >= MAX_REQUEST_HEAD) {
            notify(() -> listener.requestHeadTooLarge(connection.id));
            closeConnection(connection, true);
        }
    }

    private byte[] rewriteHead(Connection connection, ByteBuffer head, int headLength) {
        Map<String, String> added = requestHeaders.headers(connection.id, connection.clientAddress.getAddress());
        String text = new String(head.array(), 0, headLength, StandardCharsets.ISO_8859_1);
        String[] lines = text.substring(0, text.length() - HEAD_END.length).split("\r\n", -1);
        StringBuilder out = new StringBuilder(text.length() + 80);
        out.append(lines[0]).append("\r\n");
        List<String> prefixes = new ArrayList<>();
        added.forEach((header, value) -> {
            out.append(header).append(": ").append(value).append("\r\n");
            prefixes.add(header.toLowerCase(Locale.ROOT) + ":");
        });
        for (int i = 1; i < lines.length; i++) {
            String normalized = lines[i].toLowerCase(Locale.ROOT).replace(" ", "").replace("\t", "");
            if (prefixes.stream().noneMatch(normalized::startsWith)) {
                out.append(lines[i]).append("\r\n");
            }
        }
        out.append("\r\n");
        byte[] headBytes = out.toString().getBytes(StandardCharsets.ISO_8859_1);
        int rest = head.position() - headLength;
        byte[] all = new byte[headBytes.length + rest];
        System.arraycopy(headBytes, 0, all, 0, headBytes.length);
        System.arraycopy(head.array(), headLength, all, headBytes.length, rest);
        return all;
    }

    private void read(Direction direction, long now) throws IOException {
        for (int i = 0; i < MAX_READS_PER_EVENT && canRead(direction); i++) {
            scratch.clear();
            scratch.limit(Math.min(READ_CHUNK, bufferBytes - direction.queuedBytes));
            int n = direction.from.read(scratch);
            if (n == 0) {
                return;
            }
            if (n < 0) {
                direction.readEof = true;
                direction.queue.add(new Chunk(null, releaseTime(direction, now)));
                return;
            }
            scratch.flip();
            if (direction.queue.isEmpty() && latencyNanos == 0 && bytesPerSecond == 0 && !direction.writeBlocked
                    && direction.connection.upstreamConnected) {
                // nothing delays this direction: straight through, nothing kept
                int written = direction.to.write(scratch);
                bytesForwarded.addAndGet(written);
                if (!scratch.hasRemaining()) {
                    continue;
                }
                direction.writeBlocked = true;
            }
            ByteBuffer data = ByteBuffer.allocate(scratch.remaining());
            data.put(scratch).flip();
            enqueue(direction, data, now);
        }
    }

    private void enqueue(Direction direction, ByteBuffer data, long now) {
        direction.queue.add(new Chunk(data, releaseTime(direction, now)));
        direction.queuedBytes += data.remaining();
    }

    /** Now plus the latency, never before the previous chunk of the direction (chunks never overtake). */
    private long releaseTime(Direction direction, long now) {
        long releaseAt = Math.max(now + latencyNanos, direction.lastReleaseAt);
        direction.lastReleaseAt = releaseAt;
        return releaseAt;
    }

    private boolean canRead(Direction direction) {
        return !blackHole && !direction.connection.frozen && !direction.readEof
                && direction.queuedBytes < bufferBytes;
    }

    /** Frozen: reads and forgets what is there; a side that ended is closed alone (nothing is passed on). */
    private void discard(Connection connection, boolean clientSide) {
        SocketChannel channel = clientSide ? connection.client : connection.upstream;
        try {
            for (int i = 0; i < MAX_DISCARDS_PER_EVENT; i++) {
                scratch.clear();
                int n = channel.read(scratch);
                if (n < 0) {
                    closeSide(connection, clientSide);
                    return;
                }
                if (n == 0) {
                    return;
                }
            }
        } catch (IOException | RuntimeException e) {
            closeSide(connection, clientSide);
        }
    }

    /** Closes the relay's socket to one side of a frozen connection; the connection ends when both are closed. */
    private void closeSide(Connection connection, boolean clientSide) {
        if (clientSide) {
            connection.clientGone = true;
            connection.clientKey.cancel();
            closeQuietly(connection.client);
        } else {
            connection.upstreamGone = true;
            connection.upstreamKey.cancel();
            closeQuietly(connection.upstream);
        }
        LOG.log(Level.DEBUG, () -> name + " connection " + connection.id + ": the "
                + (clientSide ? "client" : "target") + " closed while frozen");
        if (connection.clientGone && connection.upstreamGone) {
            closeConnection(connection, false);
        }
    }

    private void setFrozen(Connection connection, boolean frozen) {
        if (connection.closed || connection.frozen == frozen) {
            return;
        }
        connection.frozen = frozen;
        if (frozen) {
            for (Direction direction : List.of(connection.up, connection.down)) {
                direction.queue.clear();
                direction.queuedBytes = 0;
                direction.writeBlocked = false;
                direction.wakeupAt = NONE;
            }
            // a side whose end of stream was read but not passed on has ended: the black hole keeps it from the other
            if (connection.up.readEof && !connection.up.writeShut) {
                closeSide(connection, true);
            }
            if (!connection.closed && connection.down.readEof && !connection.down.writeShut) {
                closeSide(connection, false);
            }
        } else if (connection.clientGone || connection.upstreamGone) {
            closeConnection(connection, false);
        }
        if (!connection.closed) {
            updateInterest(connection);
        }
    }

    /** Forwards what is due in one direction, within the throttle; schedules a wake-up for the rest. */
    private void pump(Direction direction, long now) throws IOException {
        Connection connection = direction.connection;
        if (blackHole || connection.frozen || connection.closed || direction.writeBlocked
                || !connection.upstreamConnected) {
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
                if (closeOnEndOfStream) {
                    closeConnection(connection, false);
                    return;
                }
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
                LOG.log(Level.DEBUG, () -> name + " connection " + connection.id + " failed while forwarding: " + e);
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
        for (Connection connection : new ArrayList<>(connections.values())) {
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
        if (connection.frozen) {
            if (!blackHole) {
                client = connection.clientGone ? 0 : SelectionKey.OP_READ;
                upstream = connection.upstreamGone ? 0 : SelectionKey.OP_READ;
            }
            if (!connection.upstreamConnected && !connection.upstreamGone) {
                upstream = SelectionKey.OP_CONNECT;
            }
        } else {
            boolean clientReadable = connection.head != null
                    ? !blackHole && (connection.head.hasRemaining() || connection.head.capacity() < MAX_REQUEST_HEAD)
                    : canRead(connection.up);
            if (clientReadable) {
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
        connections.remove(connection.id);
        openConnections.decrementAndGet();
        for (Direction direction : List.of(connection.up, connection.down)) {
            direction.queue.clear();
            direction.queuedBytes = 0;
        }
        connection.head = null;
        connection.clientKey.cancel();
        connection.upstreamKey.cancel();
        if (reset) {
            reset(connection.client);
            reset(connection.upstream);
        } else {
            closeQuietly(connection.client);
            closeQuietly(connection.upstream);
        }
        notify(() -> listener.closed(connection.id));
    }

    /** Calls the listener; what it throws is logged, never let through to the selector loop. */
    private void notify(Runnable call) {
        try {
            call.run();
        } catch (RuntimeException e) {
            LOG.log(Level.DEBUG, () -> name + " listener threw: " + e);
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

    private static int indexOf(ByteBuffer buffer, byte[] pattern) {
        byte[] array = buffer.array();
        int limit = buffer.position() - pattern.length;
        outer:
        for (int i = 0; i <= limit; i++) {
            for (int j = 0; j < pattern.length; j++) {
                if (array[i + j] != pattern[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** Runs a command on the selector thread and waits (bounded) for its result. */
    private <T> T call(Callable<T> command) {
        Thread current = thread;
        if (current == Thread.currentThread()) {
            try {
                return command.call();
            } catch (Exception e) {
                throw new IllegalStateException("The " + name + "'s command failed: " + e.getMessage(), e);
            }
        }
        if (current == null || !running) {
            throw new IllegalStateException("The " + name + " on port " + port() + " is "
                    + (current == null && !closeRequestedNow() ? "not started" : "closed"));
        }
        CompletableFuture<T> result = new CompletableFuture<>();
        commands.add(() -> {
            if (!running) {
                result.completeExceptionally(new IllegalStateException("The " + name + " on port " + port()
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
                    if (!current.isAlive() && !result.isDone()) {
                        throw new IllegalStateException("The " + name + " on port " + port() + " is closed");
                    }
                    if (System.nanoTime() - deadline > 0) {
                        throw new IllegalStateException("The " + name + "'s thread did not answer within 10 s");
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for the " + name, e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException("The " + name + "'s command failed: " + cause, cause);
        }
    }

    private boolean closeRequestedNow() {
        synchronized (lifecycleLock) {
            return closeRequested;
        }
    }

    // ------------------------------------------------------------------ callbacks

    /**
     * What the relay reports, on its selector thread. The methods must return quickly, must not block and must not
     * call the relay; what they throw is logged at DEBUG and ignored.
     */
    public interface Listener {

        /**
         * A connection was accepted and is being forwarded.
         *
         * @param id     its id (1, 2, ...), for {@link #drop(long)} and {@link #freeze(long, boolean)}
         * @param client the client's address
         */
        default void opened(long id, InetSocketAddress client) {
        }

        /**
         * A connection accepted before was closed (for any reason); called once per {@link #opened}.
         *
         * @param id its id
         */
        default void closed(long id) {
        }

        /**
         * A client's request head was longer than {@value #MAX_REQUEST_HEAD} bytes; its connection is reset.
         *
         * @param id the connection's id
         */
        default void requestHeadTooLarge(long id) {
        }

        /**
         * A connection could not be accepted (for example too many open files); the relay goes on.
         *
         * @param cause what failed
         */
        default void acceptFailed(IOException cause) {
        }

        /**
         * The selector thread failed; every connection is being closed and the relay ends.
         *
         * @param cause what failed
         */
        default void failed(Exception cause) {
        }
    }

    /** The headers inserted into each client's request head (and removed when the client sent them). */
    @FunctionalInterface
    public interface RequestHeaders {

        /**
         * The headers for one connection, in order.
         *
         * @param connectionId the connection's id
         * @param client       the client's IP address
         * @return header names and values (ISO-8859-1, no line breaks)
         */
        Map<String, String> headers(long connectionId, InetAddress client);
    }

    // ------------------------------------------------------------------ builder

    /** Configures a {@link TcpFaultRelay}. Not thread-safe. */
    public static final class Builder {

        private InetAddress bindAddress = InetAddress.getLoopbackAddress();
        private int port;
        private int backlog = 128;
        private boolean reuseAddress;
        private int bufferBytes = 256 * 1024;
        private boolean closeOnEndOfStream;
        private String name = "fault relay";
        private Listener listener = new Listener() {
        };
        private RequestHeaders requestHeaders;

        private Builder() {
        }

        /**
         * The address to listen on (default: the JDK's loopback address); not checked.
         *
         * @param address the address
         * @return this builder
         */
        public Builder bindAddress(InetAddress address) {
            this.bindAddress = Objects.requireNonNull(address, "address");
            return this;
        }

        /**
         * The port to listen on (default 0: ephemeral).
         *
         * @param port 0..65535
         * @return this builder
         */
        public Builder port(int port) {
            if (port < 0 || port > 65_535) {
                throw new IllegalArgumentException("port must be 0..65535, was " + port);
            }
            this.port = port;
            return this;
        }

        /**
         * Whether to set {@code SO_REUSEADDR} on the listening socket (default off), so that a fixed port can be
         * bound again at once after a previous owner closed it.
         *
         * @param enabled whether to set it
         * @return this builder
         */
        public Builder reuseAddress(boolean enabled) {
            this.reuseAddress = enabled;
            return this;
        }

        /**
         * The most bytes buffered per direction of one connection (default 256 KiB).
         *
         * @param bytes at least 1024
         * @return this builder
         */
        public Builder bufferBytes(int bytes) {
            if (bytes < 1024) {
                throw new IllegalArgumentException("bufferBytes must be at least 1024, was " + bytes);
            }
            this.bufferBytes = bytes;
            return this;
        }

        /**
         * Whether an end of stream from either side closes the whole connection once the bytes before it were
         * forwarded (default off: the end of stream is passed on as a half-close, and the connection is released when
         * both directions ended). The reference service turns it on, so that a connection its server closed is
         * released at once, whatever the client does.
         *
         * @param enabled whether to close on the first end of stream
         * @return this builder
         */
        public Builder closeOnEndOfStream(boolean enabled) {
            this.closeOnEndOfStream = enabled;
            return this;
        }

        /**
         * What the relay calls itself in exception messages and DEBUG lines, e.g. {@code "fault proxy"}.
         *
         * @param name not blank
         * @return this builder
         */
        public Builder name(String name) {
            if (Objects.requireNonNull(name, "name").isBlank()) {
                throw new IllegalArgumentException("name must not be blank");
            }
            this.name = name;
            return this;
        }

        /**
         * Who is told about connections and failures (default: nobody).
         *
         * @param listener the listener
         * @return this builder
         */
        public Builder listener(Listener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /**
         * Rewrites each client's HTTP request head with these headers (default: bytes are forwarded untouched).
         *
         * @param headers the headers per connection
         * @return this builder
         */
        public Builder requestHeaders(RequestHeaders headers) {
            this.requestHeaders = Objects.requireNonNull(headers, "headers");
            return this;
        }

        /**
         * Binds the listening socket; nothing is accepted before {@link TcpFaultRelay#start}.
         *
         * @return the bound relay (close it with {@link TcpFaultRelay#close(boolean)} if it is never started)
         * @throws IOException if the port cannot be bound
         */
        public TcpFaultRelay bind() throws IOException {
            Selector selector = null;
            ServerSocketChannel channel = null;
            try {
                selector = Selector.open();
                channel = ServerSocketChannel.open();
                if (reuseAddress) {
                    channel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
                }
                channel.bind(new InetSocketAddress(bindAddress, port), backlog);
                channel.configureBlocking(false);
                channel.register(selector, SelectionKey.OP_ACCEPT);
                InetSocketAddress bound = (InetSocketAddress) channel.getLocalAddress();
                return new TcpFaultRelay(this, selector, channel, bound);
            } catch (IOException | RuntimeException e) {
                closeQuietly(channel);
                closeQuietly(selector);
                throw e;
            }
        }
    }

    // ------------------------------------------------------------------ per connection (selector thread only)

    /** One relayed connection: the client's socket and the target socket, and one {@link Direction} each way. */
    private final class Connection {

        final long id;
        final SocketChannel client;
        final SocketChannel upstream;
        final InetSocketAddress clientAddress;
        final Direction up;
        final Direction down;
        SelectionKey clientKey;
        SelectionKey upstreamKey;
        /** The client's request head while it is being read ({@code requestHeaders} set), else null. */
        ByteBuffer head;
        boolean upstreamConnected;
        boolean closed;
        boolean frozen;
        /** While frozen: the relay closed its socket to that side because the side ended. */
        boolean clientGone;
        boolean upstreamGone;

        Connection(long id, SocketChannel client, SocketChannel upstream, boolean upstreamConnected,
                   InetSocketAddress clientAddress, long now) {
            this.id = id;
            this.client = client;
            this.upstream = upstream;
            this.upstreamConnected = upstreamConnected;
            this.clientAddress = clientAddress;
            this.up = new Direction(this, client, upstream, now);
            this.down = new Direction(this, upstream, client, now);
        }
    }

    /** One direction of a connection: what was read from {@code from} and waits to be written to {@code to}. */
    private final class Direction {

        final Connection connection;
        final SocketChannel from;
        final SocketChannel to;
        final ArrayDeque<Chunk> queue = new ArrayDeque<>(2);
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
