package ai.alo.audio.impl.ws;

import ai.alo.audio.impl.runtime.RuntimeThreads;
import ai.alo.audio.impl.runtime.RuntimeTimer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.glassfish.tyrus.client.ClientManager;
import org.glassfish.tyrus.client.ClientProperties;

/**
 * The WebSocket client of a runtime: one Tyrus {@link ClientManager} whose container ({@link AloClientContainer})
 * runs every connection on a few shared socket I/O threads ({@link IoLoop}s), whose sessions use the runtime's timer,
 * and whose blocking connects run on the runtime's bounded connect threads. The number of threads does not depend on
 * the number of connections.
 *
 * <p>Thread-safe. The I/O threads start with the first connect and end with {@link #shutdown()}.
 */
public final class WebSocketTransport {

    /**
     * The backstop of Tyrus's own handshake wait. Every connect is ended earlier by its owner's connect timeout
     * (which aborts the socket and releases the connect thread at once); this only bounds a wait whose abort got lost.
     */
    static final int HANDSHAKE_BACKSTOP_MILLIS = 10 * 60 * 1000;

    private final RuntimeThreads threads;
    private final int ioThreads;
    private final ExecutorService connectors;
    private final RuntimeTimer timer;
    private final ExecutorService sessionTasks;
    private final Set<WebSocketConnection> connections = ConcurrentHashMap.newKeySet();
    private final AtomicInteger nextLoop = new AtomicInteger();

    private final Object lock = new Object();
    // guarded by lock
    private List<IoLoop> loops;
    private ClientManager client;
    private boolean shutDown;

    /**
     * Creates the transport; nothing starts until the first connect.
     *
     * @param threads      the runtime's thread factory
     * @param ioThreads    how many socket I/O threads to run
     * @param connectors   where Tyrus's blocking connects run
     * @param timer        the runtime's timer
     * @param sessionTasks an executor for the rare tasks Tyrus sessions hand off
     */
    public WebSocketTransport(RuntimeThreads threads, int ioThreads, ExecutorService connectors, RuntimeTimer timer,
                              ExecutorService sessionTasks) {
        this.threads = threads;
        this.ioThreads = ioThreads;
        this.connectors = connectors;
        this.timer = timer;
        this.sessionTasks = sessionTasks;
    }

    /**
     * Whether Tyrus can be loaded.
     *
     * @param loader the class loader to check with
     * @return {@code true} when the Tyrus client is present
     */
    public static boolean isAvailable(ClassLoader loader) {
        try {
            Class.forName("org.glassfish.tyrus.client.ClientManager", false, loader);
            Class.forName("org.glassfish.tyrus.spi.ClientContainer", false, loader);
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /**
     * A WebSocket to open; it starts with {@link SignallingConnection#start()}. The outcome reaches the listener:
     * {@code onOpen} on success, {@code onConnectFailed} otherwise.
     *
     * @param spec     what to connect to
     * @param listener receives the connection's events
     * @return the connection, not started
     * @throws RejectedExecutionException if the transport is shut down or its I/O threads cannot be started
     */
    public SignallingConnection connect(ConnectSpec spec, SignallingListener listener) {
        return new WebSocketConnection(this, spec, listener, start());
    }

    /** Hands a connection's blocking connect to a connect thread. */
    void start(WebSocketConnection connection, ClientManager manager) {
        connections.add(connection);
        try {
            connectors.execute(() -> connection.connectBlocking(manager));
        } catch (RejectedExecutionException | Error e) {
            connection.notStarted();
            throw e;
        }
    }

    private ClientManager start() {
        synchronized (lock) {
            if (shutDown) {
                throw new RejectedExecutionException("the runtime is closed");
            }
            if (client != null) {
                return client;
            }
            List<IoLoop> started = new ArrayList<>(ioThreads);
            try {
                for (int i = 0; i < ioThreads; i++) {
                    IoLoop loop = new IoLoop(threads.forRole("io"));
                    loop.start();
                    started.add(loop);
                }
                client = createClient();
            } catch (RuntimeException | Error e) {
                started.forEach(IoLoop::stop);
                throw e instanceof RejectedExecutionException r ? r
                        : new RejectedExecutionException("cannot start the socket I/O threads: " + e, e);
            }
            loops = started;
            return client;
        }
    }

    private ClientManager createClient() {
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        // Tyrus loads the container class with the context class loader: make sure it sees ours.
        thread.setContextClassLoader(WebSocketTransport.class.getClassLoader());
        try {
            ClientManager manager = ClientManager.createClient(AloClientContainer.class.getName(),
                    new SessionContainer(sessionTasks, timer.executor()));
            Map<String, Object> properties = manager.getProperties();
            properties.put(ClientProperties.HANDSHAKE_TIMEOUT, HANDSHAKE_BACKSTOP_MILLIS);
            return manager;
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    IoLoop nextLoop() {
        List<IoLoop> current;
        synchronized (lock) {
            current = loops;
        }
        return current.get(Math.floorMod(nextLoop.getAndIncrement(), current.size()));
    }

    RuntimeTimer timer() {
        return timer;
    }

    void forget(WebSocketConnection connection) {
        connections.remove(connection);
    }

    /**
     * How many connections hold a socket or a connect thread.
     *
     * @return the count
     */
    public int connectionCount() {
        return connections.size();
    }

    /**
     * Closes every connection at once and stops the I/O threads. Does not wait: {@link #terminated()} tells when the
     * threads have ended.
     */
    public void shutdown() {
        List<IoLoop> current;
        synchronized (lock) {
            shutDown = true;
            current = loops;
        }
        for (WebSocketConnection connection : List.copyOf(connections)) {
            connection.abort();
        }
        if (current != null) {
            current.forEach(IoLoop::stop);
        }
    }

    /**
     * Completes when every I/O thread has ended.
     *
     * @return the future
     */
    public CompletableFuture<Void> terminated() {
        List<IoLoop> current;
        synchronized (lock) {
            current = loops;
        }
        if (current == null) {
            return CompletableFuture.completedFuture(null);
        }
        return CompletableFuture.allOf(current.stream().map(IoLoop::terminated).toArray(CompletableFuture[]::new));
    }
}
