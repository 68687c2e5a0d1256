package ai.alo.audio.cdi;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A thread-safe record of values (events, with the thread they arrived on) with bounded waits. Never sleeps.
 *
 * @param <T> the recorded type
 */
final class Recording<T> {

    static final long WAIT_SECONDS = 10;

    private final BlockingQueue<T> pending = new LinkedBlockingQueue<>();
    private final List<T> all = new CopyOnWriteArrayList<>();

    void add(T value) {
        all.add(value);
        pending.add(value);
    }

    /** The next value not yet taken; fails after {@value #WAIT_SECONDS} s. */
    T next() throws InterruptedException {
        T value = pending.poll(WAIT_SECONDS, TimeUnit.SECONDS);
        assertNotNull(value, () -> "timed out after " + WAIT_SECONDS + " s; recorded so far: " + all);
        return value;
    }

    /** The next value matching {@code filter}, skipping (and consuming) the others. */
    T next(Predicate<? super T> filter) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (true) {
            T value = pending.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            assertNotNull(value, () -> "timed out after " + WAIT_SECONDS + " s; recorded so far: " + all);
            if (filter.test(value)) {
                return value;
            }
        }
    }

    /** The next value if one is already there, without waiting. */
    T poll() {
        return pending.poll();
    }

    void assertNoMore() {
        assertTrue(pending.isEmpty(), () -> "unexpected: " + pending);
    }

    List<T> all() {
        return List.copyOf(all);
    }
}
