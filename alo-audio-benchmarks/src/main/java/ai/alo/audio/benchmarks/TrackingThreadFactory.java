package ai.alo.audio.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link ThreadFactory} that remembers every thread it made, so that the bare Tyrus twin can wait until the threads
 * of its connection's Grizzly transport have ended, the way the client's own release does. Daemon threads named
 * {@code <prefix>-<n>}. Thread-safe.
 */
final class TrackingThreadFactory implements ThreadFactory {

    private final String prefix;
    private final AtomicInteger counter = new AtomicInteger();
    private final List<Thread> threads = new ArrayList<>();

    TrackingThreadFactory(String prefix) {
        this.prefix = prefix;
    }

    @Override
    public Thread newThread(Runnable task) {
        Thread thread = new Thread(task, prefix + "-" + counter.incrementAndGet());
        thread.setDaemon(true);
        synchronized (threads) {
            threads.add(thread);
        }
        return thread;
    }

    /**
     * Waits until every thread made so far has ended.
     *
     * @param timeout the bound
     * @param unit    its unit
     * @return the threads still alive when the bound passed (empty when all ended)
     * @throws InterruptedException if the calling thread is interrupted
     */
    List<Thread> join(long timeout, TimeUnit unit) throws InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        List<Thread> snapshot;
        synchronized (threads) {
            snapshot = new ArrayList<>(threads);
        }
        List<Thread> alive = new ArrayList<>();
        for (Thread thread : snapshot) {
            long remainingMillis = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (remainingMillis > 0) {
                thread.join(remainingMillis);
            }
            if (thread.isAlive()) {
                alive.add(thread);
            }
        }
        return alive;
    }

    /**
     * How many threads this factory made.
     *
     * @return the count
     */
    int created() {
        synchronized (threads) {
            return threads.size();
        }
    }
}
