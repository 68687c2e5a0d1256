package ai.alo.audio.cdi;

import ai.alo.audio.AloAudioListener;
import ai.alo.audio.ConnectionState;
import ai.alo.audio.event.AloAudioEvent;
import ai.alo.audio.event.ConnectionChangeEvent;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.NotificationOptions;
import jakarta.enterprise.event.TransactionPhase;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.spi.BeanManager;
import jakarta.enterprise.inject.spi.EventContext;
import jakarta.enterprise.inject.spi.EventMetadata;
import jakarta.enterprise.inject.spi.InjectionPoint;
import jakarta.enterprise.inject.spi.ObserverMethod;
import java.lang.System.Logger.Level;
import java.lang.annotation.Annotation;
import java.lang.reflect.Type;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Fires every event of one client to CDI, qualified {@code @AloClient(name)}. One bridge per client, registered as
 * the client's first {@link AloAudioListener} before the client is handed out.
 *
 * <h2>Threads and order</h2>
 * <p>The client calls its listeners on an event thread of the deployment's runtime, one event at a time and in order
 * (the client's events never overlap, even though the runtime's event threads serve every client), never under a
 * client lock and never on the thread that called {@code connect()} or {@code disconnect()}; this bridge fires from
 * there, so CDI observers see the events of one client one at a time and in order, and may call back into the client
 * (even {@code disconnect()} and {@code connect()}) without deadlock. While firing, the thread's context class loader is the application's (captured when
 * the bridge was created). No request context is active for synchronous observers: an observer that needs one
 * declares {@code @ActivateRequestContext}.
 *
 * <h2>Synchronous observers: {@code Event.fire} with per-observer isolation</h2>
 * <p>{@code Event.fire} stops at the first observer that throws and rethrows to the firing thread; here that would
 * hide the event from the remaining observers. So the bridge resolves the observers itself with {@link
 * BeanManager#resolveObserverMethods(Object, Annotation...)} (event qualifiers {@code @AloClient(name)} and
 * {@code @Any}), skips the asynchronous ones, orders the others as {@code Event.fire} does (immediate observers, then
 * transactional ones, each by {@linkplain ObserverMethod#getPriority() priority}; the set Weld 5.1 returns is not
 * ordered), and calls {@link ObserverMethod#notify(EventContext)} on each inside its own try/catch. An
 * observer that throws is logged ({@code ALOAUD-3101}, naming the observer) and affects neither the client nor the
 * other observers. Apart from that isolation this is what {@code Event.fire} does: same resolution, same order, same
 * receiver creation (the container's {@code notify} obtains or creates the contextual instance, honours {@code
 * notifyObserver = IF_EXISTS} and destroys {@code @Dependent} receivers). Transactional observers are called at once,
 * which is what the container does when no transaction is active (there is none on the event thread).
 * Limitation: an observer method that injects {@link EventMetadata} as an extra parameter receives the container's
 * current metadata, which is not set on this path (Weld gives {@code null}); use the event's {@code clientName()}.
 *
 * <h2>Asynchronous observers</h2>
 * <p>If any {@code @ObservesAsync} observer matches, the event is fired with {@code
 * beanManager.getEvent().select(@AloClient(name)).fireAsync(event, NotificationOptions.ofExecutor(executor))} on the
 * deployment's async executor (see {@link ContainerExecutors}; shared by every bridge of the deployment, never Weld's
 * default executor, never the event thread). Failures of the returned stage are logged ({@code ALOAUD-3102}); a full
 * queue drops the async delivery of that event with a warning ({@code ALOAUD-3103}).
 *
 * <h2>End</h2>
 * <p>On the client's last event (its transition to {@link ConnectionState#CLOSED}) the bridge waits at most {@link
 * #ASYNC_DRAIN} for its own async deliveries still under way (so the final {@code DisconnectEvent} reaches async
 * observers before {@code close()} returns; {@code ALOAUD-3104} if they take longer), stops firing async, and tells
 * its owner through {@code onClosed}. The executor is not the bridge's: the registry shuts it down when the
 * application stops.
 *
 * <p>Internal. Thread-safe.
 */
final class CdiEventBridge implements AloAudioListener {

    /** How long closing waits for async deliveries already queued. */
    static final Duration ASYNC_DRAIN = Duration.ofSeconds(2);

    private static final System.Logger LOG = System.getLogger("ai.alo.audio.cdi");
    /** As {@code Event.fire}: immediate observers first, then transactional ones; each group by priority. */
    private static final Comparator<ObserverMethod<?>> NOTIFICATION_ORDER = Comparator
            .<ObserverMethod<?>, Boolean>comparing(o -> o.getTransactionPhase() != TransactionPhase.IN_PROGRESS)
            .thenComparingInt(ObserverMethod::getPriority);

    private final String clientName;
    private final BeanManager beanManager;
    private final AloClient qualifier;
    private final Set<Annotation> eventQualifiers;
    private final Event<Object> asyncEvent;
    private final NotificationOptions asyncOptions;
    private final ClassLoader applicationLoader;
    private final Runnable onClosed;
    private final AtomicBoolean shutDown = new AtomicBoolean();
    /** Async deliveries not yet finished, so that closing can wait for them whoever owns the executor. */
    private final Set<CompletableFuture<?>> pendingAsync = ConcurrentHashMap.newKeySet();

