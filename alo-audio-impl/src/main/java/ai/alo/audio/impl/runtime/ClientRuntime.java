package ai.alo.audio.impl.runtime;

import ai.alo.audio.AloAudio;
import ai.alo.audio.AloAudioConfig;
import ai.alo.audio.AloAudioRuntime;
import ai.alo.audio.AloAudioRuntimeConfig;
import ai.alo.audio.AloAudioStateException;
import ai.alo.audio.ConnectionState;
import ai.alo.audio.impl.media.DeviceRegistry;
import ai.alo.audio.impl.media.MediaEngine;
import ai.alo.audio.impl.media.WebRtcMediaEngine;
import ai.alo.audio.impl.observe.RuntimeMetrics;
import ai.alo.audio.impl.ws.WebSocketTransport;
import ai.alo.audio.protocol.MessageCodec;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;

/**
 * The shared resources of a group of clients: the socket I/O threads and their WebSocket client ({@link
 * WebSocketTransport}), one timer, the event threads ({@link EventPool}), the connect threads, the message codec and
 * the media devices ({@link DeviceRegistry}). Nothing here grows with the number of clients.
 *
 * <h2>Threads</h2>
 * <p>At most {@code ioThreads + eventThreads + connectThreads + 1} threads, plus up to {@code eventThreads} more while
 * listeners block, plus one per Java Sound line in use ({@link DeviceRegistry}); all from {@link RuntimeThreads}, so
 * named {@code <name>-io-1}, {@code <name>-event-1}, {@code <name>-connect-1}, {@code <name>-timer-1}, {@code
 * <name>-capture-1}, {@code <name>-playback-1}. None runs until the first client connects (or, before that, an event
 * thread delivers a device-list change); connect threads end after 5 s without a connect.
 *
 * <h2>Ending</h2>
 * <p>{@link #close()} closes every client, then stops every component and waits (bounded) until every thread the
 * runtime ever started has ended. A runtime made for {@link AloAudio#create(AloAudioConfig)} ends the same way when its
 * last client is closed.
 *
 * <p>Thread-safe.
 */
public final class ClientRuntime implements AloAudioRuntime {

    private static final System.Logger LOG = System.getLogger("ai.alo.audio");
    /** How long ending the runtime waits for its threads. */
    static final Duration END_TIMEOUT = Duration.ofSeconds(5);

    /** Makes the client objects; the runtime itself knows only its interface. */
    public interface ClientFactory extends BiFunction<AloAudioConfig, ClientRuntime, RuntimeClient> {
    }

    /** What the runtime needs from a client. */
    public interface RuntimeClient {

        /**
         * The client's public face.
         *
         * @return the client
         */
        AloAudio facade();

        /** Closes the client (it tells the runtime through {@link #clientClosed(Object)}). */
        void close();
    }

    private final AloAudioRuntimeConfig config;
    private final boolean endsWithLastClient;
    private final ClientFactory factory;
    private final RuntimeThreads threads;
    private final MessageCodec codec = new MessageCodec();
    private final RuntimeMetrics metrics = new RuntimeMetrics();
    private final RuntimeTimer timer;
    private final EventPool events;
    private final ThreadPoolExecutor connectors;
    private final WebSocketTransport transport;
    private final DeviceRegistry devices;
    private final WebRtcMediaEngine media;

    private final Object lock = new Object();
    // guarded by lock
    private final Map<Object, RuntimeClient> clients = new LinkedHashMap<>();
    private boolean started;
    private boolean ended;

