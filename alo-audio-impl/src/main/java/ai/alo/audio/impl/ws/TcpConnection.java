package ai.alo.audio.impl.ws;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;

/**
 * One TCP connection of a runtime, optionally under TLS, served by one {@link IoLoop}. It knows nothing of WebSocket:
 * its {@link Handler} receives the plaintext bytes and the ends.
 *
 * <h2>Writing</h2>
 * <p>{@link #write(ByteBuffer, WriteCallback)} may be called from any thread and never blocks: when nothing is queued
 * the bytes go to the socket at once on the calling thread (no hand-off to the loop, plain NIO, no thread-local state
 * left behind on the caller's thread); what the socket does not take is queued and written by the loop. The queue is
 * bounded ({@code maxQueuedBytes}): a peer that stops reading fails the connection rather than growing it.
 *
 * <h2>Ending</h2>
 * <p>{@link #finishWriting()} ends the output after what is queued (a TCP FIN) and keeps reading until the peer closes
 * too. {@link #close()} closes at once. Either way the {@link Handler#onReleased()}
 * callback comes exactly once, after the file descriptor has been released.
 *
 * <p>Thread-safe where stated; the handler is called on the loop thread only.
 */
final class TcpConnection {

    /** Receives what happens on a connection; called on the loop thread, one call at a time. */
    interface Handler {

        /** TCP (and TLS, when used) is established; bytes written earlier are being sent. */
        void onConnected();

        /**
         * Bytes arrived.
         *
         * @param data the plaintext; only valid until the method returns (copy what you keep)
         */
        void onData(ByteBuffer data);

        /** The peer ended its output (FIN, or TLS {@code close_notify}); nothing more will arrive. */
        void onInputEnded();

        /**
         * The connection failed: connect refused, reset, TLS failure, a write that failed or overflowed the queue.
         * The connection is being closed.
         *
         * @param cause what failed
         */
        void onFailed(IOException cause);

        /** The connection is closed and its file descriptor released. The last call. */
        void onReleased();
    }

    /** Learns the outcome of one write; called without any lock held, possibly on the writing thread. */
    interface WriteCallback {

        /** Every byte was handed to the socket. */
        void completed();

        /**
         * The bytes could not be written; the connection is failed or closed.
         *
         * @param cause why
         */
        void failed(IOException cause);
    }

