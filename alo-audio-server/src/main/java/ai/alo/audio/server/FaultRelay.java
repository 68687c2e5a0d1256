package ai.alo.audio.server;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A TCP relay in front of the Tyrus port that can break connections on purpose.
 *
 * <p>One selector thread serves every connection: it accepts a client, connects to the upstream (Tyrus) port, reads
 * the HTTP upgrade request head (at most {@value #MAX_HEAD} bytes, else the connection is closed), replaces any
 * {@value #RELAY_HEADER} and {@value ConnectionGate#CLIENT_ADDRESS_HEADER} headers with its own connection number and
 * the client's IP address (so the server's per-address connection cap counts the client, not the relay), and from
 * then on copies bytes both ways with {@code TCP_NODELAY} and no extra copies or waits. A full buffer stops reading
 * from the sender until the receiver drained it (back-pressure); nothing queues without bound. Buffers are taken from
 * a small pool only while bytes are in flight, so an idle connection holds none (10,000 idle sessions cost sockets,
 * not 640 MB of buffers).
 *
 * <p>Faults: {@link #drop} resets both sockets of a connection ({@code SO_LINGER 0}: RST, no WebSocket close frame).
 * {@link #freeze} turns a connection into a black hole, like a network that silently drops everything: whatever
 * arrives from either side is read and discarded while both sockets stay open, and the end of one side is not passed
 * on either: when one side closes its socket the relay closes its own socket to that side only, and releases the
 * connection when the other side has closed too (each endpoint detects the loss with its own heartbeat). Unfreezing
 * resumes copying (bytes discarded meanwhile are lost, so a WebSocket stream frozen in the middle of a frame stays
 * broken); a connection that lost a side while frozen is closed at once when unfrozen.
 *
 * <p>Thread-safety: all state is confined to the selector thread; the public methods hand a command to it, wake it
 * and wait (bounded) for the result. {@link #close(boolean)} ends the thread and closes every socket it opened.
 */
final class FaultRelay {

    /** The header that tells the endpoint which relay connection carries a WebSocket session. */
    static final String RELAY_HEADER = "X-Alo-Relay-Id";

    private static final System.Logger LOG = System.getLogger(AloAudioServer.class.getPackageName());
    private static final int MAX_HEAD = 16 * 1024;
    private static final int FIRST_HEAD = 1024;
    private static final int BUFFER = 32 * 1024;
    /** Empty buffers kept for reuse (selector thread only); more are dropped. */
    private static final int POOL = 64;
    private static final byte[] HEAD_END = {'\r', '\n', '\r', '\n'};
    private static final long COMMAND_TIMEOUT_SECONDS = 10;

    private final Selector selector;
    private final ServerSocketChannel server;
    private final ConnectionGauge gauge;
    private final Queue<Runnable> commands = new ConcurrentLinkedQueue<>();
    private final ByteBuffer scratch = ByteBuffer.allocate(BUFFER);
    private volatile Thread thread;
    private volatile InetSocketAddress upstream;
    private volatile boolean running;
    private volatile boolean resetOnExit;

    // selector thread only
    private final Map<Long, Pair> pairs = new HashMap<>();
    private final ArrayDeque<ByteBuffer> pool = new ArrayDeque<>();
    private long nextId;

    /**
     * Binds the public port; nothing is accepted before {@link #start}.
     *
     * @param bind  the public address
     * @param gauge counts the relayed connections
     * @throws IOException if the port cannot be bound
     */
    FaultRelay(InetSocketAddress bind, ConnectionGauge gauge) throws IOException {
        this.gauge = gauge;
        this.selector = Selector.open();
        ServerSocketChannel channel = null;
        try {
            channel = ServerSocketChannel.open();
            channel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            channel.bind(bind, 128);
            channel.configureBlocking(false);
            channel.register(selector, SelectionKey.OP_ACCEPT);
        } catch (IOException | RuntimeException e) {
            if (channel != null) {
                channel.close();
            }
            selector.close();
            throw e;
        }
        this.server = channel;
    }

    /**
     * The bound public port.
     *
     * @return the port
     */
    int port() {
        try {
            return ((InetSocketAddress) server.getLocalAddress()).getPort();
        } catch (IOException e) {
            return -1;
        }
    }

    /**
     * Starts relaying to {@code target}.
     *
     * @param target     the upstream (Tyrus) address
     * @param threadName the name of the selector thread
     */
    void start(InetSocketAddress target, String threadName) {
        upstream = target;
        running = true;
        thread = new Thread(this::loop, threadName);
        thread.setDaemon(true);
        thread.start();
        LOG.log(Level.INFO, () -> "ALOSRV-5040 Fault-injection relay on port " + port() + " in front of " + target);
    }

    /** Closes the public port; existing connections go on. */
    void stopAccepting() {
        call(() -> {
            SelectionKey key = server.keyFor(selector);
            if (key != null) {
                key.cancel();
            }
            server.close();
            return null;
        });
    }

    /** Resets both sockets of a connection; {@code false} when there is no such connection. */
    boolean drop(long id) {
        return call(() -> {
            Pair pair = pairs.get(id);
            if (pair == null) {
                return false;
            }
            closePair(pair, true);
            return true;
        });
    }

    /** Resets every connection; returns how many. */
    int dropAll() {
        return call(() -> {
            List<Pair> all = new ArrayList<>(pairs.values());
            all.forEach(pair -> closePair(pair, true));
            return all.size();
        });
    }

    /** Freezes or unfreezes a connection; {@code false} when there is no such connection. */
    boolean freeze(long id, boolean frozen) {
        return call(() -> {
            Pair pair = pairs.get(id);
            if (pair == null) {
                return false;
            }
            setFrozen(pair, frozen);
            return true;
        });
    }

    /** Freezes or unfreezes every connection; returns how many. */
    int freezeAll(boolean frozen) {
        return call(() -> {
            List<Pair> all = new ArrayList<>(pairs.values());
            all.forEach(pair -> setFrozen(pair, frozen));
            return all.size();
        });
    }

    /**
     * Ends the selector thread and closes every socket: with {@code reset}, connections are reset (RST).
     * Waits (bounded) for the thread to end. Idempotent.
     *
     * @param reset whether to reset the connections rather than close them
     */
    void close(boolean reset) {
        Thread current = thread;
        if (current == null) {
            closeQuietly();
            return;
        }
        resetOnExit = reset;
        running = false;
        selector.wakeup();
        if (current != Thread.currentThread()) {
            try {
                current.join(TimeUnit.SECONDS.toMillis(COMMAND_TIMEOUT_SECONDS));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    // ---------------------------------------------------------------- selector thread

    private void loop() {
        try {
            while (running) {
                selector.select();
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
                    if (key.attachment() instanceof Pair pair) {
                        handle(pair, key);
                    } else if (key.isAcceptable()) {
                        try {
                            accept();
                        } catch (IOException e) {
                            // for example too many open files: the client's connection attempt fails, the relay goes on
                            LOG.log(Level.WARNING, "ALOSRV-5046 The fault-injection relay could not accept", e);
                        }
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.WARNING, "ALOSRV-5044 The fault-injection relay failed; closing its connections", e);
        } finally {
            running = false;
            for (Pair pair : new ArrayList<>(pairs.values())) {
                closePair(pair, resetOnExit);
            }
            Runnable command;
            while ((command = commands.poll()) != null) {
                command.run();
            }
            closeQuietly();
        }
    }

    private void closeQuietly() {
        try {
            server.close();
        } catch (IOException e) {
            // nothing to do
        }
        try {
            // Lets the selector deregister the closed channels (which closes their sockets) before it goes.
            if (selector.isOpen()) {
                selector.selectNow();
            }
        } catch (IOException | ClosedSelectorException e) {
            // closing anyway
        }
        try {
            selector.close();
        } catch (IOException e) {
            // nothing to do
        }
    }

    private void accept() throws IOException {
        SocketChannel client;
        while ((client = server.accept()) != null) {
            SocketChannel target = null;
            try {
                client.configureBlocking(false);
                client.setOption(StandardSocketOptions.TCP_NODELAY, true);
                target = SocketChannel.open();
                target.configureBlocking(false);
                target.setOption(StandardSocketOptions.TCP_NODELAY, true);
                boolean connected = target.connect(upstream);
                Pair pair = new Pair(++nextId, client, target, connected, addressOf(client));
                pair.clientKey = client.register(selector, 0, pair);
                pair.upstreamKey = target.register(selector, 0, pair);
                pairs.put(pair.id, pair);
                gauge.opened();
                updateInterest(pair);
                LOG.log(Level.TRACE, () -> "Relay connection " + pair.id + " opened");
            } catch (IOException e) {
                LOG.log(Level.DEBUG, () -> "Relay could not set up a connection: " + e);
                client.close();
                if (target != null) {
                    target.close();
                }
            }
        }
    }

    private void handle(Pair pair, SelectionKey key) {
        boolean clientSide = key == pair.clientKey;
        try {
            if (!clientSide && key.isConnectable()) {
                pair.upstream.finishConnect();
                pair.upstreamConnected = true;
            }
            if (key.isReadable()) {
                if (clientSide) {
                    readClient(pair);
                } else {
                    readUpstream(pair);
                }
            }
        } catch (IOException | RuntimeException e) {
            broken(pair, clientSide, e);
            return;
        }
        if (!pair.closed) {
            flush(pair);
        }
        if (!pair.closed) {
            updateInterest(pair);
        }
    }

    /**
     * One side failed (reset, broken pipe, refused connect): passes on what is still pending for the other side
     * (best effort), then resets the failed side and closes the other one.
     */
    private void broken(Pair pair, boolean clientSide, Exception cause) {
        LOG.log(Level.DEBUG, () -> "Relay connection " + pair.id + ": " + (clientSide ? "client" : "upstream")
                + " side failed: " + cause);
        if (pair.closed) {
            return;
        }
        ByteBuffer pending = clientSide ? pair.toUpstream : pair.toClient;
        boolean otherReady = clientSide ? pair.upstreamConnected : true;
        if (!pair.frozen && otherReady && pending != null && pending.position() > 0) {
            try {
                write(clientSide ? pair.upstream : pair.client, pending);
            } catch (IOException | RuntimeException e) {
                // both sides are gone
            }
        }
        closePair(pair, clientSide, !clientSide);
    }

    private void readClient(Pair pair) throws IOException {
        if (pair.frozen) {
            discard(pair, true);
            return;
        }
        if (!pair.headDone) {
            if (!pair.head.hasRemaining() && pair.head.capacity() < MAX_HEAD) {
                ByteBuffer larger = ByteBuffer.allocate(Math.min(MAX_HEAD, pair.head.capacity() * 2));
                pair.head.flip();
                larger.put(pair.head);
                pair.head = larger;
            }
            if (pair.client.read(pair.head) < 0) {
                closePair(pair, false);
                return;
            }
            int end = indexOf(pair.head, HEAD_END);
            if (end >= 0) {
                rewriteHead(pair, end + HEAD_END.length);
            } else if (!pair.head.hasRemaining() && pair.head.capacity() >= MAX_HEAD) {
                LOG.log(Level.INFO, () -> "ALOSRV-5045 Relay connection " + pair.id + ": request head larger than "
                        + MAX_HEAD + " bytes, closed");
                closePair(pair, true);
            }
            return;
        }
        if (pair.toUpstream == null) {
            pair.toUpstream = take();
        }
        if (pair.client.read(pair.toUpstream) < 0) {
            pair.clientEof = true;
        }
    }

    private void readUpstream(Pair pair) throws IOException {
        if (pair.frozen) {
            discard(pair, false);
            return;
        }
        if (pair.toClient == null) {
            pair.toClient = take();
        }
        if (pair.upstream.read(pair.toClient) < 0) {
            pair.upstreamEof = true;
        }
    }

    /** Reads and forgets what is there; a side that ended is closed alone (a black hole passes nothing on). */
    private void discard(Pair pair, boolean clientSide) {
        SocketChannel channel = clientSide ? pair.client : pair.upstream;
        try {
            for (int i = 0; i < 16; i++) {
                scratch.clear();
                int n = channel.read(scratch);
                if (n < 0) {
                    closeSide(pair, clientSide);
                    return;
                }
                if (n == 0) {
                    return;
                }
            }
        } catch (IOException | RuntimeException e) {
            closeSide(pair, clientSide);
        }
    }

    /** Closes the relay's socket to one side of a frozen connection; the connection ends when both are closed. */
    private void closeSide(Pair pair, boolean clientSide) {
        if (clientSide) {
            pair.clientGone = true;
            closeChannel(pair.client, pair.clientKey, false);
        } else {
            pair.upstreamGone = true;
            closeChannel(pair.upstream, pair.upstreamKey, false);
        }
        LOG.log(Level.DEBUG, () -> "Relay connection " + pair.id + ": the " + (clientSide ? "client" : "upstream")
                + " closed while frozen");
        if (pair.clientGone && pair.upstreamGone) {
            closePair(pair, false);
        }
    }

    private void flush(Pair pair) {
        if (pair.frozen) {
            return;
        }
        if (pair.upstreamConnected && pending(pair.toUpstream) > 0) {
            try {
                write(pair.upstream, pair.toUpstream);
            } catch (IOException | RuntimeException e) {
                broken(pair, false, e);
                return;
            }
        }
        if (pending(pair.toClient) > 0) {
            try {
                write(pair.client, pair.toClient);
            } catch (IOException | RuntimeException e) {
                broken(pair, true, e);
                return;
            }
        }
        // Buffers go back to the pool as soon as they are empty.
        if (pending(pair.toUpstream) == 0) {
            give(pair.toUpstream);
            pair.toUpstream = null;
        }
        if (pending(pair.toClient) == 0) {
            give(pair.toClient);
            pair.toClient = null;
        }
        // A side that closed its socket closes the pair once everything it sent was passed on.
        if (pair.clientEof && pending(pair.toUpstream) == 0 || pair.upstreamEof && pending(pair.toClient) == 0) {
            closePair(pair, false);
        }
    }

    private static int pending(ByteBuffer buffer) {
        return buffer == null ? 0 : buffer.position();
    }

    /** An empty buffer from the pool, or a new one. */
    private ByteBuffer take() {
        ByteBuffer buffer = pool.poll();
        return buffer != null ? buffer : ByteBuffer.allocate(BUFFER);
    }

    /** Returns a buffer to the pool (cleared); null is ignored. */
    private void give(ByteBuffer buffer) {
        if (buffer != null && pool.size() < POOL) {
            buffer.clear();
            pool.add(buffer);
        }
    }

    private static void write(SocketChannel channel, ByteBuffer buffer) throws IOException {
        buffer.flip();
        try {
            channel.write(buffer);
        } finally {
            buffer.compact();
        }
    }

    private void updateInterest(Pair pair) {
        int client = 0;
        int target = 0;
        if (pair.frozen) {
            client = pair.clientGone ? 0 : SelectionKey.OP_READ;
            target = pair.upstreamGone ? 0 : pair.upstreamConnected ? SelectionKey.OP_READ : SelectionKey.OP_CONNECT;
        } else {
            boolean room = pair.headDone ? pair.toUpstream == null || pair.toUpstream.hasRemaining()
                    : pair.head.hasRemaining() || pair.head.capacity() < MAX_HEAD;
            if (!pair.clientEof && room) {
                client |= SelectionKey.OP_READ;
            }
            if (pending(pair.toClient) > 0) {
                client |= SelectionKey.OP_WRITE;
            }
            if (!pair.upstreamConnected) {
                target = SelectionKey.OP_CONNECT;
            } else {
                if (!pair.upstreamEof && (pair.toClient == null || pair.toClient.hasRemaining())) {
                    target |= SelectionKey.OP_READ;
                }
                if (pending(pair.toUpstream) > 0) {
                    target |= SelectionKey.OP_WRITE;
                }
            }
        }
        if (pair.clientKey.isValid()) {
            pair.clientKey.interestOps(client);
        }
        if (pair.upstreamKey.isValid()) {
            pair.upstreamKey.interestOps(target);
        }
    }

    private void setFrozen(Pair pair, boolean frozen) {
        if (pair.closed || pair.frozen == frozen) {
            return;
        }
        pair.frozen = frozen;
        if (frozen) {
            give(pair.toUpstream);
            pair.toUpstream = null;
            give(pair.toClient);
            pair.toClient = null;
        } else if (pair.clientGone || pair.upstreamGone) {
            closePair(pair, false);
            return;
        }
        updateInterest(pair);
        if (frozen) {
            LOG.log(Level.INFO, () -> "ALOSRV-5042 Relay connection " + pair.id
                    + " frozen: traffic is discarded both ways");
        } else {
            LOG.log(Level.INFO, () -> "ALOSRV-5043 Relay connection " + pair.id + " unfrozen");
        }
    }

    private void closePair(Pair pair, boolean reset) {
        closePair(pair, reset, reset);
    }

    private void closePair(Pair pair, boolean resetClient, boolean resetUpstream) {
        if (pair.closed) {
            return;
        }
        pair.closed = true;
        pairs.remove(pair.id);
        give(pair.toUpstream);
        give(pair.toClient);
        pair.toUpstream = null;
        pair.toClient = null;
        pair.head = null;
        closeChannel(pair.client, pair.clientKey, resetClient);
        closeChannel(pair.upstream, pair.upstreamKey, resetUpstream);
        gauge.closed();
        if (resetClient && resetUpstream) {
            LOG.log(Level.INFO, () -> "ALOSRV-5041 Relay connection " + pair.id + " reset");
        } else {
            LOG.log(Level.TRACE, () -> "Relay connection " + pair.id + " closed");
        }
    }

    private static void closeChannel(SocketChannel channel, SelectionKey key, boolean reset) {
        if (key != null) {
            key.cancel();
        }
        try {
            if (reset && channel.isOpen()) {
                channel.setOption(StandardSocketOptions.SO_LINGER, 0);
            }
        } catch (IOException | RuntimeException e) {
            // not connected: a plain close is all there is
        }
        try {
            channel.close();
        } catch (IOException e) {
            // nothing to do
        }
    }

    /** Copies the request head to the upstream buffer with the relay header replaced. */
    private void rewriteHead(Pair pair, int headLength) {
        ByteBuffer head = pair.head;
        String text = new String(head.array(), 0, headLength, StandardCharsets.ISO_8859_1);
        String[] lines = text.substring(0, text.length() - HEAD_END.length).split("\r\n", -1);
        StringBuilder out = new StringBuilder(text.length() + 80);
        out.append(lines[0]).append("\r\n");
        out.append(RELAY_HEADER).append(": ").append(pair.id).append("\r\n");
        out.append(ConnectionGate.CLIENT_ADDRESS_HEADER).append(": ").append(pair.clientAddress).append("\r\n");
        String relayPrefix = RELAY_HEADER.toLowerCase(Locale.ROOT) + ":";
        String addressPrefix = ConnectionGate.CLIENT_ADDRESS_HEADER.toLowerCase(Locale.ROOT) + ":";
        for (int i = 1; i < lines.length; i++) {
            String normalized = lines[i].toLowerCase(Locale.ROOT).replace(" ", "").replace("\t", "");
            if (!normalized.startsWith(relayPrefix) && !normalized.startsWith(addressPrefix)) {
                out.append(lines[i]).append("\r\n");
            }
        }
        out.append("\r\n");
        if (pair.toUpstream == null) {
            pair.toUpstream = take();
        }
        pair.toUpstream.put(out.toString().getBytes(StandardCharsets.ISO_8859_1));
        pair.toUpstream.put(head.array(), headLength, head.position() - headLength);
        pair.headDone = true;
        pair.head = null;
    }

    private static String addressOf(SocketChannel channel) {
        try {
            if (channel.getRemoteAddress() instanceof InetSocketAddress address && address.getAddress() != null) {
                return address.getAddress().getHostAddress();
            }
        } catch (IOException e) {
            // not connected any more: the pair is closed soon
        }
        return "unknown";
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

    /** Runs a command on the selector thread and waits for its result. */
    private <T> T call(Callable<T> command) {
        if (Thread.currentThread() == thread) {
            try {
                return command.call();
            } catch (Exception e) {
                throw new IllegalStateException("Relay command failed: " + e.getMessage(), e);
            }
        }
        if (!running) {
            throw new IllegalStateException("The fault-injection relay is not running");
        }
        CompletableFuture<T> result = new CompletableFuture<>();
        commands.add(() -> {
            try {
                result.complete(command.call());
            } catch (Exception | Error e) {
                result.completeExceptionally(e);
            }
        });
        selector.wakeup();
        try {
            return result.get(COMMAND_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for the relay", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("Relay command failed: " + e, e);
        }
    }

    /** One relayed connection: the client's socket and the upstream socket. */
    private static final class Pair {

        final long id;
        final SocketChannel client;
        final SocketChannel upstream;
        final String clientAddress;
        /** Bytes on their way, or null when there are none (the buffer is back in the pool). */
        ByteBuffer toUpstream;
        ByteBuffer toClient;
        ByteBuffer head = ByteBuffer.allocate(FIRST_HEAD);
        SelectionKey clientKey;
        SelectionKey upstreamKey;
        boolean upstreamConnected;
        boolean headDone;
        boolean clientEof;
        boolean upstreamEof;
        boolean frozen;
        /** While frozen: the relay closed its socket to that side because the side ended. */
        boolean clientGone;
        boolean upstreamGone;
        boolean closed;

        Pair(long id, SocketChannel client, SocketChannel upstream, boolean upstreamConnected, String clientAddress) {
            this.id = id;
            this.client = client;
            this.upstream = upstream;
            this.upstreamConnected = upstreamConnected;
            this.clientAddress = clientAddress;
        }
    }
}
