package ai.alo.audio.impl.runtime;

import java.lang.System.Logger.Level;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The ordered task queue of one client on the runtime's {@link EventPool}: tasks run one at a time, in the order they
 * were posted, on an event thread, never while the poster holds a lock (posting only appends). Event deliveries and
 * future completions of the client go through it.
 *
 * <h2>Bound</h2>
 * <p>Tasks are <em>droppable</em> (participant and connection-change events) or not (disconnect events, future
 * completions: bounded in number by the connection attempts). When more than {@code capacity} tasks wait, because a
 * listener is blocked, the oldest droppable task is dropped and counted ({@code ALOAUD-1304}); so a listener that
 * blocks forever costs a bounded amount of memory and never stalls the socket I/O or other clients.
 *
 * <h2>Failure to get a thread</h2>
 * <p>If no event thread can be started (a managed thread factory that refuses, no native thread left), the queue logs
 * it ({@code ALOAUD-1305}) and tries again every 100 ms; nothing posted is lost, and {@link #close()}'s caller drains
 * what is left if the threads never come.
 *
 * <p>Thread-safe.
 */
public final class SerialQueue {

    private static final System.Logger LOG = System.getLogger("ai.alo.audio");
    private static final int BATCH = 64;

    private final String owner;
    private final int capacity;
    private final EventPool pool;
    private final CompletableFuture<Void> drained = new CompletableFuture<>();

    // guarded by this
    private final ArrayDeque<Task> tasks = new ArrayDeque<>();
    private boolean scheduled;
    private boolean running;
    private boolean closed;
    private boolean rejectionReported;
    /** The last attempt to get an event thread failed, and no drain has run since. */
    private boolean starved;
    private long droppedSinceReport;

    private volatile Thread drainingThread;
    private volatile Task current;
    private volatile long currentStartedNanos;
    private volatile boolean currentReported;

    SerialQueue(String owner, int capacity, EventPool pool) {
        this.owner = owner;
        this.capacity = capacity;
        this.pool = pool;
    }

    /** A queued task. */
    private record Task(Runnable action, boolean droppable, Object subject) {
    }

    /**
     * Appends a task. Never blocks and never runs the task on the calling thread.
     *
     * @param action    the task
     * @param droppable whether it may be dropped when the queue is over its capacity
     * @param subject   what the task is about (an event), for log lines
     * @return {@code false} if the queue is closed and the task will not run
     */
    public boolean post(Runnable action, boolean droppable, Object subject) {
        boolean start = false;
        synchronized (this) {
            if (closed) {
                return false;
            }
            if (tasks.size() >= capacity) {
                if (droppable) {
                    droppedSinceReport++;
                    reportDropsLocked();
                    return true;
                }
                dropOldestDroppableLocked();
            }
            tasks.add(new Task(action, droppable, subject));
            if (!scheduled) {
                scheduled = true;
                start = true;
            }
        }
        if (start) {
            schedule();
        }
        return true;
    }

    private void dropOldestDroppableLocked() {
        for (Iterator<Task> it = tasks.iterator(); it.hasNext(); ) {
            if (it.next().droppable) {
                it.remove();
                droppedSinceReport++;
                reportDropsLocked();
                return;
            }
        }
    }

    private void reportDropsLocked() {
        if (droppedSinceReport == 1 || droppedSinceReport % 1000 == 0) {
            LOG.log(Level.WARNING, "ALOAUD-1304 [{0}] a listener is not keeping up: {1} queued event(s) dropped "
                    + "(participant and connection-change events; disconnect events are never dropped)", owner,
                    String.valueOf(droppedSinceReport));
        }
    }

    void schedule() {
        try {
            pool.start(this);
        } catch (RejectedExecutionException | OutOfMemoryError e) {
            boolean report;
            synchronized (this) {
                report = !rejectionReported;
                rejectionReported = true;
                starved = true;
            }
            if (report) {
                LOG.log(Level.ERROR, "ALOAUD-1305 [" + owner + "] no event thread could be started; events wait and "
                        + "are retried every 100 ms", e);
            }
            pool.retryLater(this);
        }
    }

    /** A retry after a failure to get a thread: tries again if there is still something to run. */
    void retry() {
        synchronized (this) {
            if (running || tasks.isEmpty()) {
                if (!running) {
                    scheduled = false;
                    starved = false;
                }
                return;
            }
        }
        schedule();
    }

    void drain() {
        synchronized (this) {
            if (running) {
                return;
            }
            running = true;
            starved = false;
        }
        drainingThread = Thread.currentThread();
        pool.draining(this, true);
        boolean finished = false;
        try {
            for (int i = 0; i < BATCH; i++) {
                Task task = nextOrFinish();
                if (task == null) {
                    finished = true;
                    return;
                }
                runTask(task);
            }
        } finally {
            drainingThread = null;
            pool.draining(this, false);
            if (!finished) {
                // a batch is done (or a task threw an Error): let other clients' queues run, then go on
                synchronized (this) {
                    running = false;
                }
                schedule();
            }
        }
    }

    /** The next task; when there is none, marks the queue idle (and drained, if closed). */
    private synchronized Task nextOrFinish() {
        Task task = tasks.poll();
        if (task == null) {
            running = false;
            scheduled = false;
            if (closed) {
                drained.complete(null);
            }
        }
        return task;
    }

    private void runTask(Task task) {
        current = task;
        currentStartedNanos = System.nanoTime();
        currentReported = false;
        try {
            task.action.run();
        } catch (VirtualMachineError e) {
            throw e;
        } catch (Throwable e) {
            LOG.log(Level.ERROR, "ALOAUD-1903 [" + owner + "] internal error delivering " + task.subject, e);
        } finally {
            current = null;
            if (currentReported) {
                LOG.log(Level.INFO, "ALOAUD-1307 [{0}] the blocked listener returned after {1} ms", owner,
                        String.valueOf(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - currentStartedNanos)));
            }
        }
    }

    /** Called by the watchdog; reports a task that has run longer than {@code afterNanos}, once. */
    boolean checkBlocked(long now, long afterNanos) {
        Task task = current;
        if (task == null || now - currentStartedNanos < afterNanos) {
            return false;
        }
        if (!currentReported) {
            currentReported = true;
            Thread thread = drainingThread;
            LOG.log(Level.WARNING, "ALOAUD-1303 [{0}] a listener has been running for more than {1} ms on {2} (thread "
                    + "{3}); {4} later event(s) of this client wait, other clients are not affected", owner,
                    String.valueOf(TimeUnit.NANOSECONDS.toMillis(now - currentStartedNanos)), describe(task.subject),
                    thread == null ? "?" : thread.getName(), String.valueOf(depth()));
        }
        return true;
    }

    private static String describe(Object subject) {
        return subject == null ? "a task" : subject.getClass().getSimpleName();
    }

    /**
     * Whether the calling thread is the one running this queue's tasks now (a listener of this client).
     *
     * @return {@code true} inside a task of this queue
     */
    public boolean isDrainingThread() {
        return drainingThread == Thread.currentThread();
    }

    /**
     * How many tasks wait.
     *
     * @return the count
     */
    public synchronized int depth() {
        return tasks.size();
    }

    /**
     * Completes once the queue is closed and drained.
     *
     * @return the future
     */
    CompletableFuture<Void> closed() {
        return drained;
    }

    /**
     * Stops accepting tasks. The returned future completes once every task posted before has run.
     *
     * @return the future
     */
    public CompletableFuture<Void> close() {
        synchronized (this) {
            closed = true;
            if (!scheduled && tasks.isEmpty()) {
                drained.complete(null);
            }
        }
        return drained;
    }

    /**
     * Whether tasks wait because no event thread could be started for them.
     *
     * @return {@code true} when starved
     */
    public synchronized boolean isStarved() {
        return starved && !running && !tasks.isEmpty();
    }

    /**
     * Runs what is left on the calling thread: the last resort of a closing client whose queue could not get an
     * event thread. Does nothing while a drain is running elsewhere.
     */
    public void drainHere() {
        synchronized (this) {
            if (running) {
                return;
            }
            running = true;
            scheduled = true;
        }
        drainingThread = Thread.currentThread();
        try {
            while (nextOrRun()) {
                // runs until empty
            }
        } finally {
            drainingThread = null;
        }
    }

    private boolean nextOrRun() {
        Task task = nextOrFinish();
        if (task == null) {
            return false;
        }
        runTask(task);
        return true;
    }
}
