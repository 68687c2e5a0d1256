package ai.alo.audio.cdi;

import ai.alo.audio.AloAudioRuntimeConfig;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.naming.InitialContext;
import javax.naming.NamingException;

/**
 * The one place that decides where the threads of this module come from: the thread factory of the deployment's
 * {@link ai.alo.audio.AloAudioRuntime} and the executor that delivers events to {@code @ObservesAsync} observers.
 *
 * <h2>In a Jakarta EE server</h2>
 * <p>When the server offers Jakarta Concurrency, {@link #detect(String)} looks up {@code
 * java:comp/DefaultManagedThreadFactory} (with a plain {@code javax.naming.InitialContext}: no compile-time dependency
 * on the Concurrency API). Every thread of the runtime (event delivery, timer, socket I/O, connects) and of the async
 * observer pool then comes from the managed thread factory, so observers run on container-managed threads that carry
 * the application's naming context: they can look up JNDI resources and call EJBs and {@code @Transactional} beans.
 *
 * <h2>Why not the server's managed executor for async observers</h2>
 * <p>The server's shared {@code DefaultManagedExecutorService} starts its pool threads from whichever thread submits
 * first; such a thread inherits the submitter's security context ({@code inheritedAccessControlContext} on Java 17),
 * which holds the code domains of the application that submitted. A pool thread started by this module's event thread
 * therefore kept the undeployed application's class loader reachable for as long as the pool kept the thread (on a busy
 * server: for ever). Measured on Payara with {@code ClassLoaderReleaseIT} and a heap dump. So async observers run on a
 * pool this module owns (on managed threads) and shuts down when the application stops.
 *
 * <h2>The async pool</h2>
 * <p>The async observers of <em>every</em> client of the deployment are called on one pool owned by the deployment: at
 * most {@value #ASYNC_THREADS} threads whatever the number of clients, started on demand, ended after {@link
 * #ASYNC_IDLE} without work, at most {@value #ASYNC_QUEUE} queued deliveries. Without Jakarta Concurrency (Java SE, a
 * server without it, or a lookup that fails), its threads and the runtime's are daemon threads of their own. Weld's
 * default async executor is deliberately not used: on a machine with two cores it starts a new thread for every event.
 *
 * <p>Internal. Immutable and thread-safe.
 */
final class ContainerExecutors {

    /** Largest number of threads that deliver the events of all clients of a deployment to async observers. */
    static final int ASYNC_THREADS = 4;
    /** How long an idle async delivery thread lives. */
    static final Duration ASYNC_IDLE = Duration.ofSeconds(5);
    /** Largest number of async deliveries of a deployment waiting for a thread. */
    static final int ASYNC_QUEUE = 4096;
    /** How long shutting the pool down waits for its threads after interrupting them. */
    static final Duration INTERRUPT_GRACE = Duration.ofSeconds(1);

    static final String MANAGED_THREAD_FACTORY = "java:comp/DefaultManagedThreadFactory";

    private static final System.Logger LOG = System.getLogger("ai.alo.audio.cdi");

    private final ThreadFactory managedThreads;

    private ContainerExecutors(ThreadFactory managedThreads) {
        this.managedThreads = managedThreads;
    }

