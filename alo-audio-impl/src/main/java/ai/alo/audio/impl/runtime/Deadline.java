package ai.alo.audio.impl.runtime;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A point in {@link System#nanoTime()} time that several bounded waits share, and the waits themselves.
 *
 * <p>The waits are <em>uninterruptible</em>: an interrupt does not cut them short (the contract of {@code
 * disconnect()} and {@code close()} must hold for an interrupted caller too); it is remembered and the thread's
 * interrupt flag is set again when the wait ends.
 *
 * @param nanos the deadline in {@link System#nanoTime()} terms
 */
public record Deadline(long nanos) {

    /**
     * The deadline a duration from now.
     *
     * @param duration the duration
     * @return the deadline
     */
    public static Deadline after(Duration duration) {
        return new Deadline(System.nanoTime() + duration.toNanos());
    }

    /**
     * The time left.
     *
     * @return nanoseconds, never negative
     */
    public long remainingNanos() {
        return Math.max(0, nanos - System.nanoTime());
    }

    /**
     * The time left, rounded up to whole milliseconds.
     *
     * @return milliseconds, never negative; at least 1 while time is left
     */
    public long remainingMillis() {
        long remaining = remainingNanos();
        return remaining == 0 ? 0 : Math.max(1, TimeUnit.NANOSECONDS.toMillis(remaining));
    }

    /**
     * Whether the deadline has passed.
     *
     * @return {@code true} when no time is left
     */
    public boolean passed() {
        return remainingNanos() == 0;
    }

    /**
     * An earlier deadline: a fraction of the time left.
     *
     * @param fraction between 0 and 1
     * @return the deadline
     */
    public Deadline fraction(double fraction) {
        return new Deadline(System.nanoTime() + (long) (remainingNanos() * fraction));
    }

    /**
     * Waits until the future completes (normally or not) or the deadline passes, ignoring interrupts but restoring
     * the interrupt flag afterwards.
     *
     * @param future the future
     * @return {@code true} if the future completed in time
     */
    public boolean await(CompletableFuture<?> future) {
        boolean interrupted = false;
        try {
            while (true) {
                long left = remainingNanos();
                if (future.isDone()) {
                    return true;
                }
                if (left == 0) {
                    return false;
                }
                try {
                    future.get(left, TimeUnit.NANOSECONDS);
                    return true;
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException | java.util.concurrent.CancellationException e) {
                    return true;
                } catch (TimeoutException e) {
                    return false;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Joins a thread until it ends or the deadline passes, ignoring interrupts but restoring the interrupt flag.
     *
     * @param thread the thread
     * @return {@code true} if the thread ended in time
     */
    public boolean join(Thread thread) {
        boolean interrupted = false;
        try {
            while (thread.isAlive()) {
                long millis = remainingMillis();
                if (millis == 0) {
                    return false;
                }
                try {
                    thread.join(millis);
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            return true;
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
