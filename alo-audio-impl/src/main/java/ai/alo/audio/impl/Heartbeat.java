package ai.alo.audio.impl;

import ai.alo.audio.impl.runtime.Cancellable;
import ai.alo.audio.protocol.HeartbeatInfo;
import java.util.concurrent.TimeUnit;

/**
 * The liveness of one connection: a ping every interval, and a watchdog that declares the connection lost when a ping
 * has waited the whole timeout without anything at all arriving from the server since it was sent. Tyrus's own
 * heartbeat only sends unsolicited pongs and cannot detect a dead peer; this can.
 *
 * <h2>The rule, and what it tolerates</h2>
 * <p>Silence alone is not the test: right after a ping is answered nothing is expected until the next ping's pong, so
 * a rule on silence counts a ping interval that says nothing about the network, and mistakes a round trip that grows
 * by more than {@code timeout - interval} for a loss. Measured from the oldest ping still waiting, a round trip of up
 * to the whole timeout is tolerated, and a network that goes silent is detected within the timeout plus one interval
 * (the first ping after it went silent is sent at most an interval later): with the defaults of 1 s and 1.8 s, between
 * 1.8 and 2.8 s, and round-trip spikes of up to 1.8 s do not end the connection.
 *
 * <p>The watchdog fires exactly one timeout after the oldest waiting ping was sent: each time it wakes early it sleeps
 * again until that instant. When it finds the timeout passed, it first has the socket's
 * I/O thread read whatever already arrived, and declares the connection lost only if that brings nothing: a client
 * whose own JVM paused (a long GC) or whose I/O thread fell behind has the server's pongs waiting unread, and must not
 * report a network loss for it. Both timer tasks belong to the {@link Connection}, which cancels them when it is
 * released; a task that runs after that does nothing.
 *
 * <p>Thread-safe.
 */
final class Heartbeat {

    /** What the heartbeat needs from its connection. */
    interface Owner {

        /** Sends a ping; a failure to send ends the connection. */
        void sendPing(long seq);

        /**
         * Nothing was received for the whole timeout.
         *
         * @param silentMillis how long it has been silent
         */
        void silent(long silentMillis);

        /**
         * Reads whatever has already arrived on the socket (on its I/O thread), then runs {@code then}. So silence is
         * only declared when the client's own reader is not behind: a paused JVM (a long GC) or a busy I/O thread has
         * pongs waiting unread, and they must count.
         *
         * @param then run after the reads, on the I/O thread (or at once when the socket is gone)
         */
        void readPending(Runnable then);

        /**
         * Schedules a task of the connection; does nothing once the connection is released.
         *
         * @return the handle
         */
        Cancellable schedule(Runnable task, long delayNanos);

        /**
         * Schedules a periodic task of the connection; does nothing once the connection is released.
         *
         * @return the handle
         */
        Cancellable scheduleAtFixedRate(Runnable task, long periodNanos);
    }

    private final Owner owner;
    private volatile long lastReceivedNanos = System.nanoTime();
    /** When the oldest ping sent after the last message received was sent; 0 or older than that message: none. */
    private volatile long waitingSinceNanos;
    private volatile long lastPingSentNanos;
    private volatile long lastPingSeq;
    private volatile long roundTripNanos = -1;

    // guarded by this
    private long timeoutNanos;
    private long seq;
    private boolean stopped;
    private boolean probing;
    private Cancellable ping = Cancellable.NONE;
    private Cancellable watchdog = Cancellable.NONE;

    Heartbeat(Owner owner) {
        this.owner = owner;
    }

    /**
     * Starts pinging and watching, with the values both sides agreed in {@code welcome}.
     *
     * @param agreed the heartbeat
     */
    synchronized void start(HeartbeatInfo agreed) {
        if (stopped) {
            return;
        }
        timeoutNanos = TimeUnit.MILLISECONDS.toNanos(agreed.timeoutMs());
        ping = owner.scheduleAtFixedRate(this::ping, TimeUnit.MILLISECONDS.toNanos(agreed.intervalMs()));
        watchdog = owner.schedule(this::check, timeoutNanos);
    }

    /** Something arrived from the server: the connection is alive. Called on the I/O thread for every message. */
    void received() {
        lastReceivedNanos = System.nanoTime();
    }

    /**
     * A pong arrived.
     *
     * @param pongSeq its sequence number
     */
    void pong(long pongSeq) {
        if (pongSeq == lastPingSeq && lastPingSentNanos != 0) {
            roundTripNanos = System.nanoTime() - lastPingSentNanos;
        }
    }

    /**
     * The round-trip time of the last answered ping.
     *
     * @return nanoseconds, or -1 before the first pong
     */
    long roundTripNanos() {
        return roundTripNanos;
    }

    private void ping() {
        long next;
        synchronized (this) {
            if (stopped) {
                return;
            }
            next = ++seq;
        }
        lastPingSeq = next;
        long now = System.nanoTime();
        lastPingSentNanos = now;
        long since = waitingSinceNanos;
        if (since == 0 || since - lastReceivedNanos <= 0) {
            // the first ping since something arrived: the one whose answer is awaited
            waitingSinceNanos = now;
        }
        owner.sendPing(next);
    }

    /**
     * How long the oldest ping sent since the last message received has been waiting, or 0 if every ping sent before
     * now was followed by something from the server.
     */
    private long waitingNanos() {
        long since = waitingSinceNanos;
        if (since == 0 || since - lastReceivedNanos <= 0) {
            return 0;
        }
        return System.nanoTime() - since;
    }

    private void check() {
        long waiting = waitingNanos();
        synchronized (this) {
            if (stopped) {
                return;
            }
            if (waiting < timeoutNanos) {
                // nothing awaited (checked again a timeout later; a ping is sent within an interval), or not yet long
                watchdog = owner.schedule(this::check, timeoutNanos - waiting);
                return;
            }
            // Before blaming the network, read what already arrived. If the reader never comes back (a stuck I/O
            // thread), the backstop declares the silence one more timeout later.
            probing = true;
            watchdog = owner.schedule(this::declareSilent, timeoutNanos);
        }
        owner.readPending(this::recheck);
    }

    /** After the pending reads: still silent, or not after all. */
    private void recheck() {
        long silent = System.nanoTime() - lastReceivedNanos;
        long waiting = waitingNanos();
        synchronized (this) {
            if (stopped || !probing) {
                return;
            }
            probing = false;
            watchdog.cancel();
            if (waiting < timeoutNanos) {
                watchdog = owner.schedule(this::check, timeoutNanos - waiting);
                return;
            }
            stopped = true;
            ping.cancel();
        }
        owner.silent(TimeUnit.NANOSECONDS.toMillis(silent));
    }

    /** The backstop: the reads did not come back within a further timeout. */
    private void declareSilent() {
        long silent = System.nanoTime() - lastReceivedNanos;
        long waiting = waitingNanos();
        synchronized (this) {
            if (stopped || !probing || waiting < timeoutNanos) {
                if (!stopped && probing) {
                    probing = false;
                    watchdog = owner.schedule(this::check, timeoutNanos - waiting);
                }
                return;
            }
            probing = false;
            stopped = true;
            ping.cancel();
        }
        owner.silent(TimeUnit.NANOSECONDS.toMillis(silent));
    }

    /** Stops both tasks for good. Idempotent. */
    synchronized void stop() {
        stopped = true;
        ping.cancel();
        watchdog.cancel();
    }
}
