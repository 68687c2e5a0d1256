package ai.alo.audio.impl.media;

import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * The bounded hand-off between the thread that receives audio (the media engine's native thread, which must never
 * wait) and the thread that delivers it (an event thread, or a playback thread). {@link #offer} never blocks: when the
 * mailbox is full it drops the oldest item and counts it, and the count comes out with the next item {@link #poll()
 * polled}, so a consumer learns exactly how many items it lost and when.
 *
 * <p>Two modes. <em>Push</em> (a {@code schedule} action is given): the first offer into an idle mailbox runs {@code
 * schedule} (which posts a drain task to an event queue), and the consumer polls until {@link #poll()} returns null,
 * which makes the mailbox idle again. <em>Pull</em> ({@code schedule} is null): a consumer thread waits in {@link
 * #take(long)}.
 *
 * <p>Thread-safe; every method holds the mailbox's lock only for a few field updates.
 *
 * @param <E> the item type
 */
final class FrameMailbox<E> {

    /**
     * An item and how many items were dropped just before it.
     *
     * @param item       the item
     * @param lostBefore how many items were dropped since the previous poll
     * @param <E>        the item type
     */
    record Polled<E>(E item, long lostBefore) {
    }

    private final int capacity;
    private final Runnable schedule;
    // guarded by this
    private final ArrayDeque<E> items;
    private long lost;
    private long lostTotal;
    private boolean scheduled;
    private boolean closed;

    /**
     * Creates a mailbox.
     *
     * @param capacity how many items it holds at most
     * @param schedule run (outside the lock) when an item arrives in an idle push-mode mailbox; null for pull mode
     */
    FrameMailbox(int capacity, Runnable schedule) {
        this.capacity = capacity;
        this.schedule = schedule;
        this.items = new ArrayDeque<>(capacity);
    }

    /**
     * Adds an item, dropping the oldest if the mailbox is full. Never blocks; does nothing once closed.
     *
     * @param item the item
     * @return {@code true} if an older item was dropped to make room
     */
    boolean offer(E item) {
        boolean run = false;
        boolean dropped = false;
        synchronized (this) {
            if (closed) {
                return false;
            }
            if (items.size() == capacity) {
                items.pollFirst();
                lost++;
                lostTotal++;
                dropped = true;
            }
            items.addLast(item);
            if (schedule == null) {
                notifyAll();
            } else if (!scheduled) {
                scheduled = true;
                run = true;
            }
        }
        if (run) {
            schedule.run();
        }
        return dropped;
    }

    /**
     * The oldest item, or null when there is none (in push mode the mailbox is then idle: the next offer schedules a
     * drain again).
     *
     * @return the item with the count dropped before it, or null
     */
    synchronized Polled<E> poll() {
        E item = items.pollFirst();
        if (item == null) {
            scheduled = false;
            return null;
        }
        long before = lost;
        lost = 0;
        return new Polled<>(item, before);
    }

    /**
     * Waits for an item (pull mode).
     *
     * @param timeoutNanos how long to wait at most
     * @return the item, or null on timeout, on {@link #wakeUp()}, once closed (or on a spurious wake-up)
     * @throws InterruptedException if the thread is interrupted
     */
    synchronized Polled<E> take(long timeoutNanos) throws InterruptedException {
        if (items.isEmpty() && !closed && timeoutNanos > 0) {
            TimeUnit.NANOSECONDS.timedWait(this, timeoutNanos);
        }
        return items.isEmpty() ? null : poll();
    }

    /** Wakes a consumer waiting in {@link #take(long)}. */
    synchronized void wakeUp() {
        notifyAll();
    }

    /** Drops every item waiting, without counting them as lost (a new recording starts). */
    synchronized void clear() {
        items.clear();
        lost = 0;
    }

    /** Drops everything and refuses further items. */
    synchronized void close() {
        closed = true;
        items.clear();
        notifyAll();
    }

    /**
     * How many items were dropped since the mailbox was made.
     *
     * @return the count
     */
    synchronized long lostTotal() {
        return lostTotal;
    }

    /**
     * How many items wait.
     *
     * @return the count
     */
    synchronized int size() {
        return items.size();
    }
}
