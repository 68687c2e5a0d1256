package ai.alo.audio.impl.ws;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One socket I/O thread of a runtime: a {@link Selector} loop that serves many {@link TcpConnection}s. It connects
 * them, reads them (into one shared buffer: whoever receives the bytes copies what it keeps), writes what could not be
 * written at once, and closes them.
 *
 * <p>Other threads hand it work with {@link #execute(Runnable)}. A connection closed on this thread has its file
 * descriptor released by the selector's next pass, which follows at once; only then is the connection reported
 * closed, so "closed" means the descriptor is gone.
 *
 * <p>Thread-safe where stated; everything else runs on the loop thread.
 */
final class IoLoop implements Runnable {

    private static final System.Logger LOG = System.getLogger("ai.alo.audio");
    /** The shared read buffer's size: the most one read of one connection takes. */
    static final int READ_BUFFER_SIZE = 64 * 1024;

    private final Selector selector;
    private final Thread thread;
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean wakeupPending = new AtomicBoolean();
    private final ByteBuffer readBuffer = ByteBuffer.allocateDirect(READ_BUFFER_SIZE);
    /** Connections closed since the last select; their descriptors are released by the next one. Loop thread only. */
    private final List<TcpConnection> closing = new ArrayList<>();
    private final CompletableFuture<Void> terminated = new CompletableFuture<>();
    private volatile boolean stopping;
    private int connections;

    /**
     * Opens the selector and creates (does not start) the thread.
     *
     * @param threads the factory of the loop thread
     * @throws UncheckedIOException if no selector can be opened
     */
    IoLoop(ThreadFactory threads) {
        try {
            this.selector = Selector.open();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open a selector", e);
        }
        try {
            this.thread = threads.newThread(this);
        } catch (RuntimeException | Error e) {
            closeSelector();
            throw e;
        }
    }

    /** Starts the loop thread. */
    void start() {
        try {
            thread.start();
        } catch (RuntimeException | Error e) {
            closeSelector();
            terminated.complete(null);
            throw e;
        }
    }

    /**
     * Runs a task on the loop thread, soon. Thread-safe.
     *
     * @param task the task; it must not block
     * @return {@code false} if the loop is stopping and the task will not run
     */
    boolean execute(Runnable task) {
        if (stopping) {
            return false;
        }
        tasks.add(task);
        wakeup();
        return true;
    }

    /** Makes the loop's current or next select return at once. Thread-safe. */
    void wakeup() {
        if (Thread.currentThread() != thread && wakeupPending.compareAndSet(false, true)) {
            selector.wakeup();
        }
    }

    boolean inLoop() {
        return Thread.currentThread() == thread;
    }

    Selector selector() {
        return selector;
    }

    /** The loop's read buffer, cleared; only for use on the loop thread, and only until the caller returns. */
    ByteBuffer readBuffer() {
        return readBuffer.clear();
    }

    /** A connection was registered with this loop. Loop thread only. */
    void registered() {
        connections++;
    }

    /**
     * A connection was closed on the loop thread; it is told that its descriptor is released after the next select.
     * Loop thread only.
     */
    void closed(TcpConnection connection) {
        connections--;
        closing.add(connection);
    }

    /**
     * Stops the loop: every connection still registered is closed, then the thread ends. Thread-safe; does not
     * wait (see {@link #terminated()}).
     */
    void stop() {
        stopping = true;
        selector.wakeup();
    }

    /**
     * Completes when the loop thread has ended and the selector is closed.
     *
     * @return the future
     */
    CompletableFuture<Void> terminated() {
        return terminated;
    }

    Thread thread() {
        return thread;
    }

    @Override
    public void run() {
        try {
            while (true) {
                // Cleared before the tasks run: a task queued after this point wakes the select below, one queued
                // before it is run now. (Cleared after the tasks, a task queued in between would wait for the next
                // socket event.)
                wakeupPending.set(false);
                runTasks();
                if (stopping) {
                    break;
                }
                if (closing.isEmpty()) {
                    selector.select();
                } else {
                    // closed sockets are released by this selection; nothing to wait for
                    selector.selectNow();
                }
                releaseClosed();
                Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
                while (keys.hasNext()) {
                    SelectionKey key = keys.next();
                    keys.remove();
                    TcpConnection connection = (TcpConnection) key.attachment();
                    try {
                        connection.onReady(key.readyOps());
                    } catch (CancelledKeyException e) {
                        // closed by another path during this pass
                    }
                }
            }
        } catch (IOException | ClosedSelectorException e) {
            LOG.log(Level.ERROR, "ALOAUD-1205 socket I/O thread " + thread.getName() + " failed; its connections "
                    + "are closed", e);
        } catch (RuntimeException | Error e) {
            LOG.log(Level.ERROR, "ALOAUD-1206 internal error on socket I/O thread " + thread.getName()
                    + "; its connections are closed", e);
            if (e instanceof VirtualMachineError) {
                shutDown();
                throw e;
            }
        } finally {
            shutDown();
        }
    }

    private void shutDown() {
        if (terminated.isDone()) {
            return;
        }
        stopping = true;
        try {
            for (SelectionKey key : selector.keys()) {
                if (key.attachment() instanceof TcpConnection connection) {
                    connection.abortOnLoop(new IOException("the runtime's socket I/O stopped"));
                }
            }
        } catch (RuntimeException e) {
            // best effort: closing the selector below releases every registration
        }
        runTasks();
        closeSelector();
        releaseClosed();
        terminated.complete(null);
    }

    private void runTasks() {
        Runnable task;
        while ((task = tasks.poll()) != null) {
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.log(Level.ERROR, "ALOAUD-1207 internal error in a socket I/O task on " + thread.getName(), e);
            }
        }
    }

    private void releaseClosed() {
        if (closing.isEmpty()) {
            return;
        }
        List<TcpConnection> done = new ArrayList<>(closing);
        closing.clear();
        for (TcpConnection connection : done) {
            connection.released();
        }
    }

    private void closeSelector() {
        try {
            selector.close();
        } catch (IOException e) {
            // nothing more to release
        }
    }

    int connectionCount() {
        return connections;
    }
}
