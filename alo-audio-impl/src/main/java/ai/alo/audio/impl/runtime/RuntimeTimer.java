package ai.alo.audio.impl.runtime;

import java.lang.System.Logger.Level;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The one timer thread of a runtime: connect timeouts, heartbeat pings and watchdogs, close lingers, the blocked
 * listener watchdog. Tasks must be short and must not block.
 *
 * <p>Cancelled tasks leave the queue at once, so {@link #queued()} counts what is really pending (the release proof
 * counts it). A task that throws is logged ({@code ALOAUD-1904}) and, if periodic, keeps its schedule: owners that
 * need to react wrap their tasks themselves.
 *
 * <p>Thread-safe.
 */
public final class RuntimeTimer {

    private static final System.Logger LOG = System.getLogger("ai.alo.audio");

    private final ScheduledThreadPoolExecutor executor;
    private volatile boolean started;

    /**
     * Creates the timer; its thread starts with {@link #start()}.
     *
     * @param threads the runtime's thread factory
     */
    public RuntimeTimer(RuntimeThreads threads) {
        executor = new ScheduledThreadPoolExecutor(1, threads.forRole("timer"));
        executor.setRemoveOnCancelPolicy(true);
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        executor.setContinueExistingPeriodicTasksAfterShutdownPolicy(false);
    }

    /**
     * Starts the timer thread now, so that scheduling never has to start one (and cannot fail half-way, leaving a
     * task queued that no thread runs). The thread then lives until {@link #shutdown()}.
     *
     * @throws java.util.concurrent.RejectedExecutionException if the thread cannot be started
     */
    public void start() {
        executor.prestartCoreThread();
        started = true;
    }

    /**
     * Whether the timer thread runs: started and not shut down.
     *
     * @return {@code true} when tasks scheduled now will run
     */
    public boolean isRunning() {
        return started && !executor.isShutdown();
    }

    /**
     * Runs a task once after a delay.
     *
     * @param task       the task
     * @param delayNanos the delay
     * @return the handle
     * @throws java.util.concurrent.RejectedExecutionException after {@link #shutdown()}
     */
    public Cancellable schedule(Runnable task, long delayNanos) {
        ScheduledFuture<?> future = executor.schedule(guard(task), delayNanos, TimeUnit.NANOSECONDS);
        return () -> future.cancel(false);
    }

    /**
     * Runs a task every period, the first time one period from now.
     *
     * @param task        the task
     * @param periodNanos the period
     * @return the handle
     * @throws java.util.concurrent.RejectedExecutionException after {@link #shutdown()}
     */
    public Cancellable scheduleAtFixedRate(Runnable task, long periodNanos) {
        ScheduledFuture<?> future = executor.scheduleAtFixedRate(guard(task), periodNanos, periodNanos,
                TimeUnit.NANOSECONDS);
        return () -> future.cancel(false);
    }

    /**
     * The executor behind the timer, for Tyrus sessions.
     *
     * @return the executor; do not shut it down
     */
    public ScheduledExecutorService executor() {
        return executor;
    }

    /**
     * How many tasks are scheduled and not cancelled.
     *
     * @return the count
     */
    public int queued() {
        return executor.getQueue().size();
    }

    /** Drops every scheduled task and ends the thread (without waiting for it). */
    public void shutdown() {
        executor.shutdownNow();
    }

    private static Runnable guard(Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (RuntimeException | LinkageError e) {
                LOG.log(Level.ERROR, "ALOAUD-1904 a timer task failed: " + task, e);
            }
        };
    }
}