    private enum State { CONNECTING, HANDSHAKING, OPEN, CLOSED }

    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);
    private static final int MAX_READS_PER_READY = 4;

    private final IoLoop loop;
    private final SocketChannel channel;
    private final SSLEngine tls;
    private final Handler handler;
    private final int maxQueuedBytes;

    // TLS buffers: netIn is loop-only; netOut and the write queue are guarded by writeLock
    private final ByteBuffer netIn;
    private final ByteBuffer appIn;
    private final ByteBuffer netOut;

    private final Object writeLock = new Object();
    // guarded by writeLock
    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    private long queuedBytes;
    private boolean outputFinishing;
    private boolean outputShut;
    private boolean writeInterest;
    private volatile State state = State.CONNECTING;

    // loop thread only
    private SelectionKey key;
    private boolean inputEnded;
    private boolean released;

    private TcpConnection(IoLoop loop, SocketChannel channel, SSLEngine tls, Handler handler, int maxQueuedBytes) {
        this.loop = loop;
        this.channel = channel;
        this.tls = tls;
        this.handler = handler;
        this.maxQueuedBytes = maxQueuedBytes;
        if (tls != null) {
            int packet = tls.getSession().getPacketBufferSize();
            int application = tls.getSession().getApplicationBufferSize();
            this.netIn = ByteBuffer.allocate(packet);
            this.appIn = ByteBuffer.allocate(application);
            this.netOut = ByteBuffer.allocate(packet);
        } else {
            this.netIn = null;
            this.appIn = null;
            this.netOut = null;
        }
    }

    /**
     * Creates a connection with its socket; nothing is sent until {@link #connect(InetSocketAddress)}.
     *
     * @param loop           the loop that will serve the connection
     * @param tls            the TLS engine in client mode, or null for plain TCP
     * @param handler        receives what happens
     * @param maxQueuedBytes the most bytes queued for writing before the connection fails
     * @return the connection
     * @throws IOException if no socket can be created (no descriptor left, for example)
     */
    static TcpConnection create(IoLoop loop, SSLEngine tls, Handler handler, int maxQueuedBytes) throws IOException {
        SocketChannel channel = SocketChannel.open();
        try {
            channel.configureBlocking(false);
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        return new TcpConnection(loop, channel, tls, handler, maxQueuedBytes);
    }

    /**
     * Starts connecting; returns at once. Events reach the handler on the loop thread from now on.
     *
     * @param address the resolved peer address
     * @throws IOException if the runtime's socket I/O has stopped
     */
    void connect(InetSocketAddress address) throws IOException {
        if (!loop.execute(() -> register(address))) {
            state = State.CLOSED;
            closeUnregistered();
            throw new IOException("the runtime is closed");
        }
    }

    private void register(InetSocketAddress address) {
        if (state == State.CLOSED) {
            closeUnregistered();
            return;
        }
        try {
            boolean connected = channel.connect(address);
            key = channel.register(loop.selector(), connected ? SelectionKey.OP_READ : SelectionKey.OP_CONNECT, this);
            loop.registered();
            if (connected) {
                established();
            }
        } catch (IOException | RuntimeException e) {
            if (key == null) {
                state = State.CLOSED;
                failQueued(asIo(e));
                closeUnregistered();
                handler.onFailed(asIo(e));
                handler.onReleased();
            } else {
                fail(asIo(e));
            }
        }
    }

    /** Closing a channel that never reached the selector releases its descriptor at once. */
    private void closeUnregistered() {
        try {
            channel.close();
        } catch (IOException e) {
            // released either way
        }
    }

    /**
     * Whether the connection is established and not closed.
     *
     * @return {@code true} when open
     */
    boolean isOpen() {
        return state == State.OPEN;
    }

    // ------------------------------------------------------------------------------------------------------------
    // loop events

    void onReady(int ops) {
        if (state == State.CLOSED) {
            return;
        }
        try {
            if ((ops & SelectionKey.OP_CONNECT) != 0) {
                if (!channel.finishConnect()) {
                    return;
                }
                key.interestOps(SelectionKey.OP_READ);
                established();
            }
            if ((ops & SelectionKey.OP_READ) != 0 && state != State.CLOSED) {
                read();
            }
            if ((ops & SelectionKey.OP_WRITE) != 0 && state != State.CLOSED) {
                flush();
            }
        } catch (IOException e) {
            fail(e);
        } catch (RuntimeException e) {
            fail(new IOException("internal error: " + e, e));
        }
    }

    private void established() throws IOException {
        if (tls != null) {
            state = State.HANDSHAKING;
            tls.beginHandshake();
            handshake();
        } else {
            opened();
        }
    }

    private void opened() throws IOException {
        state = State.OPEN;
        handler.onConnected();
        flush();
    }

    private void read() throws IOException {
        for (int i = 0; i < MAX_READS_PER_READY && state != State.CLOSED && !inputEnded; i++) {
            if (tls == null) {
                ByteBuffer buffer = loop.readBuffer();
                int read = channel.read(buffer);
                if (read < 0) {
                    endOfInput();
                    return;
                }
                if (read == 0) {
                    return;
                }
                buffer.flip();
                handler.onData(buffer);
                if (read < buffer.capacity()) {
                    return;
                }
            } else {
                int read = channel.read(netIn);
                if (read < 0) {
                    endOfInput();
                    return;
                }
                unwrapAll();
                if (read == 0) {
                    return;
                }
            }
        }
    }

    private void endOfInput() {
        inputEnded = true;
        if (tls != null) {
            try {
                tls.closeInbound();
            } catch (SSLException e) {
                // a truncated TLS stream: the peer closed without close_notify; treated as an end of input
            }
        }
        handler.onInputEnded();
        synchronized (writeLock) {
            if (!outputShut) {
                return;
            }
        }
        // both directions ended: the connection is done
        closeOnLoop(null);
    }

    /**
     * Reads what has already arrived, on the loop thread, then runs {@code then} there; at once if closed or if the
     * loop has stopped. Any thread.
     *
     * @param then the continuation
     */
    void readPending(Runnable then) {
        Runnable task = () -> {
            try {
                if (state == State.OPEN) {
                    read();
                }
            } catch (IOException e) {
                fail(e);
            } finally {
                then.run();
            }
        };
        if (loop.inLoop()) {
            task.run();
        } else if (!loop.execute(task)) {
            then.run();
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // TLS

    private void handshake() throws IOException {
        while (state == State.HANDSHAKING) {
            SSLEngineResult.HandshakeStatus status = tls.getHandshakeStatus();
            switch (status) {
                case NEED_WRAP:
                    synchronized (writeLock) {
                        wrapLocked(EMPTY, null);
                    }
                    flush();
                    break;
                case NEED_UNWRAP:
                case NEED_UNWRAP_AGAIN:
                    if (!unwrapOnce()) {
                        return;
                    }
                    break;
                case NEED_TASK:
                    runDelegatedTasks();
                    break;
                default:
                    opened();
                    if (netIn.position() > 0) {
                        unwrapAll();
                    }
                    return;
            }
        }
    }

    /** Unwraps one record into {@link #appIn}; returns {@code false} when more network bytes are needed. */
    private boolean unwrapOnce() throws IOException {
        netIn.flip();
        SSLEngineResult result;
        try {
            result = tls.unwrap(netIn, appIn);
        } finally {
            netIn.compact();
        }
        switch (result.getStatus()) {
            case BUFFER_UNDERFLOW:
                if (netIn.position() == netIn.capacity()) {
                    throw new SSLException("TLS record larger than the packet buffer");
                }
                return false;
            case BUFFER_OVERFLOW:
                deliverAppIn();
                return true;
            case CLOSED:
                deliverAppIn();
                if (!inputEnded) {
                    endOfInput();
                }
                return false;
            default:
                if (result.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NEED_TASK) {
                    runDelegatedTasks();
                }
                return true;
        }
    }

    private void unwrapAll() throws IOException {
        while (state != State.CLOSED && !inputEnded) {
            boolean progress = unwrapOnce();
            deliverAppIn();
            SSLEngineResult.HandshakeStatus status = tls.getHandshakeStatus();
            if (status == SSLEngineResult.HandshakeStatus.NEED_WRAP) {
                // post-handshake messages (TLS 1.3 key update) or renegotiation
                synchronized (writeLock) {
                    wrapLocked(EMPTY, null);
                }
                flush();
            } else if (status == SSLEngineResult.HandshakeStatus.NEED_TASK) {
                runDelegatedTasks();
            }
            if (state == State.HANDSHAKING) {
                handshake();
                return;
            }
            if (!progress || netIn.position() == 0) {
                return;
            }
        }
    }

    private void deliverAppIn() {
        if (appIn.position() == 0 || state == State.HANDSHAKING) {
            return;
        }
        appIn.flip();
        try {
            handler.onData(appIn);
        } finally {
            appIn.clear();
        }
    }

    private void runDelegatedTasks() {
        Runnable task;
        while ((task = tls.getDelegatedTask()) != null) {
            task.run();
        }
    }

    /**
     * Wraps application bytes (or a handshake message, for {@link #EMPTY}) into network records at the end of the
     * queue; the last record carries the callback.
     */
    private void wrapLocked(ByteBuffer app, WriteCallback callback) throws IOException {
        Pending last = null;
        do {
            netOut.clear();
            SSLEngineResult result = tls.wrap(app, netOut);
            if (result.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW) {
                throw new SSLException("TLS record larger than the packet buffer");
            }
            netOut.flip();
            if (netOut.hasRemaining()) {
                ByteBuffer record = ByteBuffer.allocate(netOut.remaining());
                record.put(netOut).flip();
                last = new Pending(record, null, false);
                queue.add(last);
                queuedBytes += last.size;
            }
            if (result.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NEED_TASK) {
                runDelegatedTasks();
            }
            if (result.getStatus() == SSLEngineResult.Status.CLOSED) {
                break;
            }
        } while (app.hasRemaining());
        if (callback != null) {
            if (last != null) {
                queue.pollLast();
                queue.add(new Pending(last.data, callback, false));
            } else {
                queue.add(new Pending(EMPTY, callback, false));
            }
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // writing

    /**
     * Writes bytes, or queues them while connecting or while earlier bytes are still queued. Any thread; never
     * blocks. The buffer must not be changed until the callback ran.
     *
     * @param data     the bytes
     * @param callback told the outcome, without a lock held; may be null
     */
    void write(ByteBuffer data, WriteCallback callback) {
        List<WriteCallback> completed = new ArrayList<>(2);
        IOException failure = null;
        boolean closed = false;
        synchronized (writeLock) {
            if (state == State.CLOSED || outputFinishing) {
                closed = true;
            } else {
                try {
                    // queued first, so that a failing write fails its callback with the others
                    if (tls != null && state == State.OPEN) {
                        wrapLocked(data, callback);
                    } else {
                        enqueueLocked(data, callback, tls != null);
                    }
                    if (state == State.OPEN) {
                        drainLocked(completed);
                    }
                    if (queuedBytes > maxQueuedBytes) {
                        failure = new IOException("the peer is not reading: " + queuedBytes
                                + " bytes wait to be written, more than the limit of " + maxQueuedBytes);
                    } else if (!queue.isEmpty() && state == State.OPEN) {
                        wantWriteLocked();
                    }
                } catch (IOException e) {
                    failure = e;
                }
            }
        }
        for (WriteCallback done : completed) {
            done.completed();
        }
        if (closed) {
            if (callback != null) {
                callback.failed(new ClosedChannelException());
            }
        } else if (failure != null) {
            failFromAnyThread(failure);
        }
    }

    private void enqueueLocked(ByteBuffer data, WriteCallback callback, boolean plaintext) {
        Pending pending = new Pending(data, callback, plaintext);
        queue.add(pending);
        queuedBytes += pending.size;
    }

    /** Writes queued records while the socket takes them; collects the callbacks of the writes that completed. */
    private void drainLocked(List<WriteCallback> completed) throws IOException {
        while (!queue.isEmpty()) {
            Pending head = queue.peek();
            if (head.data.hasRemaining()) {
                channel.write(head.data);
                if (head.data.hasRemaining()) {
                    return;
                }
            }
            queue.poll();
            queuedBytes -= head.size;
            if (head.callback != null) {
                completed.add(head.callback);
            }
        }
    }

    private void wantWriteLocked() {
        if (!writeInterest && key != null && key.isValid()) {
            writeInterest = true;
            key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
            loop.wakeup();
        }
    }

    /** Wraps the plaintext queued before the TLS handshake finished, keeping the order. */
    private void wrapQueuedPlaintextLocked() throws IOException {
        if (tls == null || queue.stream().noneMatch(p -> p.plaintext)) {
            return;
        }
        ArrayDeque<Pending> waiting = new ArrayDeque<>(queue);
        queue.clear();
        queuedBytes = 0;
        for (Pending pending : waiting) {
            if (pending.plaintext) {
                wrapLocked(pending.data, pending.callback);
            } else {
                queue.add(pending);
                queuedBytes += pending.size;
            }
        }
    }

    /** Writes what is queued; on the loop thread. */
    private void flush() throws IOException {
        List<WriteCallback> completed = new ArrayList<>();
        boolean shutOutput = false;
        synchronized (writeLock) {
            if (state == State.CONNECTING) {
                return;
            }
            if (state == State.OPEN) {
                wrapQueuedPlaintextLocked();
            }
            drainLocked(completed);
            if (queue.isEmpty()) {
                if (writeInterest && key != null && key.isValid()) {
                    writeInterest = false;
                    key.interestOps(SelectionKey.OP_READ);
                }
                shutOutput = outputFinishing && !outputShut && state == State.OPEN;
            } else {
                wantWriteLocked();
            }
        }
        for (WriteCallback callback : completed) {
            callback.completed();
        }
        if (shutOutput) {
            shutOutput();
        }
    }

    /**
     * Ends the output once the queued bytes are written (TCP FIN; under TLS without a {@code close_notify}, see
     * {@code shutOutput}). Reading goes on until the peer ends too, which releases the connection. Any thread;
     * idempotent.
     */
    void finishWriting() {
        synchronized (writeLock) {
            if (state == State.CLOSED || outputFinishing) {
                return;
            }
            outputFinishing = true;
        }
        Runnable task = () -> {
            try {
                flush();
            } catch (IOException e) {
                fail(e);
            }
        };
        if (loop.inLoop()) {
            task.run();
        } else if (!loop.execute(task)) {
            closeFromAnyThread();
        }
    }

    private void shutOutput() throws IOException {
        boolean closeNow;
        synchronized (writeLock) {
            if (outputShut) {
                return;
            }
            // No TLS close_notify before the FIN: the WebSocket close handshake already marks the end of the data, and
            // a server that reads the close_notify at once (Grizzly does) may drop the close frame it arrived with,
            // reporting 1006 instead of the client's code (TlsTest shows it).
            outputShut = true;
            closeNow = inputEnded;
        }
        try {
            channel.shutdownOutput();
        } catch (IOException e) {
            // already reset by the peer: the close below or the read's failure ends it
        }
        if (closeNow) {
            closeOnLoop(null);
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // closing

    /** Closes at once, from any thread; {@link Handler#onReleased()} follows. Idempotent. */
    void close() {
        closeFromAnyThread();
    }

    private void closeFromAnyThread() {
        if (loop.inLoop()) {
            closeOnLoop(null);
        } else if (!loop.execute(() -> closeOnLoop(null))) {
            // the loop has stopped; its selector is closed, so the descriptor is released by closing the channel
            abortStopped();
        }
    }

    private void failFromAnyThread(IOException cause) {
        if (loop.inLoop()) {
            fail(cause);
        } else if (!loop.execute(() -> fail(cause))) {
            abortStopped();
        }
    }

    private void fail(IOException cause) {
        if (state == State.CLOSED) {
            return;
        }
        closeOnLoop(cause);
    }

    /** Closes on the loop thread while the loop is stopping. */
    void abortOnLoop(IOException cause) {
        closeOnLoop(cause);
    }

    private void closeOnLoop(IOException cause) {
        if (state == State.CLOSED) {
            return;
        }
        state = State.CLOSED;
        if (key != null) {
            key.cancel();
        }
        closeUnregistered();
        failQueued(cause != null ? cause : new ClosedChannelException());
        if (cause != null) {
            try {
                handler.onFailed(cause);
            } catch (RuntimeException e) {
                // the handler reports its own failures; the connection closes regardless
            }
        }
        if (key != null) {
            loop.closed(this);
        } else {
            released();
        }
    }

    private void abortStopped() {
        boolean first = state != State.CLOSED;
        state = State.CLOSED;
        closeUnregistered();
        failQueued(new ClosedChannelException());
        if (first) {
            released();
        }
    }

    private void failQueued(IOException cause) {
        List<WriteCallback> failed = new ArrayList<>();
        synchronized (writeLock) {
            for (Pending pending : queue) {
                if (pending.callback != null) {
                    failed.add(pending.callback);
                }
            }
            queue.clear();
            queuedBytes = 0;
        }
        for (WriteCallback callback : failed) {
            callback.failed(cause);
        }
    }

    /** Called by the loop once the descriptor is released; runs the handler's last callback once. */
    void released() {
        synchronized (this) {
            if (released) {
                return;
            }
            released = true;
        }
        handler.onReleased();
    }

    private static IOException asIo(Exception e) {
        return e instanceof IOException io ? io : new IOException(e.toString(), e);
    }

    /** Bytes waiting to be written, with the callback of the write they complete. */
    private static final class Pending {
        final ByteBuffer data;
        final WriteCallback callback;
        final int size;
        /** Plaintext queued before the TLS handshake finished; wrapped when it is flushed. */
        final boolean plaintext;

        Pending(ByteBuffer data, WriteCallback callback, boolean plaintext) {
            this.data = data;
            this.callback = callback;
            this.size = data.remaining();
            this.plaintext = plaintext;
        }
    }
}