    /**
     * The executors of the current environment. Call on an application thread (bean creation), where {@code
     * java:comp} names the application's component.
     *
     * @param runtimeName the name of the runtime about to be created, for the log line
     * @return the managed executors when the server has them, else the Java SE behaviour
     */
    static ContainerExecutors detect(String runtimeName) {
        List<String> problems = new ArrayList<>();
        ThreadFactory threads = lookup(MANAGED_THREAD_FACTORY, ThreadFactory.class, problems);
        LOG.log(Level.INFO, "ALOAUD-3010 AloAudio runtime {0} of this application: threads {1}; @ObservesAsync "
                + "observers: a pool of at most {2} of those threads{3}", runtimeName,
                threads == null ? "of its own (daemon)" : "from " + MANAGED_THREAD_FACTORY,
                String.valueOf(ASYNC_THREADS),
                problems.isEmpty() ? "" : " (Jakarta Concurrency not available: " + String.join("; ", problems)
                        + ")");
        return new ContainerExecutors(threads);
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
     * The settings of the deployment's runtime: its name (which prefixes every thread name) and, in a server with
     * Jakarta Concurrency, the managed thread factory. Thread counts are the runtime's defaults.
     *
     * @param runtimeName the runtime's name
     * @return the settings
     */
    AloAudioRuntimeConfig runtimeConfig(String runtimeName) {
        return AloAudioRuntimeConfig.builder().name(runtimeName).threadFactory(managedThreads).build();
    }

    /**
     * The executor for the async observers of every client of the deployment.
     *
     * @param runtimeName the runtime's name; the pool names its threads {@code <runtimeName>-async-<n>}
     * @return a new bounded pool (on managed threads in a server) owned by the caller, which must
     *         {@linkplain AsyncExecutor#shutdown(Duration) shut it down}
     */
    AsyncExecutor newAsyncExecutor(String runtimeName) {
        TrackedThreads threads = new TrackedThreads(managedThreads, runtimeName + "-async-");
        ThreadPoolExecutor pool = new ThreadPoolExecutor(ASYNC_THREADS, ASYNC_THREADS, ASYNC_IDLE.toMillis(),
                TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(ASYNC_QUEUE), threads);
        pool.allowCoreThreadTimeOut(true);
        return new AsyncExecutor(pool, pool, threads);
    }

    /** Names and remembers the threads of an owned pool, so that shutting it down can wait until they have ended. */
    private static final class TrackedThreads implements ThreadFactory {

        private final ThreadFactory delegate;
        private final String prefix;
        private final AtomicInteger counter = new AtomicInteger();
        private final List<Thread> threads = new ArrayList<>();

        TrackedThreads(ThreadFactory delegate, String prefix) {
            this.delegate = delegate;
            this.prefix = prefix;
        }

        @Override
        public Thread newThread(Runnable task) {
            String name = prefix + counter.incrementAndGet();
            Thread thread;
            if (delegate != null) {
                thread = delegate.newThread(task);
                if (thread == null) {
                    throw new RejectedExecutionException("the managed thread factory returned no thread for " + name);
                }
                try {
                    thread.setName(name);
                } catch (SecurityException e) {
                    // keep the factory's name
                }
            } else {
                thread = new Thread(task, name);
                thread.setDaemon(true);
            }
            synchronized (threads) {
                threads.removeIf(t -> t.getState() == Thread.State.TERMINATED);
                threads.add(thread);
            }
            return thread;
        }

        /**
         * Joins every thread made so far (other than the calling one) until the deadline. An interrupt does not cut
         * the wait short; the flag is kept.
         *
         * @param deadlineNanos the {@link System#nanoTime()} to give up at
         * @return the threads still alive then
         */
        List<Thread> join(long deadlineNanos) {
            List<Thread> snapshot;
            synchronized (threads) {
                snapshot = new ArrayList<>(threads);
            }
            boolean interrupted = false;
            List<Thread> alive = new ArrayList<>();
            for (Thread thread : snapshot) {
                if (thread == Thread.currentThread() || thread.getState() == Thread.State.NEW) {
                    continue;
                }
                while (thread.isAlive() && deadlineNanos - System.nanoTime() > 0) {
                    try {
                        TimeUnit.NANOSECONDS.timedJoin(thread, deadlineNanos - System.nanoTime());
                    } catch (InterruptedException e) {
                        interrupted = true;
                    }
                }
                if (thread.isAlive()) {
                    alive.add(thread);
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            return alive;
        }
    }

    /**
     * The pool of a deployment's async observers; shut down by the deployment's {@link ClientRegistry} when the
     * application stops. Thread-safe.
     */
    static final class AsyncExecutor {

        private final Executor executor;
        private final ThreadPoolExecutor ownedPool;
        private final TrackedThreads threads;

        AsyncExecutor(Executor executor, ThreadPoolExecutor ownedPool, TrackedThreads threads) {
            this.executor = executor;
            this.ownedPool = ownedPool;
            this.threads = threads;
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
         * For an owned pool: stops accepting deliveries, waits up to {@code drain} for those already queued, then
         * interrupts the rest and waits up to {@link #INTERRUPT_GRACE} more until each of its threads has ended.
         * Does nothing for a managed executor. Idempotent.
         *
         * @param drain how long queued deliveries may take
         * @return the names of the pool's threads still alive at the end (empty when all ended)
         */
        List<String> shutdown(Duration drain) {
            ThreadPoolExecutor pool = ownedPool;
            if (pool == null) {
                return List.of();
            }
            pool.shutdown();
            boolean interrupted = false;
            try {
                if (!pool.awaitTermination(drain.toNanos(), TimeUnit.NANOSECONDS)) {
                    pool.shutdownNow();
                }
            } catch (InterruptedException e) {
                interrupted = true;
                pool.shutdownNow();
            }
            List<Thread> alive = threads.join(System.nanoTime() + INTERRUPT_GRACE.toNanos());
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            return alive.stream().map(Thread::getName).toList();
        }
    }
}

