package ai.alo.audio.server;

import jakarta.websocket.DeploymentException;
import jakarta.websocket.server.ServerEndpointConfig;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Delayed;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.glassfish.grizzly.http.server.AddOn;
import org.glassfish.grizzly.http.server.HttpHandler;
import org.glassfish.grizzly.http.server.HttpServer;
import org.glassfish.grizzly.http.server.NetworkListener;
import org.glassfish.grizzly.nio.transport.TCPNIOTransport;
import org.glassfish.grizzly.nio.transport.TCPNIOTransportBuilder;
import org.glassfish.grizzly.strategies.WorkerThreadIOStrategy;
import org.glassfish.grizzly.threadpool.ThreadPoolConfig;
import org.glassfish.tyrus.container.grizzly.server.WebSocketAddOn;
import org.glassfish.tyrus.core.TyrusWebSocketEngine;
import org.glassfish.tyrus.server.TyrusServerContainer;
import org.glassfish.tyrus.spi.ServerContainer;
import org.glassfish.tyrus.spi.WebSocketEngine;

/**
 * A Tyrus server container on a Grizzly {@link HttpServer} that this class owns, so that the server controls what
 * Tyrus's own {@code GrizzlyServerContainer} does not let it control: the bind address (Tyrus 2.1.6 always binds
 * {@code 0.0.0.0} and ignores the host), thread pools of a fixed size, thread names, and the filter chain, into which
 * it puts the {@link ConnectionGate} (connection caps, the upgrade deadline, the frame size guard, and the count of
 * open TCP connections that a graceful stop waits on). Tyrus's incoming buffer is one largest frame (the message size
 * limit plus the frame header), not Tyrus's default of 4 MiB. Plain HTTP requests (not upgrades) reach the
 * {@code HttpServer}'s handler: the web console's {@link ConsoleHandler} when the server serves it, else none (404).
 *
 * <p>Threads, all daemon and created by {@link #start}: one Grizzly selector thread, {@code workerThreads} worker
 * threads, one Grizzly "delayed executor" thread of the {@code HttpServer}, and one timer thread for Tyrus. Tyrus's
 * own default would be a scheduled pool of up to 10 threads per container that grows lazily: Tyrus 2.1.6 schedules
 * an idle-timeout task on every message sent or received, even when no idle timeout is set. That task is a no-op when
 * the session has no idle timeout (this server never sets one: its heartbeat watchdog detects silent peers), and it
 * is scheduled with a delay of zero then; the timer here skips exactly those, so a message costs no hand-off to the
 * timer thread. Tyrus's other executor
 * (streaming handlers and broadcasts, which this server does not use) is created lazily with threads named after the
 * server. {@link #stop()} ends them all.
 *
 * <p>Not thread-safe: {@link #start} and {@link #stop} are called by the owning {@link AloAudioServer} under its
 * lifecycle lock.
 */
final class GrizzlyRuntime extends TyrusServerContainer {

    private static final String LISTENER_NAME = "alo-audio";

    private final String host;
    private final javax.net.ssl.SSLContext sslContext;
    private final int workerThreads;
    private final String threadPrefix;
    private final Map<String, Object> properties;
    private final ScheduledThreadPoolExecutor tyrusTimer;
    private final WebSocketEngine engine;
    private final ConnectionGate gate;
    private final HttpHandler httpHandler;

    private String contextPath = "/";
    private HttpServer httpServer;
    private NetworkListener listener;

