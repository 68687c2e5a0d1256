package ai.alo.audio.cdi;

import ai.alo.audio.AloAudio;
import ai.alo.audio.AloAudioConfig;
import ai.alo.audio.AloAudioListener;
import ai.alo.audio.AloAudioRuntime;
import ai.alo.audio.AloAudioStateException;
import ai.alo.audio.ConnectionState;
import ai.alo.audio.DisconnectReason;
import ai.alo.audio.event.DisconnectEvent;
import ai.alo.audio.media.AudioDevices;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.BeforeDestroyed;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.spi.BeanManager;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Every live client of this deployment, the default one and those made by {@link AloAudioFactory}, each with its
 * {@link CdiEventBridge}; and the deployment's {@link AloAudioRuntime}, on which all of them run.
 *
 * <h2>The runtime</h2>
 * <p>One runtime per deployment (per bean manager), created with the first client, on an application thread: its
 * threads come from the server's Jakarta Concurrency {@code ManagedThreadFactory} when there is one (see {@link
 * ContainerExecutors}), and are named {@code alo-audio-cdi-<n>-<role>-<k>} ({@code <n>} counts the runtimes this
 * module created in the JVM), so that they can be told apart in a thread dump. Every client is made with {@link
 * AloAudioRuntime#newClient(AloAudioConfig)}; the number of threads does not grow with the number of clients. The
 * {@code @ObservesAsync} deliveries of all clients share one bounded pool owned by this registry ({@code
 * alo-audio-cdi-<n>-async-<k>}, managed threads in a server), shut down when the application stops.
 *
 * <h2>Shutdown</h2>
 * <p>When the application context is about to be destroyed ({@code @BeforeDestroyed(ApplicationScoped.class)}), the
 * registry refuses new clients and closes every client still open, newest first. {@code close()} disconnects with
 * WebSocket code 1001 and delivers the final {@code DisconnectEvent} (reason {@code CLIENT_SHUTDOWN}) before it
 * returns, so the application's observers, which are still alive at that moment, receive it; the disposer of the
 * default client runs later and finds the client already closed. Then the registry shuts its async pool down and
 * closes the runtime, which waits (bounded) until every one of its threads has ended: when the application has
 * stopped, no thread of this module is left. The same happens at the registry's {@code @PreDestroy} if the container
 * did not fire the event.
 *
 * <p>A client leaves the registry when it is closed, by the application or at shutdown, so that its name may be
 * used again.
 *
 * <h2>The application's beans</h2>
 * <p>A configuration may name the application's {@code UserAuthTokenProvider} and {@code ReconnectPolicy} beans
 * (stand-ins put there by {@link #beansFor(String)}); {@link #open} obtains them for the client it creates (see {@link
 * ClientBeans}) and destroys the {@code @Dependent} ones when that client is closed: by {@link #close}, at shutdown,
 * or, when the application closes the client itself, after its last event.
 *
 * <p>Internal. Thread-safe; no client or runtime method that may block is called while the registry's lock is held.
 */
@Singleton
class ClientRegistry {

    /** Prefix of the runtimes' names, and so of every thread name of this module. */
    static final String RUNTIME_PREFIX = "alo-audio-cdi-";
    /** How long the application's stop waits for async deliveries still queued, once every client is closed. */
    static final Duration ASYNC_STOP = Duration.ofSeconds(2);

    private static final System.Logger LOG = System.getLogger("ai.alo.audio.cdi");
    /** Numbers the runtimes of this class loader, for their thread names. Holds no reference to anything. */
    private static final AtomicInteger RUNTIMES = new AtomicInteger();

    private final BeanManager beanManager;
    /** Guarded by {@code this}. */
    private final Map<String, Entry> clients = new LinkedHashMap<>();
    /** Guarded by {@code this}; created with the first client. */
    private AloAudioRuntime runtime;
    /** The runtime's OpenTelemetry registration; guarded by {@code this}. */
    private AutoCloseable metrics = () -> { };
    /** Guarded by {@code this}; created with the runtime. */
    private ContainerExecutors.AsyncExecutor async;
    /** Guarded by {@code this}. */
    private boolean shutDown;

    /**
     * Created by the container.
     *
     * @param beanManager the deployment's bean manager, which the event bridges fire through
     */
    @Inject
    ClientRegistry(BeanManager beanManager) {
        this.beanManager = beanManager;
    }

    /**
     * Creates a client on the deployment's runtime (creating the runtime if this is the first client), attaches its
     * event bridge before anyone else can see it, and registers it.
     *
     * @param config the configuration
     * @return the client, not connected; closed at shutdown unless closed earlier
     * @throws AloAudioStateException if a live client of the same name exists, or the application is stopping
     * @throws ai.alo.audio.AloAudioException if no implementation is available
     */
    AloAudio open(AloAudioConfig config) {
        // the application's beans are obtained outside the lock: the container may run application code
        ClientBeans.Bound bound = ClientBeans.bind(beanManager, config);
        try {
            return open(bound);
        } catch (RuntimeException | Error e) {
            bound.release();
            throw e;
        }
    }

    /**
     * Creates and registers a client whose application beans are bound.
     *
     * @param bound the configuration, and the {@code @Dependent} beans obtained for it, released when the client is
     *              closed
     * @return the client
     */
    private AloAudio open(ClientBeans.Bound bound) {
        AloAudioConfig config = bound.config();
        String name = config.name();
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        synchronized (this) {
            if (shutDown) {
                throw new AloAudioStateException("Cannot create the AloAudio client '" + name
                        + "': the application is shutting down", ConnectionState.CLOSED);
            }
            Entry existing = clients.get(name);
            if (existing != null) {
                ConnectionState state = existing.client.state();
                if (state != ConnectionState.CLOSED) {
                    throw new AloAudioStateException("An AloAudio client named '" + name + "' already exists in "
                            + "this application (state " + state + "); close it first or choose another name",
                            state);
                }
                clients.remove(name);
            }
            AloAudio client = runtimeLocked().newClient(config);
            Entry entry = new Entry(client, bound);
            client.addListener(new AloAudioListener() {
                @Override
                public void onDisconnect(DisconnectEvent event) {
                    entry.lastDisconnectReason = event.reason();
                }
            });
            CdiEventBridge bridge = new CdiEventBridge(name, beanManager, async.executor(), loader, () -> {
                entry.beans.release(); // closed by the application: its @Dependent beans go with it
                remove(entry);
            });
            entry.bridge = bridge;
            client.addListener(bridge);
            clients.put(name, entry);
            LOG.log(Level.INFO, "ALOAUD-3001 [{0}] AloAudio client created on runtime {1} for {2} as user {3}; its "
                    + "events are fired to CDI with @AloClient(\"{0}\")", name, runtime.config().name(),
                    config.serverUri(), config.user().id());
            return client;
        }
    }

    /**
     * Closes a client and releases its bridge. Idempotent; never throws.
     *
     * @param client a client returned by {@link #open}
     */
    void close(AloAudio client) {
        Entry entry = find(client);
        client.close();
        if (entry != null) {
            entry.release();
            remove(entry);
        }
    }

    /**
     * The application is stopping: closes every client while the application's beans are still alive, then the
     * async pool and the runtime.
     *
     * @param event the container's event; unused
     */
    void closeAll(@Observes @BeforeDestroyed(ApplicationScoped.class) Object event) {
        stop();
    }

    /** In case the container destroys the registry without firing {@code @BeforeDestroyed} first. */
    @PreDestroy
    void destroyed() {
        stop();
    }

    /**
     * Closes every client still open (newest first), so that observers receive each final {@code DisconnectEvent};
     * then shuts the async pool down and closes the runtime, each waiting (bounded) for its threads. Refuses new
     * clients from the start. Idempotent.
     */
    private void stop() {
        List<Entry> open;
        AloAudioRuntime ownRuntime;
        ContainerExecutors.AsyncExecutor ownAsync;
        AutoCloseable ownMetrics;
        synchronized (this) {
            shutDown = true;
            open = new ArrayList<>(clients.values());
            ownRuntime = runtime;
            ownAsync = async;
            async = null; // so that a second call does nothing more
            ownMetrics = metrics;
            metrics = () -> { };
        }
        if (!open.isEmpty()) {
            Collections.reverse(open);
            LOG.log(Level.INFO, "ALOAUD-3002 application stopping: closing {0} AloAudio client(s)",
                    String.valueOf(open.size()));
        }
        for (Entry entry : open) {
            try {
                entry.client.close();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "ALOAUD-3003 closing AloAudio client " + entry.client.config().name()
                        + " at shutdown failed", e);
            } finally {
                entry.release();
                remove(entry);
            }
        }
        if (ownAsync != null) {
            List<String> alive = ownAsync.shutdown(ASYNC_STOP);
            if (!alive.isEmpty()) {
                LOG.log(Level.WARNING, "ALOAUD-3106 application stopping: @ObservesAsync observers did not return "
                        + "within {0} ms and were interrupted; threads still running: {1}",
                        String.valueOf(ASYNC_STOP.plus(ContainerExecutors.INTERRUPT_GRACE).toMillis()), alive);
            }
        }
        try {
            ownMetrics.close(); // no instrument of this application stays registered with the server's OpenTelemetry
        } catch (Exception e) {
            LOG.log(Level.DEBUG, () -> "closing the metrics registration failed: " + e);
        }
        if (ownRuntime != null && !ownRuntime.isClosed()) {
            ownRuntime.close(); // closes what is left (nothing) and waits for its threads; reports those that stay
            LOG.log(Level.DEBUG, () -> "AloAudio runtime " + ownRuntime.config().name() + " closed");
        }
    }

    /**
     * The status of every live client, oldest first, for the readiness check.
     *
     * @return an immutable snapshot
     */
    List<ClientStatus> statuses() {
        List<Entry> live;
        synchronized (this) {
            live = new ArrayList<>(clients.values());
        }
        List<ClientStatus> statuses = new ArrayList<>(live.size());
        for (Entry entry : live) {
            statuses.add(new ClientStatus(entry.client.config().name(), entry.client.state(),
                    entry.lastDisconnectReason));
        }
        return List.copyOf(statuses);
    }

    /**
     * The devices of the deployment's runtime, creating the runtime if no client exists yet.
     *
     * @return the devices
     * @throws AloAudioStateException if the application is stopping
     */
    synchronized AudioDevices devices() {
        if (shutDown) {
            throw new AloAudioStateException("Cannot use the audio devices: the application is shutting down",
                    ConnectionState.CLOSED);
        }
        return runtimeLocked().devices();
    }

    /**
     * The deployment's runtime, once the first client was created.
     *
     * @return the runtime, or empty before the first client
     */
    synchronized Optional<AloAudioRuntime> runtime() {
        return Optional.ofNullable(runtime);
    }

    /**
     * What the readiness check reports about one client: nothing from the server and nothing of its configuration
     * besides its name.
     *
     * @param name                 the client's name
     * @param state                its connection state
     * @param lastDisconnectReason the reason of its last {@code DisconnectEvent}, or null if it never disconnected
     */
    record ClientStatus(String name, ConnectionState state, DisconnectReason lastDisconnectReason) {
    }

    /** Creates the runtime and the async executor on the first call. Call with the lock held. */
    private AloAudioRuntime runtimeLocked() {
        if (runtime == null) {
            String runtimeName = RUNTIME_PREFIX + RUNTIMES.incrementAndGet();
            ContainerExecutors executors = ContainerExecutors.detect(runtimeName);
            AloAudioRuntime created = AloAudioRuntime.create(executors.runtimeConfig(runtimeName));
            async = executors.newAsyncExecutor(runtimeName);
            metrics = MetricsPublisher.attach(beanManager, created);
            runtime = created;
        }
        return runtime;
    }

    private synchronized Entry find(AloAudio client) {
        for (Entry entry : clients.values()) {
            if (entry.client == client) {
                return entry;
            }
        }
        return null;
    }

    private synchronized void remove(Entry entry) {
        clients.remove(entry.client.config().name(), entry);
    }

    /** A client, its bridge, the application beans obtained for it, and the reason of its last disconnect. */
    private static final class Entry {
        final AloAudio client;
        final ClientBeans.Bound beans;
        volatile CdiEventBridge bridge;
        volatile DisconnectReason lastDisconnectReason;

        Entry(AloAudio client, ClientBeans.Bound beans) {
            this.client = client;
            this.beans = beans;
        }

        /**
         * Stops the bridge's async firing (bounded) and destroys the {@code @Dependent} beans obtained for the
         * client. Call after the client was closed; idempotent.
         */
        void release() {
            CdiEventBridge b = bridge;
            if (b != null) {
                b.shutdown();
            }
            beans.release();
        }
    }

    /**
     * The application's beans for a client, chosen but not instantiated (see {@link ClientBeans}).
     *
     * @param name the client's name
     * @return stand-ins for the beans, to pre-fill a configuration with
     * @throws ai.alo.audio.AloAudioConfigException if the beans of a type are ambiguous
     */
    ConfigResolver.Overrides beansFor(String name) {
        return ClientBeans.standIns(beanManager, name);
    }
}
