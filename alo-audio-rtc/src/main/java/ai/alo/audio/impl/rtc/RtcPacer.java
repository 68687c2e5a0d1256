package ai.alo.audio.impl.rtc;

import java.lang.System.Logger.Level;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One thread that runs the registered {@link Tick ticks} every 10 ms: the single producer of every send stream that
 * uses it.
 *
 * <p><b>Why one thread.</b> libwebrtc 0.14.0 aborts the JVM when two threads feed one send stream at the same time (a
 * race check in the audio send stream). A pacer thread that calls {@link RtcPeer#send} for every peer of a runtime is
 * that stream's only producer by construction.
 *
 * <p><b>Timing.</b> Tick {@code n} is due at {@code start + n * 10 ms} (absolute deadlines from {@link System#nanoTime},
 * so there is no drift). A round that starts late is followed by the rounds it missed, back to back, but by at most
 * {@value #MAX_CATCH_UP} of them (plus one whose deadline passes while they run); deadlines further behind are skipped (their numbers are not passed to any tick),
 * counted in {@link #skippedTicks()}, and reported by a line {@code ALOAUD-2031} at most once a minute.
 *
 * <p><b>Threads and lifecycle.</b> The thread is created by the given {@link ThreadFactory} (and renamed to the given
 * name) at the first {@link #add registration}. It stays until {@link #close()}: once no tick is registered it waits
 * without waking up, and a registration after that restarts the 10 ms rhythm, with tick number 0, one period later. {@code close()} ends the thread and waits for it at most {@value #JOIN_MILLIS} ms. A new registration after
 * {@code close()} throws {@link IllegalStateException}.
 *
 * <p><b>Ticks.</b> Every tick runs on the pacer thread, in registration order. A tick that throws is logged
 * ({@code ALOAUD-2030}, at most once a minute per pacer) and runs again at the next deadline; the others are not
 * affected. A tick must not block: every tick after it would be late.
 */
public final class RtcPacer implements AutoCloseable {

    /** The period: one 10 ms audio frame. */
    public static final long PERIOD_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    /** Most missed deadlines a late round makes up for, back to back. */
    public static final int MAX_CATCH_UP = 3;
    static final long JOIN_MILLIS = 2000;
    private static final long LOG_INTERVAL_NANOS = TimeUnit.MINUTES.toNanos(1);

    private static final System.Logger LOG = System.getLogger("ai.alo.audio.rtc");

    /**
     * Work done once per 10 ms on the pacer thread.
     */
    @FunctionalInterface
    public interface Tick {
        /**
         * @param tickNumber number of this deadline since the pacer (re)started its rhythm; consecutive unless
         *                   deadlines were skipped
         * @param nanoTime   the deadline, on the {@link System#nanoTime()} scale (the tick may run a little later)
         */
        void tick(long tickNumber, long nanoTime);
    }

    /**
     * A registered tick. {@link #close()} removes it; idempotent.
     */
    public interface Registration extends AutoCloseable {
        /**
         * Removes the tick. Called from any other thread, it returns after a round that is running the tick has
         * finished, so the tick does not run after {@code close()} returns. Called from the tick itself (on the pacer
         * thread), the current call completes and no other follows.
         */
        @Override
        void close();
    }

    private final ThreadFactory threads;
    private final String threadName;
    private final CopyOnWriteArrayList<Entry> ticks = new CopyOnWriteArrayList<>();
    /** Held by the pacer thread while it runs a round; guards the thread field and the closed flag as well. */
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition registered = lock.newCondition();
    private Thread thread;
    private volatile boolean closed;

    private volatile long rounds;
    private volatile long skipped;
    private volatile long failures;
    private long lastSkipLog = Long.MIN_VALUE / 2;
    private long lastFailureLog = Long.MIN_VALUE / 2;

    /**
     * Creates an idle pacer; no thread runs until the first {@link #add}.
     *
     * @param threads    creates the pacer thread (daemon or not is the factory's choice)
     * @param threadName the name given to that thread
     */
    public RtcPacer(ThreadFactory threads, String threadName) {
        this.threads = Objects.requireNonNull(threads, "threads");
        this.threadName = Objects.requireNonNull(threadName, "threadName");
    }

    /**
     * Registers a tick; it first runs at the next deadline. Starts the pacer thread if it is not running.
     *
     * @throws IllegalStateException if the pacer is closed
     */
    public Registration add(Tick tick) {
        Objects.requireNonNull(tick, "tick");
        Entry entry = new Entry(tick);
        lock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("the pacer " + threadName + " is closed");
            }
            ticks.add(entry);
            if (thread == null) {
                Thread t = threads.newThread(this::run);
                if (t == null) {
                    ticks.remove(entry);
                    throw new IllegalStateException("the thread factory of pacer " + threadName
                            + " refused to create a thread");
                }
                t.setName(threadName);
                thread = t;
                t.start();
            }
            registered.signalAll();
        } finally {
            lock.unlock();
        }
        return entry;
    }

    /** Number of ticks registered now. */
    public int registrations() {
        return ticks.size();
    }

    /** Rounds run since the pacer was created (one round runs every registered tick once). */
    public long rounds() {
        return rounds;
    }

    /** Deadlines skipped because the pacer was more than {@link #MAX_CATCH_UP} periods late. */
    public long skippedTicks() {
        return skipped;
    }

    /** Tick calls that threw. */
    public long failedTicks() {
        return failures;
    }

    /** Whether the pacer thread is alive (false before the first registration and after {@link #close()}). */
    public boolean threadAlive() {
        lock.lock();
        try {
            return thread != null && thread.isAlive();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Ends the pacer thread and waits for it at most {@value #JOIN_MILLIS} ms ({@code ALOAUD-2032} if it did not end,
     * because a tick blocks). Registered ticks do not run again. Idempotent; a call from a tick returns at once and
     * the thread ends after that round.
     */
    @Override
    public void close() {
        Thread t;
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            ticks.clear();
            t = thread;
            registered.signalAll();
        } finally {
            lock.unlock();
        }
        if (t == null || t == Thread.currentThread()) {
            return;
        }
        LockSupport.unpark(t);
        try {
            t.join(JOIN_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (t.isAlive()) {
            LOG.log(Level.WARNING, "ALOAUD-2032 pacer thread " + threadName + " did not end within " + JOIN_MILLIS
                    + " ms of close(): a tick blocks");
        }
    }

    private void run() {
        long start = System.nanoTime();
        long n = 0;
        while (!closed) {
            if (ticks.isEmpty()) {
                if (!awaitRegistration()) {
                    return;
                }
                start = System.nanoTime() + PERIOD_NANOS;
                n = 0;
            }
            long deadline = start + n * PERIOD_NANOS;
            long now = System.nanoTime();
            if (now < deadline) {
                LockSupport.parkNanos(this, deadline - now);
                continue;
            }
            long behind = (now - deadline) / PERIOD_NANOS;
            if (behind > MAX_CATCH_UP) {
                long skip = behind - MAX_CATCH_UP;
                n += skip;
                skipped += skip;
                if (now - lastSkipLog >= LOG_INTERVAL_NANOS) {
                    lastSkipLog = now;
                    LOG.log(Level.WARNING, "ALOAUD-2031 pacer " + threadName + " was " + (behind * 10)
                            + " ms late and skipped " + skip + " tick(s) (" + skipped + " in all): the machine is "
                            + "overloaded or a tick blocks");
                }
                deadline = start + n * PERIOD_NANOS;
            }
            runRound(n, deadline);
            n++;
        }
    }

    /** @return false if the pacer was closed while waiting */
    private boolean awaitRegistration() {
        lock.lock();
        try {
            while (!closed && ticks.isEmpty()) {
                registered.awaitUninterruptibly();
            }
            return !closed;
        } finally {
            lock.unlock();
        }
    }

    private void runRound(long n, long deadline) {
        lock.lock();
        try {
            for (Entry entry : ticks) {
                if (closed) {
                    return;
                }
                if (!entry.active) {
                    continue;
                }
                try {
                    entry.tick.tick(n, deadline);
                } catch (Throwable t) {
                    failures++;
                    long now = System.nanoTime();
                    if (now - lastFailureLog >= LOG_INTERVAL_NANOS) {
                        lastFailureLog = now;
                        LOG.log(Level.WARNING, "ALOAUD-2030 a tick of pacer " + threadName + " threw (" + failures
                                + " failures in all); the other ticks go on", t);
                    }
                }
            }
            rounds++;
        } finally {
            lock.unlock();
        }
    }

    private final class Entry implements Registration {
        final Tick tick;
        volatile boolean active = true;

        Entry(Tick tick) {
            this.tick = tick;
        }

        @Override
        public void close() {
            if (!active) {
                return;
            }
            active = false;
            ticks.remove(this);
            if (!lock.isHeldByCurrentThread()) {
                // Wait for a round that may be running this tick right now.
                lock.lock();
                lock.unlock();
            }
        }
    }
}