    /**
     * Creates the container; nothing is bound until {@link #start(String, int)}.
     *
     * @param host               the address to bind
     * @param workerThreads      the fixed size of the worker pool
     * @param incomingBufferSize the largest WebSocket frame Tyrus buffers, in bytes
     * @param threadPrefix       the prefix of every thread name
     * @param gate               guards and counts the accepted TCP connections
     * @param sslContext         the TLS context to serve {@code wss://} with, or null for plain {@code ws://}
     * @param httpHandler        serves plain HTTP requests at every path (the web console), or null for none
     */
    GrizzlyRuntime(String host, int workerThreads, int incomingBufferSize, String threadPrefix,
                   ConnectionGate gate, javax.net.ssl.SSLContext sslContext, HttpHandler httpHandler) {
        super((Set<Class<?>>) null);
        this.httpHandler = httpHandler;
        this.sslContext = sslContext;
        this.host = host;
        this.workerThreads = workerThreads;
        this.threadPrefix = threadPrefix;
        this.gate = gate;
        AtomicInteger count = new AtomicInteger();
        ThreadFactory threads = runnable -> {
            Thread thread = new Thread(runnable, threadPrefix + "-tyrus-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
        this.properties = Map.of(TyrusWebSocketEngine.THREAD_FACTORY, threads);
        this.tyrusTimer = new TyrusTimer(runnable -> {
            Thread thread = new Thread(runnable, threadPrefix + "-tyrus-timer");
            thread.setDaemon(true);
            return thread;
        });
        tyrusTimer.setRemoveOnCancelPolicy(true);
        tyrusTimer.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        this.engine = TyrusWebSocketEngine.builder(this).incomingBufferSize(incomingBufferSize).build();
    }

    @Override
    public void register(Class<?> endpointClass) throws DeploymentException {
        engine.register(endpointClass, contextPath);
    }

    @Override
    public void register(ServerEndpointConfig serverEndpointConfig) throws DeploymentException {
        engine.register(serverEndpointConfig, contextPath);
    }

    @Override
    public WebSocketEngine getWebSocketEngine() {
        return engine;
    }

    @Override
    public Map<String, Object> getProperties() {
        return properties;
    }

    /** One timer thread instead of Tyrus's lazily growing pool of up to 10 (see the class comment). */
    @Override
    public ScheduledExecutorService getScheduledExecutorService() {
        return tyrusTimer;
    }

    @Override
    public void start(String rootPath, int port) throws IOException, DeploymentException {
        contextPath = rootPath;
        httpServer = new HttpServer();
        httpServer.getServerConfiguration().setName(threadPrefix + "-http");
        if (httpHandler != null) {
            httpServer.getServerConfiguration().addHttpHandler(httpHandler, "/");
        }
        listener = new NetworkListener(LISTENER_NAME, host, port);

        ThreadPoolConfig workers = ThreadPoolConfig.defaultConfig()
                .setPoolName(threadPrefix + "-worker")
                .setCorePoolSize(workerThreads)
                .setMaxPoolSize(workerThreads)
                .setDaemon(true);
        ThreadPoolConfig selectors = ThreadPoolConfig.defaultConfig()
                .setPoolName(threadPrefix + "-selector")
                .setCorePoolSize(1)
                .setMaxPoolSize(1)
                .setDaemon(true);
        TCPNIOTransport transport = TCPNIOTransportBuilder.newInstance()
                .setSelectorRunnersCount(1)
                .setSelectorThreadPoolConfig(selectors)
                .setWorkerThreadPoolConfig(workers)
                .setIOStrategy(WorkerThreadIOStrategy.getInstance())
                .setTcpNoDelay(true)
                .setReuseAddress(true)
                .build();
        transport.getConnectionMonitoringConfig().addProbes(gate.probe());
        listener.setTransport(transport);
        if (sslContext != null) {
            listener.setSecure(true);
            listener.setSSLEngineConfig(new org.glassfish.grizzly.ssl.SSLEngineConfigurator(sslContext, false, false,
                    false));
        }
        // WebSocket connections live as long as the peers want: no HTTP keep-alive idle timeout.
        listener.getKeepAlive().setIdleTimeoutInSeconds(-1);
        listener.registerAddOn(webSocketAddOn(this, rootPath));
        // After Tyrus's add-on: the gate puts its filter right before Tyrus's.
        listener.registerAddOn(gate);
        httpServer.addListener(listener);
        try {
            tyrusTimer.prestartAllCoreThreads();
            httpServer.start();
            super.start(rootPath, port);
        } catch (IOException | DeploymentException | RuntimeException e) {
            httpServer.shutdownNow();
            tyrusTimer.shutdownNow();
            throw e;
        }
    }

    /**
     * The bound port: the real one when port 0 was asked (Grizzly's {@code NetworkListener} updates it on bind).
     *
     * @return the port, or -1 before start
     */
    @Override
    public int getPort() {
        NetworkListener current = listener;
        return current != null && current.getPort() > 0 ? current.getPort() : -1;
    }

    /** Stops Tyrus's executors and the Grizzly server at once: open connections are closed without a close frame. */
    @Override
    public void stop() {
        super.stop();
        if (httpServer != null) {
            httpServer.shutdownNow();
        }
        tyrusTimer.shutdownNow();
    }

    /**
     * Tyrus's one timer thread. {@code TyrusSession.restartIdleTimeoutExecutor()} runs on every message and schedules
     * an {@code IdleTimeoutCommand} after the session's idle timeout; with no idle timeout the delay is 0 and the
     * command does nothing ({@code if (getMaxIdleTimeout() > 0 && isOpen())}), so it is not queued at all: the caller
     * gets a future that is already done (which Tyrus only ever cancels). Everything else runs as usual.
     */
    private static final class TyrusTimer extends ScheduledThreadPoolExecutor {

        private static final String IDLE_TIMEOUT_COMMAND = "org.glassfish.tyrus.core.TyrusSession$IdleTimeoutCommand";

        TyrusTimer(ThreadFactory threads) {
            super(1, threads);
        }

        @Override
        public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
            if (delay <= 0 && command.getClass().getName().equals(IDLE_TIMEOUT_COMMAND)) {
                return DoneFuture.INSTANCE;
            }
            return super.schedule(command, delay, unit);
        }
    }

    /** A future of nothing, already done. */
    private static final class DoneFuture implements ScheduledFuture<Object> {

        static final DoneFuture INSTANCE = new DoneFuture();

        @Override
        public long getDelay(TimeUnit unit) {
            return 0;
        }

        @Override
        public int compareTo(Delayed other) {
            return Long.compare(0, other.getDelay(TimeUnit.NANOSECONDS));
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            return false;
        }

        @Override
        public boolean isCancelled() {
            return false;
        }

        @Override
        public boolean isDone() {
            return true;
        }

        @Override
        public Object get() {
            return null;
        }

        @Override
        public Object get(long timeout, TimeUnit unit) {
            return null;
        }
    }

    /**
     * Tyrus keeps {@link WebSocketAddOn} public "to allow other developers use this with their own
     * GrizzlyServerContainer alternative" (TYRUS-317) but its constructor is package-private in 2.1.6.
     */
    private static AddOn webSocketAddOn(ServerContainer container, String contextPath) {
        try {
            Constructor<WebSocketAddOn> constructor =
                    WebSocketAddOn.class.getDeclaredConstructor(ServerContainer.class, String.class);
            constructor.setAccessible(true);
            return constructor.newInstance(container, contextPath);
        } catch (NoSuchMethodException | InstantiationException | IllegalAccessException
                 | InvocationTargetException | RuntimeException e) {
            throw new IllegalStateException("Cannot create Tyrus's WebSocketAddOn (Tyrus version other than 2.1.x?)",
                    e);
        }
    }
}
