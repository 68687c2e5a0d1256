package ai.alo.audio.impl.runtime;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The one factory of every thread a runtime starts. Threads come from the configured factory (for example a Jakarta
 * EE server's managed thread factory) or, when there is none, are daemon threads; either way they are named {@code
 * <runtime>-<role>-<n>} and remembered, so that the runtime can prove they ended.
 *
 * <p>A factory that returns no thread (a managed factory of a server that is shutting down) makes {@link
 * #newThread(Runnable, String)} throw {@link RejectedExecutionException} instead of returning null: a {@code
 * ThreadPoolExecutor} then fails the submission at once rather than queueing a task that no thread will ever run.
 *
 * <p>Thread-safe.
 */
public final class RuntimeThreads {

    private final ThreadFactory delegate;
    private final String prefix;
    private final List<Thread> threads = new ArrayList<>();

    /**
     * Creates the factory.
     *
     * @param delegate the configured factory, or null for daemon threads
     * @param prefix   the runtime's name
     */
    public RuntimeThreads(ThreadFactory delegate, String prefix) {
        this.delegate = delegate;
        this.prefix = prefix;
    }

    /**
     * A factory for the threads of one role, named {@code <runtime>-<role>-<n>}.
     *
     * @param role the role, such as {@code io} or {@code event}
     * @return the factory
     */
    public ThreadFactory forRole(String role) {
        AtomicInteger counter = new AtomicInteger();
        return task -> newThread(task, prefix + "-" + role + "-" + counter.incrementAndGet());
    }

    /**
     * A new, unstarted thread.
     *
     * @param task the thread's task
     * @param name the thread's name
     * @return the thread
     * @throws RejectedExecutionException if the configured factory returned no thread
     */
    public Thread newThread(Runnable task, String name) {
        Thread thread;
        if (delegate != null) {
            thread = delegate.newThread(task);
            if (thread == null) {
                throw new RejectedExecutionException("the configured ThreadFactory returned no thread for " + name
                        + " (is the server shutting down?)");
            }
            try {
                // Named like the runtime's own threads, so that they can be found in a thread dump.
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
     * The threads made so far that have not ended (including those not yet started).
     *
     * @return a snapshot
     */
    public List<Thread> alive() {
        List<Thread> alive = new ArrayList<>();
        synchronized (threads) {
            for (Thread thread : threads) {
                if (thread.getState() != Thread.State.TERMINATED) {
                    alive.add(thread);
                }
            }
        }
        return alive;
    }

    /**
     * Waits until every thread made by this factory, other than the calling one, has ended.
     *
     * @param deadline how long to wait at most; interrupts do not cut the wait short
     * @return the threads still alive when the deadline passed (empty when all ended)
     */
    public List<Thread> awaitTermination(Deadline deadline) {
        Thread self = Thread.currentThread();
        List<Thread> alive = new ArrayList<>();
        for (Thread thread : alive()) {
            if (thread == self || thread.getState() == Thread.State.NEW) {
                continue;
            }
            if (!deadline.join(thread)) {
                alive.add(thread);
            }
        }
        return alive;
    }
}
