package ai.alo.audio.server;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The per-session timers, all on the server's one scheduler thread: the hello timeout of a new session, and the
 * heartbeat watchdog of a welcomed one. The watchdog costs nothing per message (a received message only writes
 * {@link ClientSession#lastReceivedNanos}); each session has one pending check, which fires at the earliest moment
 * the session could have been silent for its heartbeat interval plus timeout (a ping is due every interval and may
 * take up to the timeout to arrive) and either re-arms itself for the rest or reports the session.
 * Thread-safe.
 */
final class HeartbeatWatchdog {

    /** What happens when a timer expires; called on the scheduler thread without locks. */
    interface Expiry {

        /** No {@code hello} arrived within the hello timeout. */
        void helloTimedOut(ClientSession session);

        /** Nothing arrived from a welcomed session for its heartbeat interval plus timeout. */
        void heartbeatTimedOut(ClientSession session, long silentMillis);
    }

    private final ScheduledExecutorService scheduler;
    private final long helloTimeoutMs;
    private final Expiry expiry;

    HeartbeatWatchdog(ScheduledExecutorService scheduler, long helloTimeoutMs, Expiry expiry) {
        this.scheduler = scheduler;
        this.helloTimeoutMs = helloTimeoutMs;
        this.expiry = expiry;
    }

    /** Starts a new session's hello timeout. */
    void armHello(ClientSession session) {
        try {
            session.helloTimer(scheduler.schedule(() -> expiry.helloTimedOut(session), helloTimeoutMs,
                    TimeUnit.MILLISECONDS));
        } catch (RejectedExecutionException e) {
            // The server is stopping; the session is being closed.
        }
    }

    /** Stops the hello timeout of a welcomed session and starts its heartbeat watchdog. */
    void armHeartbeat(ClientSession session) {
        session.cancelHelloTimer();
        schedule(session, session.heartbeat.timeoutMs());
    }

    private void schedule(ClientSession session, long delayMs) {
        try {
            session.watchdog(scheduler.schedule(() -> check(session), Math.max(1, delayMs), TimeUnit.MILLISECONDS));
        } catch (RejectedExecutionException e) {
            // The server is stopping.
        }
    }

    private void check(ClientSession session) {
        if (session.closed) {
            return;
        }
        // a ping is due every interval, and may take up to the timeout to arrive: silence longer than both is a loss
        long timeoutNanos = TimeUnit.MILLISECONDS.toNanos(session.heartbeat.timeoutMs()
                + session.heartbeat.intervalMs());
        long silentNanos = System.nanoTime() - session.lastReceivedNanos;
        if (silentNanos < timeoutNanos) {
            schedule(session, TimeUnit.NANOSECONDS.toMillis(timeoutNanos - silentNanos) + 1);
        } else {
            expiry.heartbeatTimedOut(session, TimeUnit.NANOSECONDS.toMillis(silentNanos));
        }
    }
}
