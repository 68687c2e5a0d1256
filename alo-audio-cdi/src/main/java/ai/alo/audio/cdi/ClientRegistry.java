package ai.alo.audio.cdi;

import ai.alo.audio.AloAudio;
import ai.alo.audio.AloAudioConfig;
import ai.alo.audio.AloAudioListener;
import ai.alo.audio.AloAudioStateException;
import ai.alo.audio.ConnectionState;
import ai.alo.audio.event.DisconnectEvent;
import ai.alo.audio.spi.AloAudioProvider;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.BeforeDestroyed;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.spi.BeanManager;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every live client of this deployment, the default one and those made by {@link AloAudioFactory}, each with its
 * {@link CdiEventBridge}.
 *
 * <h2>Shutdown</h2>
 * <p>When the application context is about to be destroyed ({@code @BeforeDestroyed(ApplicationScoped.class)}), the
 * registry closes every client still open, newest first. {@code close()} disconnects with WebSocket code 1001 and
 * delivers the final {@code DisconnectEvent} (reason {@code CLIENT_SHUTDOWN}) before it returns, so the
 * application's observers, which are still alive at that moment, receive it; the disposer of the default client
 * runs later and finds the client already closed. After that the registry refuses new clients.
 *
 * <p>A client leaves the registry when it is closed, by the application or at shutdown, so that its name may be
 * used again.
 *
 * <p>Internal. Thread-safe; no client method is called while the registry's lock is held.
 */
@Singleton
class ClientRegistry {

    private static final System.Logger LOG = System.getLogger("ai.alo.audio.cdi");

    private final BeanManager beanManager;
    /** Found on the first {@link #open}, on an application thread where {@code java:comp} is the application's. */
    private ContainerExecutors executors;
    /** Guarded by {@code this}. */
    private final Map<String, Entry> clients = new LinkedHashMap<>();
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
     * Creates a client with the current {@link AloAudioProvider}, attaches its event bridge before anyone else can
     * see it, and registers it.
     *
     * @param config the configuration
     * @return the client, not connected; closed at shutdown unless closed earlier
     * @throws AloAudioStateException if a live client of the same name exists, or the application is stopping
     */
    AloAudio open(AloAudioConfig config) {
        ContainerExecutors executors = executors();
        AloAudioConfig effective = config;
        if (config.threadFactory().isEmpty() && executors.threadFactory().isPresent()) {
            effective = config.toBuilder().threadFactory(executors.threadFactory().get()).build();
        }
        String name = effective.name();
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
            AloAudio client = AloAudioProvider.provider().create(effective);
            Entry entry = new Entry(client);
            client.addListener(new AloAudioListener() {
                @Override
                public void onDisconnect(DisconnectEvent event) {
                    entry.lastDisconnect = event;
                }
            });
            CdiEventBridge bridge = new CdiEventBridge(name, beanManager,
                    executors.newAsyncExecutor(name, effective.threadFactory()), loader, () -> remove(entry));
            entry.bridge = bridge;
            client.addListener(bridge);
            clients.put(name, entry);
            LOG.log(Level.INFO, "ALOAUD-3001 [{0}] AloAudio client created for {1} as user {2}; its events are "
                    + "fired to CDI with @AloClient(\"{0}\")", name, effective.serverUri(), effective.user().id());
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
     * Closes every client still open (newest first) while the application's beans are still alive, so that
     * observers receive each final {@code DisconnectEvent}. Refuses new clients afterwards.
     *
     * @param event the container's event; unused
     */
    void closeAll(@Observes @BeforeDestroyed(ApplicationScoped.class) Object event) {
        List<Entry> open;
        synchronized (this) {
            shutDown = true;
            open = new ArrayList<>(clients.values());
        }
        if (open.isEmpty()) {
            return;
        }
        Collections.reverse(open);
        LOG.log(Level.INFO, "ALOAUD-3002 application stopping: closing {0} AloAudio client(s)",
                String.valueOf(open.size()));
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
            DisconnectEvent last = entry.lastDisconnect;
            statuses.add(new ClientStatus(entry.client.config().name(), entry.client.state(),
                    entry.client.channel().map(c -> c.id()).orElse(last == null ? null : last.channel().id()),
                    last == null ? null : last.message()));
        }
        return List.copyOf(statuses);
    }

    /**
     * What the readiness check reports about one client.
     *
     * @param name                  the client's name
     * @param state                 its connection state
     * @param channelId             the channel of the current or last connection, or null
     * @param lastDisconnectMessage the message of its last {@code DisconnectEvent} (empty for an intentional one), or
     *                              null if it never disconnected
     */
    record ClientStatus(String name, ConnectionState state, String channelId, String lastDisconnectMessage) {
    }

    private synchronized ContainerExecutors executors() {
        if (executors == null) {
            executors = ContainerExecutors.detect();
        }
        return executors;
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

    /** A client and its bridge. */
    private static final class Entry {
        final AloAudio client;
        volatile CdiEventBridge bridge;
        volatile DisconnectEvent lastDisconnect;

        Entry(AloAudio client) {
            this.client = client;
        }

        /** Stops the bridge's async executor (bounded). Call after the client was closed. */
        void release() {
            CdiEventBridge b = bridge;
            if (b != null) {
                b.shutdown();
            }
        }
    }
}
