package ai.alo.audio.impl;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link ThreadFactory} that remembers every thread it made, so that their owner can prove they ended. Threads come
 * from the configured factory (for example an application server's managed thread factory) or, when there is none,
 * are daemon threads; either way they are named {@code <prefix>-<n>}.
 *
 * <p>Thread-safe.
 */
final class ThreadTracker implements ThreadFactory {

    private final ThreadFactory delegate;
    private final String prefix;
    private final AtomicInteger counter = new AtomicInteger();
    private final List<Thread> threads = new ArrayList<>();

    ThreadTracker(ThreadFactory delegate, String prefix) {
        this.delegate = delegate;
        this.prefix = prefix;
    }

    @Override
    public Thread newThread(Runnable task) {
        Thread thread;
        String name = prefix + "-" + counter.incrementAndGet();
        if (delegate != null) {
            thread = delegate.newThread(task);
            if (thread == null) {
                throw new IllegalStateException("the configured ThreadFactory returned no thread (is the server "
                        + "shutting down?)");
            }
            try {
                // Named like the client's own threads, so that they can be found in a thread dump.
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
     * Waits until every thread made by this factory, other than the calling one, has ended.
     *
     * @param deadline how long to wait at most
     * @return the threads still alive when the deadline passed (empty when all ended)
     */
    List<Thread> awaitTermination(Deadline deadline) throws InterruptedException {
        List<Thread> snapshot;
        synchronized (threads) {
            snapshot = new ArrayList<>(threads);
        }
        Thread self = Thread.currentThread();
        List<Thread> alive = new ArrayList<>();
        for (Thread thread : snapshot) {
            if (thread == self) {
                continue;
            }
            long millis = deadline.remainingMillis();
            if (millis > 0) {
                thread.join(millis);
            }
            if (thread.isAlive()) {
                alive.add(thread);
            }
        }
        return alive;
    }
}