    /**
     * Creates a runtime; it starts no thread until its first client connects.
     *
     * @param config             its settings
     * @param endsWithLastClient whether it ends when its last client is closed (the default runtime)
     * @param factory            makes its clients
     */
    public ClientRuntime(AloAudioRuntimeConfig config, boolean endsWithLastClient, ClientFactory factory) {
        this.config = Objects.requireNonNull(config, "config");
        this.endsWithLastClient = endsWithLastClient;
        this.factory = factory;
        this.threads = new RuntimeThreads(config.threadFactory().orElse(null), config.name());
        this.timer = new RuntimeTimer(threads);
        this.events = new EventPool(threads, config.eventThreads(), timer);
        this.connectors = new ThreadPoolExecutor(config.connectThreads(), config.connectThreads(), 5, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), threads.forRole("connect"));
        this.connectors.allowCoreThreadTimeOut(true);
        this.transport = new WebSocketTransport(threads, config.ioThreads(), connectors, timer, events.executor());
        this.devices = new DeviceRegistry(config.name(), threads, events, timer);
        this.media = new WebRtcMediaEngine(config.name(), threads.forRole("media"), events.executor());
    }

    // ------------------------------------------------------------------------------------------------------------
    // AloAudioRuntime

    @Override
    public AloAudio newClient(AloAudioConfig clientConfig) {
        RuntimeClient client = tryNewClient(clientConfig);
        if (client == null) {
            throw new AloAudioStateException("the AloAudio runtime '" + config.name() + "' is closed",
                    ConnectionState.CLOSED);
        }
        return client.facade();
    }

    /**
     * Creates a client, or returns null when this runtime has ended.
     *
     * @param clientConfig the client's configuration
     * @return the client, or null
     */
    public RuntimeClient tryNewClient(AloAudioConfig clientConfig) {
        Objects.requireNonNull(clientConfig, "config");
        synchronized (lock) {
            if (ended) {
                return null;
            }
            RuntimeClient client = factory.apply(clientConfig, this);
            clients.put(client, client);
            return client;
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>The registry is made with the runtime (it starts nothing) and closed when the runtime ends, after its
     * clients and before its threads stop.
     */
    @Override
    public DeviceRegistry devices() {
        return devices;
    }

    /**
     * The media engine of this runtime's clients: one headless audio module and one peer connection factory for all
     * of them, started by the first client that negotiates audio (signalling-only clients never load the native
     * library) and closed when the runtime ends.
     *
     * @return the engine
     */
    public MediaEngine media() {
        return media;
    }

    /**
     * The connect threads: for the slow steps of a connect that must not run on a socket I/O thread (starting a
     * media session loads the native library the first time and waits for ICE gathering).
     *
     * @return the executor; it rejects work once the runtime has ended
     */
    public Executor connectExecutor() {
        return connectors;
    }

    @Override
    public List<AloAudio> clients() {
        List<AloAudio> live = new ArrayList<>();
        synchronized (lock) {
            for (RuntimeClient client : clients.values()) {
                live.add(client.facade());
            }
        }
        return List.copyOf(live);
    }

    @Override
    public AloAudioRuntimeConfig config() {
        return config;
    }

    @Override
    public boolean isClosed() {
        synchronized (lock) {
            return ended;
        }
    }

    @Override
    public void close() {
        List<RuntimeClient> open;
        synchronized (lock) {
            if (ended) {
                return;
            }
            open = new ArrayList<>(clients.values());
        }
        // newest first, like a container closing its beans
        for (int i = open.size() - 1; i >= 0; i--) {
            try {
                open.get(i).close();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "ALOAUD-1208 closing a client of runtime " + config.name() + " failed", e);
            }
        }
        end();
    }

    // ------------------------------------------------------------------------------------------------------------
    // for the clients

    /**
     * Starts the runtime's threads (timer, socket I/O) if this is its first connect.
     *
     * @throws RejectedExecutionException if the runtime has ended or a thread cannot be started
     */
    public void ensureStarted() {
        synchronized (lock) {
            if (ended) {
                throw new RejectedExecutionException("the AloAudio runtime '" + config.name() + "' is closed");
            }
            if (started) {
                return;
            }
            try {
                timer.start();
                events.start();
            } catch (RuntimeException | OutOfMemoryError e) {
                throw e instanceof RejectedExecutionException r ? r
                        : new RejectedExecutionException("cannot start the runtime's timer: " + e, e);
            }
            started = true;
        }
    }

    /**
     * A client was closed: it leaves the runtime, and the default runtime ends with its last client.
     *
     * @param client the client
     */
    public void clientClosed(Object client) {
        boolean end;
        synchronized (lock) {
            clients.remove(client);
            end = endsWithLastClient && clients.isEmpty() && !ended;
        }
        if (end) {
            end();
        }
    }

    /**
     * The WebSocket client.
     *
     * @return the transport
     */
    public WebSocketTransport transport() {
        return transport;
    }

    /**
     * The timer.
     *
     * @return the timer
     */
    public RuntimeTimer timer() {
        return timer;
    }

    /**
     * The event threads.
     *
     * @return the pool
     */
    public EventPool events() {
        return events;
    }

    /**
     * The message codec shared by every client.
     *
     * @return the codec
     */
    public MessageCodec codec() {
        return codec;
    }

    /**
     * The runtime's measurements.
     *
     * @return the metrics
     */
    public RuntimeMetrics metrics() {
        return metrics;
    }

    /**
     * How many sockets (or pending connects) the runtime's clients hold: each connection returns its handle when it
     * is released. For the release proof.
     *
     * @return the count
     */
    public int openConnections() {
        return transport.connectionCount();
    }

    /**
     * How many timer tasks the runtime's clients hold (heartbeats, timeouts, close lingers), not counting the
     * runtime's own watchdog. For the release proof.
     *
     * @return the count
     */
    public int pendingTimerTasks() {
        return timer.queued() - events.ownTimerTasks();
    }

    /**
     * The threads the runtime started that have not ended, for the release proof.
     *
     * @return a snapshot
     */
    public List<Thread> liveThreads() {
        return threads.alive();
    }

    /**
     * Whether the calling thread is one of the runtime's.
     *
     * @return {@code true} on a runtime thread
     */
    public boolean isRuntimeThread() {
        return threads.alive().contains(Thread.currentThread());
    }

    private void end() {
        synchronized (lock) {
            if (ended) {
                return;
            }
            ended = true;
        }
        // first the media sessions left (normally each client's disconnect closed its own) and the native engine,
        // then the devices: both still use the event threads (PCM outputs, WAV recorders) and the runtime's threads
        // (Java Sound lines); their files and lines are released before the threads are told to end
        try {
            media.close();
        } catch (RuntimeException | LinkageError e) {
            LOG.log(Level.WARNING, "ALOAUD-1211 runtime " + config.name() + ": closing the media engine failed", e);
        }
        try {
            devices.close();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "ALOAUD-1210 runtime " + config.name() + ": releasing the media devices failed", e);
        }
        transport.shutdown();
        connectors.shutdownNow();
        events.shutdown();
        timer.shutdown();
        codec.close();
        List<Thread> alive = threads.awaitTermination(Deadline.after(END_TIMEOUT));
        if (!alive.isEmpty()) {
            List<String> names = new ArrayList<>();
            for (Thread thread : alive) {
                names.add(thread.getName());
            }
            LOG.log(Level.WARNING, "ALOAUD-1203 runtime {0}: threads still running {1} ms after it ended (a listener "
                    + "that does not return?): {2}", config.name(), String.valueOf(END_TIMEOUT.toMillis()), names);
        }
    }

    @Override
    public String toString() {
        return "AloAudioRuntime[" + config.name() + (isClosed() ? ", closed" : "") + "]";
    }
}
