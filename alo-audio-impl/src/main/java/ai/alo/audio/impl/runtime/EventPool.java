package ai.alo.audio.impl.runtime;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The event threads of a runtime, shared by every client: each client has its own {@link SerialQueue} on them, so a
 * client's events stay in order while different clients' events run in parallel.
 *
 * <h2>Blocked listeners</h2>
 * <p>A listener that blocks holds one event thread. Once a second the runtime's timer looks at the queues being
 * drained: one that has been on the same task for {@link #BLOCKED_AFTER} is reported ({@code ALOAUD-1303}, once per
 * task) and the pool gets one more thread, up to twice its size, so that the other clients' events keep flowing; the
 * extra threads end when the listeners return. A client whose listener blocks keeps its own events waiting (in order),
 * within its queue's bound.
 *
 * <p>Thread-safe.
 */
public final class EventPool {

    /** How long one task may run before its listener counts as blocked. */
    public static final Duration BLOCKED_AFTER = Duration.ofSeconds(2);

    private static final System.Logger LOG = System.getLogger("ai.alo.audio");

    private final ThreadPoolExecutor executor;
    private final int size;
    private final RuntimeTimer timer;
    private final Set<SerialQueue> draining = ConcurrentHashMap.newKeySet();
    private final Set<SerialQueue> queues = ConcurrentHashMap.newKeySet();
    private Cancellable watchdog = Cancellable.NONE;
    private final java.util.concurrent.atomic.AtomicInteger retries = new java.util.concurrent.atomic.AtomicInteger();

    /**
     * Creates the pool; its threads start with the first task.
     *
     * @param threads the runtime's thread factory
     * @param size    the number of event threads
     * @param timer   the runtime's timer, which runs the blocked-listener watchdog
     */
    public EventPool(RuntimeThreads threads, int size, RuntimeTimer timer) {
        this.size = size;
        this.timer = timer;
        this.executor = new ThreadPoolExecutor(size, 2 * size, 10, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                threads.forRole("event"));
    }

    /** Starts the blocked-listener watchdog on the timer; called once, when the runtime starts. */
    synchronized void start() {
        watchdog = timer.scheduleAtFixedRate(this::checkBlocked, TimeUnit.SECONDS.toNanos(1));
    }

    /**
     * A new ordered queue for one client.
     *
     * @param owner    the client's name, for log lines
     * @param capacity how many droppable tasks may wait before the oldest are dropped
     * @return the queue
     */
    public SerialQueue newQueue(String owner, int capacity) {
        SerialQueue queue = new SerialQueue(owner, capacity, this);
        queues.add(queue);
        queue.closed().thenRun(() -> queues.remove(queue));
        return queue;
    }

    /**
     * How many tasks wait in the clients' own queues (events behind a slow listener). O(clients).
     *
     * @return the count
     */
    public int queuedEvents() {
        int total = 0;
        for (SerialQueue queue : queues) {
            total += queue.depth();
        }
        return total;
    }

    /**
     * The executor, for the rare tasks of Tyrus sessions. Do not shut it down.
     *
     * @return the executor
     */
    public ThreadPoolExecutor executor() {
        return executor;
    }

    void start(SerialQueue queue) {
        executor.execute(queue::drain);
    }

    void retryLater(SerialQueue queue) {
        if (!timer.isRunning()) {
            // no timer either: the client's close() delivers what is queued, on its own thread
            return;
        }
        retries.incrementAndGet();
        try {
            timer.schedule(() -> {
                retries.decrementAndGet();
                queue.retry();
            }, TimeUnit.MILLISECONDS.toNanos(100));
        } catch (RejectedExecutionException e) {
            // the runtime is closing; close() drains what is left on the closing thread
            retries.decrementAndGet();
        }
    }

    void draining(SerialQueue queue, boolean active) {
        if (active) {
            draining.add(queue);
        } else {
            draining.remove(queue);
        }
    }

    private void checkBlocked() {
        long now = System.nanoTime();
        int blocked = 0;
        for (SerialQueue queue : draining) {
            if (queue.checkBlocked(now, BLOCKED_AFTER.toNanos())) {
                blocked++;
            }
        }
        int wanted = size + Math.min(size, blocked);
        if (executor.getCorePoolSize() != wanted && !executor.isShutdown()) {
            if (wanted > executor.getCorePoolSize()) {
                LOG.log(Level.INFO, "ALOAUD-1306 {0} listener(s) blocked: running {1} event threads instead of {2}",
                        String.valueOf(blocked), String.valueOf(wanted), String.valueOf(size));
            }
            executor.setCorePoolSize(wanted);
        }
    }

    /**
     * How many tasks wait for an event thread (not counting those in the clients' queues).
     *
     * @return the count
     */
    public int backlog() {
        return executor.getQueue().size();
    }

    /** How many tasks of its own the pool keeps on the timer: its watchdog, and retries of starved queues. */
    synchronized int ownTimerTasks() {
        return (watchdog == Cancellable.NONE ? 0 : 1) + retries.get();
    }

    /** Stops the watchdog and lets the threads end once their work is done (without waiting). */
    public synchronized void shutdown() {
        watchdog.cancel();
        watchdog = Cancellable.NONE;
        executor.shutdown();
    }
}
