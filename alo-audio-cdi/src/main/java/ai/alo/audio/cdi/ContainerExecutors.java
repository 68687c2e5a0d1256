package ai.alo.audio.cdi;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The one place that decides where the threads of this module come from: the thread factory handed to clients and
 * the executor that delivers events to {@code @ObservesAsync} observers.
 *
 * <p>This version has the Java SE behaviour only: clients use their own daemon threads (no factory is supplied), and
 * each client's async observers are called on a small pool owned by its event bridge ({@value #ASYNC_THREADS}
 * threads at most, started on demand, ended after {@link #ASYNC_IDLE} without work, at most {@value #ASYNC_QUEUE}
 * queued deliveries). Weld's default async executor is deliberately not used: on a machine with two cores it starts a
 * new thread for every event.
 *
 * <p>Extension point: a Jakarta EE server with Jakarta Concurrency offers {@code
 * java:comp/DefaultManagedThreadFactory} and {@code java:comp/DefaultManagedExecutorService}. A later version can
 * look them up here (with a plain {@code javax.naming.InitialContext}, no compile-time dependency, falling back to
 * this behaviour when the lookup fails) and return them from {@link #threadFactory()} and {@link
 * #newAsyncExecutor}; a managed executor is then {@linkplain AsyncExecutor#owned() not owned} and never shut down by
 * this module.
 *
 * <p>Internal. Immutable and thread-safe.
 */
final class ContainerExecutors {

    /** Largest number of threads that deliver one client's events to async observers. */
    static final int ASYNC_THREADS = 2;
    /** How long an idle async delivery thread lives. */
    static final Duration ASYNC_IDLE = Duration.ofSeconds(5);
    /** Largest number of async deliveries of one client waiting for a thread. */
    static final int ASYNC_QUEUE = 1024;

    private static final System.Logger LOG = System.getLogger("ai.alo.audio.cdi");

    private ContainerExecutors() {
    }

    /**
     * The executors of the current environment.
     *
     * @return the executors; in this version always the Java SE behaviour
     */
    static ContainerExecutors detect() {
        return new ContainerExecutors();
    }

    /**
     * The thread factory for clients whose configuration sets none.
     *
     * @return empty: clients start their own daemon threads named {@code alo-audio-<name>-...}
     */
    Optional<ThreadFactory> threadFactory() {
        return Optional.empty();
    }

    /**
     * A new executor for one client's async observers.
     *
     * @param clientName    the client's name, used in thread names
     * @param clientThreads the client's configured thread factory, if any; its threads are used when present
     * @return the executor, owned by the caller, which must {@linkplain AsyncExecutor#shutdown(Duration) shut it down}
     */
    AsyncExecutor newAsyncExecutor(String clientName, Optional<ThreadFactory> clientThreads) {
        ThreadFactory threads = clientThreads.orElseGet(() -> daemonThreads("alo-audio-" + clientName + "-async-"));
        ThreadPoolExecutor pool = new ThreadPoolExecutor(ASYNC_THREADS, ASYNC_THREADS, ASYNC_IDLE.toMillis(),
                TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(ASYNC_QUEUE), threads);
        pool.allowCoreThreadTimeOut(true);
        return new AsyncExecutor(clientName, pool);
    }

    private static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger counter = new AtomicInteger();
        return task -> {
            Thread thread = new Thread(task, prefix + counter.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    /**
     * An executor for async observers together with its ownership: an owned pool is shut down by its event bridge
     * when the client is closed. Thread-safe.
     */
    static final class AsyncExecutor {

        private final String clientName;
        private final ThreadPoolExecutor pool;

        /**
         * Wraps an owned pool.
         *
         * @param clientName the client's name, for log messages
         * @param pool       the pool
         */
        AsyncExecutor(String clientName, ThreadPoolExecutor pool) {
            this.clientName = clientName;
            this.pool = pool;
        }

        /**
         * The executor to pass in {@code NotificationOptions.ofExecutor(...)}.
         *
         * @return the executor; rejects work once shut down or when its queue is full
         */
        Executor executor() {
            return pool;
        }

        /**
         * Whether this module created the executor and must shut it down.
         *
         * @return {@code true} in this version
         */
        boolean owned() {
            return true;
        }

        /**
         * Stops accepting deliveries, waits up to {@code timeout} for those already queued, then interrupts the rest.
         * Idempotent. Called from the client's dispatcher thread, so it must stay bounded.
         *
         * @param timeout how long to wait for queued deliveries
         * @return {@code true} if every delivery finished in time
         */
        boolean shutdown(Duration timeout) {
            if (pool.isTerminated()) {
                return true;
            }
            pool.shutdown();
            try {
                if (pool.awaitTermination(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
                    return true;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            List<Runnable> dropped = pool.shutdownNow();
            LOG.log(Level.WARNING, "ALOAUD-3104 [{0}] @ObservesAsync observers did not finish within {1} ms of "
                    + "close(); {2} queued delivery(ies) dropped and the async threads interrupted", clientName,
                    String.valueOf(timeout.toMillis()), String.valueOf(dropped.size()));
            return false;
        }
    }
}
