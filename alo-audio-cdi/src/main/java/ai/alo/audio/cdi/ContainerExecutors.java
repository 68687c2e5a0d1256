package ai.alo.audio.cdi;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.naming.InitialContext;
import javax.naming.NamingException;

/**
 * The one place that decides where the threads of this module come from: the thread factory handed to clients and
 * the executor that delivers events to {@code @ObservesAsync} observers.
 *
 * <h2>In a Jakarta EE server</h2>
 * <p>When the server offers Jakarta Concurrency, {@link #detect()} looks up {@code
 * java:comp/DefaultManagedThreadFactory} and {@code java:comp/DefaultManagedExecutorService} (with a plain {@code
 * javax.naming.InitialContext}: no compile-time dependency on the Concurrency API). Every thread of a client (its event
 * dispatcher, its timers, its socket I/O) then comes from the managed thread factory, so synchronous observers run on
 * container-managed threads that carry the application's naming context: they can look up JNDI resources and call EJBs
 * and {@code @Transactional} beans. Async observers run on the managed executor, whose lifecycle belongs to the server
 * (this module never shuts it down).
 *
 * <h2>Elsewhere</h2>
 * <p>Without Jakarta Concurrency (Java SE, a server without it, or a lookup that fails), clients use their own daemon
 * threads, and each client's async observers are called on a small pool owned by its event bridge ({@value
 * #ASYNC_THREADS} threads at most, started on demand, ended after {@link #ASYNC_IDLE} without work, at most {@value
 * #ASYNC_QUEUE} queued deliveries). Weld's default async executor is deliberately not used: on a machine with two
 * cores it starts a new thread for every event.
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

    static final String MANAGED_THREAD_FACTORY = "java:comp/DefaultManagedThreadFactory";
    static final String MANAGED_EXECUTOR = "java:comp/DefaultManagedExecutorService";

    private static final System.Logger LOG = System.getLogger("ai.alo.audio.cdi");

    private final ThreadFactory managedThreads;
    private final Executor managedExecutor;

    private ContainerExecutors(ThreadFactory managedThreads, Executor managedExecutor) {
        this.managedThreads = managedThreads;
        this.managedExecutor = managedExecutor;
    }

    /**
     * The executors of the current environment. Call on an application thread (bean creation), where {@code
     * java:comp} names the application's component.
     *
     * @return the managed executors when the server has them, else the Java SE behaviour
     */
    static ContainerExecutors detect() {
        List<String> problems = new ArrayList<>();
        ThreadFactory threads = lookup(MANAGED_THREAD_FACTORY, ThreadFactory.class, problems);
        Executor executor = lookup(MANAGED_EXECUTOR, Executor.class, problems);
        LOG.log(Level.INFO, "ALOAUD-3010 threads of the AloAudio clients: {0}; @ObservesAsync observers: {1}{2}",
                threads == null ? "their own daemon threads" : MANAGED_THREAD_FACTORY,
                executor == null ? "their own pool" : MANAGED_EXECUTOR,
                problems.isEmpty() ? "" : " (Jakarta Concurrency not available: " + String.join("; ", problems)
                        + ")");
        return new ContainerExecutors(threads, executor);
    }

    private static <T> T lookup(String name, Class<T> type, List<String> problems) {
        try {
            Object found = new InitialContext().lookup(name);
            if (type.isInstance(found)) {
                return type.cast(found);
            }
            problems.add(name + " is a " + (found == null ? "null" : found.getClass().getName()));
        } catch (NamingException | RuntimeException | LinkageError e) {
            problems.add(name + ": " + e.getClass().getSimpleName());
        }
        return null;
    }

    /**
     * The thread factory for clients whose configuration sets none.
     *
     * @return the server's managed thread factory, or empty: clients then start their own daemon threads named
     *         {@code alo-audio-<name>-...}
     */
    Optional<ThreadFactory> threadFactory() {
        return Optional.ofNullable(managedThreads);
    }

    /**
     * The executor for one client's async observers.
     *
     * @param clientName    the client's name, used in thread names
     * @param clientThreads the client's configured thread factory, if any; its threads are used for an owned pool
     * @return the server's managed executor (not owned), or a new pool owned by the caller, which must
     *         {@linkplain AsyncExecutor#shutdown(Duration) shut it down}
     */
    AsyncExecutor newAsyncExecutor(String clientName, Optional<ThreadFactory> clientThreads) {
        if (managedExecutor != null) {
            return new AsyncExecutor(clientName, managedExecutor, null);
        }
        ThreadFactory threads = clientThreads.orElseGet(() -> daemonThreads("alo-audio-" + clientName + "-async-"));
        ThreadPoolExecutor pool = new ThreadPoolExecutor(ASYNC_THREADS, ASYNC_THREADS, ASYNC_IDLE.toMillis(),
                TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(ASYNC_QUEUE), threads);
        pool.allowCoreThreadTimeOut(true);
        return new AsyncExecutor(clientName, pool, pool);
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
     * when the client is closed; a managed executor belongs to the server. Thread-safe.
     */
    static final class AsyncExecutor {

        private final String clientName;
        private final Executor executor;
        private final ThreadPoolExecutor ownedPool;

        AsyncExecutor(String clientName, Executor executor, ThreadPoolExecutor ownedPool) {
            this.clientName = clientName;
            this.executor = executor;
            this.ownedPool = ownedPool;
        }

        /**
         * The executor to pass in {@code NotificationOptions.ofExecutor(...)}.
         *
         * @return the executor
         */
        Executor executor() {
            return executor;
        }

        /**
         * Whether this module created the executor and must shut it down.
         *
         * @return {@code false} for the server's managed executor
         */
        boolean owned() {
            return ownedPool != null;
        }

        /**
         * For an owned pool: stops accepting deliveries, waits up to {@code timeout} for those already queued, then
         * interrupts the rest. Does nothing for a managed executor. Idempotent. Called from the client's dispatcher
         * thread, so it must stay bounded.
         *
         * @param timeout how long to wait for queued deliveries
         * @return {@code true} if every delivery finished in time
         */
        boolean shutdown(Duration timeout) {
            ThreadPoolExecutor pool = ownedPool;
            if (pool == null || pool.isTerminated()) {
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
