package ai.alo.audio.impl;

import ai.alo.audio.impl.runtime.Cancellable;
import ai.alo.audio.protocol.HeartbeatInfo;
import java.util.concurrent.TimeUnit;

/**
 * The liveness of one connection: a ping every interval, and a watchdog that declares the connection lost when
 * nothing at all has been received for the timeout. Tyrus's own heartbeat only sends unsolicited pongs and cannot
 * detect a dead peer; this can.
 *
 * <p>The watchdog fires exactly one timeout after the last message received, not one timeout plus an interval: each
 * time it wakes early it sleeps again until that instant. Both timer tasks belong to the {@link Connection}, which
 * cancels them when it is released; a task that runs after that does nothing.
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
    private volatile long lastPingSentNanos;
    private volatile long lastPingSeq;
    private volatile long roundTripNanos = -1;

    // guarded by this
    private long timeoutNanos;
    private long seq;
    private boolean stopped;
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
        lastPingSentNanos = System.nanoTime();
        owner.sendPing(next);
    }

    private void check() {
        long silent = System.nanoTime() - lastReceivedNanos;
        synchronized (this) {
            if (stopped) {
                return;
            }
            if (silent < timeoutNanos) {
                watchdog = owner.schedule(this::check, timeoutNanos - silent);
                return;
            }
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