    /**
     * Creates a bridge.
     *
     * @param clientName        the client's name, the value of the {@code @AloClient} qualifier
     * @param beanManager       the bean manager of the deployment
     * @param asyncExecutor     the deployment's executor for async observers; not shut down by this bridge
     * @param applicationLoader the context class loader to set while firing, or null to leave it
     * @param onClosed          run once, on the event thread, after the client's last event
     */
    CdiEventBridge(String clientName, BeanManager beanManager, Executor asyncExecutor, ClassLoader applicationLoader,
                   Runnable onClosed) {
        this.clientName = clientName;
        this.beanManager = beanManager;
        this.qualifier = AloClient.Literal.of(clientName);
        this.eventQualifiers = Set.of(qualifier, Any.Literal.INSTANCE);
        this.asyncEvent = beanManager.getEvent().select(qualifier);
        this.asyncOptions = NotificationOptions.ofExecutor(asyncExecutor);
        this.applicationLoader = applicationLoader;
        this.onClosed = onClosed;
    }

    @Override
    public void onEvent(AloAudioEvent event) {
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        if (applicationLoader != null) {
            thread.setContextClassLoader(applicationLoader);
        }
        try {
            fire(event);
        } finally {
            thread.setContextClassLoader(previous);
        }
        if (event instanceof ConnectionChangeEvent change && change.state() == ConnectionState.CLOSED) {
            shutdown();
            onClosed.run();
        }
    }

    /**
     * Stops firing async and waits (bounded by {@link #ASYNC_DRAIN}) for this client's async deliveries still under
     * way. Idempotent; later events are still fired to synchronous observers, their async delivery is skipped.
     */
    void shutdown() {
        if (!shutDown.compareAndSet(false, true)) {
            return;
        }
        CompletableFuture<?>[] waiting = pendingAsync.toArray(new CompletableFuture<?>[0]);
        if (waiting.length > 0) {
            try {
                CompletableFuture.allOf(waiting).get(ASYNC_DRAIN.toNanos(), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException e) {
                // each failure is logged where it completes
            } catch (TimeoutException e) {
                LOG.log(Level.WARNING, "ALOAUD-3104 [{0}] {1} @ObservesAsync delivery(ies) still running {2} ms "
                        + "after close()", clientName, String.valueOf(pendingAsync.size()),
                        String.valueOf(ASYNC_DRAIN.toMillis()));
            }
        }
    }

    private void fire(AloAudioEvent event) {
        List<ObserverMethod<? super AloAudioEvent>> observers;
        try {
            observers = new ArrayList<>(beanManager.resolveObserverMethods(event, qualifier));
        } catch (RuntimeException e) {
            LOG.log(Level.ERROR, "ALOAUD-3105 [" + clientName + "] cannot fire " + event.getClass().getSimpleName()
                    + " to CDI observers (is the application stopped?)", e);
            return;
        }
        observers.sort(NOTIFICATION_ORDER);
        boolean anyAsync = false;
        for (ObserverMethod<? super AloAudioEvent> observer : observers) {
            if (observer.isAsync()) {
                anyAsync = true;
            } else {
                notifySafely(observer, event);
            }
        }
        if (anyAsync) {
            fireAsync(event);
        }
    }

    private void notifySafely(ObserverMethod<? super AloAudioEvent> observer, AloAudioEvent event) {
        try {
            notify(observer, event);
        } catch (VirtualMachineError e) {
            throw e;
        } catch (Throwable e) {
            LOG.log(Level.WARNING, "ALOAUD-3101 [" + clientName + "] observer " + describe(observer) + " threw on "
                    + event.getClass().getSimpleName() + "; the other observers are still notified", e);
        }
    }

    /** Captures the observed type {@code T} of an {@code ObserverMethod<? super E>}, so that the event fits. */
    private <T> void notify(ObserverMethod<T> observer, T event) {
        observer.notify(new Context<>(event));
    }

    private void fireAsync(AloAudioEvent event) {
        if (shutDown.get()) {
            LOG.log(Level.DEBUG, () -> "[" + clientName + "] client closed; async delivery of " + event
                    + " skipped");
            return;
        }
        try {
            CompletableFuture<AloAudioEvent> delivery =
                    asyncEvent.fireAsync(event, asyncOptions).toCompletableFuture();
            pendingAsync.add(delivery);
            delivery.whenComplete((delivered, failure) -> {
                        pendingAsync.remove(delivery);
                        if (failure != null) {
                            Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                                    ? failure.getCause() : failure;
                            LOG.log(Level.WARNING, "ALOAUD-3102 [" + clientName + "] @ObservesAsync observer(s) of "
                                    + event.getClass().getSimpleName() + " failed", cause);
                        }
                    });
        } catch (RejectedExecutionException e) {
            LOG.log(Level.WARNING, "ALOAUD-3103 [{0}] async delivery of {1} dropped: more than {2} deliveries of "
                    + "this application are waiting for the @ObservesAsync observers, or the application is stopping", clientName,
                    event.getClass().getSimpleName(), String.valueOf(ContainerExecutors.ASYNC_QUEUE));
        } catch (RuntimeException e) {
            LOG.log(Level.ERROR, "ALOAUD-3107 [" + clientName + "] cannot fire " + event.getClass().getSimpleName()
                    + " to @ObservesAsync observers (is the application stopped?)", e);
        }
    }

    private static String describe(ObserverMethod<?> observer) {
        return observer + " of " + observer.getBeanClass().getName() + " (priority " + observer.getPriority() + ")";
    }

    /** The event and its metadata, as the container would pass them. */
    private final class Context<T> implements EventContext<T>, EventMetadata {

        private final T event;

        Context(T event) {
            this.event = event;
        }

        @Override
        public T getEvent() {
            return event;
        }

        @Override
        public EventMetadata getMetadata() {
            return this;
        }

        @Override
        public Set<Annotation> getQualifiers() {
            return eventQualifiers;
        }

        @Override
        public InjectionPoint getInjectionPoint() {
            return null;
        }

        @Override
        public Type getType() {
            return event.getClass();
        }
    }
}
