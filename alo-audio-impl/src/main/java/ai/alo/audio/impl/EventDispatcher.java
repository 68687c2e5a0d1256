package ai.alo.audio.impl;

import ai.alo.audio.AloAudioListener;
import ai.alo.audio.ListenerRegistration;
import ai.alo.audio.event.AloAudioEvent;
import ai.alo.audio.event.ConnectionChangeEvent;
import ai.alo.audio.event.DisconnectEvent;
import ai.alo.audio.event.ParticipantsChangedEvent;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The ordered event dispatcher of one client: events are delivered one at a time, in the order they were queued, on
 * one thread that never holds a client lock.
 *
 * <p>The thread is started on the first event and ends after {@value #IDLE_SECONDS} s without events, so an idle
 * client holds no thread; {@link #shutdown(Duration)} ends it for good after delivering what is queued. {@link
 * #queue(AloAudioEvent)} may be called while holding the client's state lock: it only appends to the queue, which is
 * how the delivery order is kept equal to the order of the state changes.
 *
 * <p>A listener that throws is logged ({@code ALOAUD-1301}); delivery continues with the next listener.
 */
final class EventDispatcher {

    private static final System.Logger LOG = System.getLogger("ai.alo.audio");
    static final int IDLE_SECONDS = 5;

    private final String clientName;
    private final ThreadPoolExecutor executor;
    private final CopyOnWriteArrayList<Registration> listeners = new CopyOnWriteArrayList<>();
    private volatile Thread current;

    EventDispatcher(String clientName, ThreadTracker threads) {
        this.clientName = clientName;
        this.executor = new ThreadPoolExecutor(1, 1, IDLE_SECONDS, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                threads);
        this.executor.allowCoreThreadTimeOut(true);
    }

    ListenerRegistration add(AloAudioListener listener) {
        Registration registration = new Registration(Objects.requireNonNull(listener, "listener"));
        listeners.add(registration);
        return registration;
    }

    /** Queues an event for the listeners registered now. Never blocks, never calls a listener. */
    void queue(AloAudioEvent event) {
        Object[] targets = listeners.toArray();
        try {
            executor.execute(() -> deliver(event, targets));
        } catch (RejectedExecutionException e) {
            LOG.log(Level.DEBUG, () -> "[" + clientName + "] event after shutdown not delivered: " + event);
        }
    }

    boolean isDispatcherThread() {
        return Thread.currentThread() == current;
    }

    /**
     * Stops accepting events, delivers the queued ones and ends the thread. When called from the dispatcher thread
     * itself it returns at once; the thread ends after the current listener returns and the queue is empty.
     *
     * @param drainTimeout how long to wait for the queue to drain
     * @return {@code true} if the dispatcher ended (or will end on its own) within the timeout
     */
    boolean shutdown(Duration drainTimeout) {
        executor.shutdown();
        if (isDispatcherThread()) {
            return true;
        }
        try {
            if (executor.awaitTermination(drainTimeout.toNanos(), TimeUnit.NANOSECONDS)) {
                return true;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        List<Runnable> dropped = executor.shutdownNow();
        LOG.log(Level.WARNING, "ALOAUD-1302 [{0}] listeners did not finish within {1} ms; {2} queued event(s) "
                + "dropped and the dispatcher thread interrupted", clientName, String.valueOf(drainTimeout.toMillis()),
                String.valueOf(dropped.size()));
        return false;
    }

    private void deliver(AloAudioEvent event, Object[] targets) {
        current = Thread.currentThread();
        try {
            for (Object target : targets) {
                Registration registration = (Registration) target;
                if (registration.active) {
                    deliver(event, registration.listener);
                }
            }
        } finally {
            current = null;
        }
    }

    private void deliver(AloAudioEvent event, AloAudioListener listener) {
        try {
            listener.onEvent(event);
            if (event instanceof ConnectionChangeEvent e) {
                listener.onConnectionChange(e);
            } else if (event instanceof DisconnectEvent e) {
                listener.onDisconnect(e);
            } else if (event instanceof ParticipantsChangedEvent e) {
                listener.onParticipantsChanged(e);
            }
        } catch (VirtualMachineError e) {
            throw e;
        } catch (Throwable e) {
            LOG.log(Level.WARNING, "ALOAUD-1301 [" + clientName + "] listener " + listener.getClass().getName()
                    + " threw on " + event.getClass().getSimpleName() + "; delivery continues", e);
        }
    }

    private final class Registration implements ListenerRegistration {
        final AloAudioListener listener;
        volatile boolean active = true;

        Registration(AloAudioListener listener) {
            this.listener = listener;
        }

        @Override
        public void close() {
            active = false;
            listeners.remove(this);
        }
    }
}
