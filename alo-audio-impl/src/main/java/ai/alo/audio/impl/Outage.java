package ai.alo.audio.impl;

import ai.alo.audio.ParticipantRoster;
import ai.alo.audio.impl.runtime.Cancellable;
import java.time.Duration;

/**
 * One outage of a session: from the loss of an established connection until the client is connected again and has
 * stayed connected for {@link #STABLE_AFTER}, or until the session ends. It counts the reconnect attempts, remembers
 * what the lost connection knew (its session id and resume secret, its roster), and holds the handles of the wait for
 * the next attempt (the attempt's timer task and the once-a-second {@code RECONNECT_PENDING} task).
 *
 * <p>A connection that is lost again before it was stable continues the same outage: its attempts go on counting
 * and the reconnect policy's budget goes on running from the first loss, so that a service or network that drops
 * every connection soon after it is made cannot make the client reconnect for ever.
 *
 * <p>Guarded by the client's state lock; the timer handles are cancelled on every path that leaves {@code
 * RECONNECT_PENDING} ({@link #cancelWait()}).
 */
final class Outage {

    /** How long a reconnected connection must last before a later loss starts a new outage. */
    static final Duration STABLE_AFTER = Duration.ofSeconds(10);

    /** When the first connection of this outage was lost. */
    final long startNanos;
    /** The session id of the connection lost first, or null. */
    final String previousSessionId;
    /** When the connection was last lost (the start of the current downtime). */
    long lossNanos;
    /** Reconnect attempts started in this outage. */
    int attempts;
    /** The session to name in the next attempt's {@code hello} for a resume, and its secret; null for none. */
    String resumeSessionId;
    String resumeSecret;
    /** The roster the lost connection last knew: the next {@code ParticipantsChangedEvent} is the difference. */
    ParticipantRoster lastRoster;
    /** Whether the next attempt is the one retry with a fresh token after {@code TOKEN_EXPIRED}. */
    boolean tokenRefresh;
    /** When the wait for the next attempt ends ({@link System#nanoTime()}). */
    long nextAttemptNanos;
    /** When a reconnect of this outage reached {@code CONNECTED}, or 0 while none has. */
    long recoveredNanos;
    private Cancellable attemptTask = Cancellable.NONE;
    private Cancellable tickTask = Cancellable.NONE;

    Outage(long startNanos, String previousSessionId) {
        this.startNanos = startNanos;
        this.previousSessionId = previousSessionId;
    }

    /** Whether a reconnect of this outage is connected and has lasted long enough that a new loss is a new outage. */
    boolean isOverAt(long nowNanos) {
        return recoveredNanos != 0 && nowNanos - recoveredNanos >= STABLE_AFTER.toNanos();
    }

    Duration sinceLoss(long nowNanos) {
        return Duration.ofNanos(Math.max(0, nowNanos - startNanos));
    }

    /** The whole seconds until the next attempt, rounded up; 0 when it is due. */
    long pendingRestartSeconds(long nowNanos) {
        long nanos = nextAttemptNanos - nowNanos;
        return nanos <= 0 ? 0 : (nanos + 999_999_999L) / 1_000_000_000L;
    }

    /**
     * The time until the next {@code RECONNECT_PENDING} tick: when the whole seconds left drop by one, so that each
     * tick shows one second less; 0 when no tick is due before the attempt.
     */
    long nanosUntilNextTick(long nowNanos) {
        long left = nextAttemptNanos - nowNanos;
        if (left <= 1_000_000_000L) {
            return 0;
        }
        long seconds = (left + 999_999_999L) / 1_000_000_000L;
        return left - (seconds - 1) * 1_000_000_000L;
    }

    void waitTasks(Cancellable attempt, Cancellable tick) {
        attemptTask = attempt;
        tickTask = tick;
    }

    void tickTask(Cancellable tick) {
        tickTask = tick;
    }

    /** Cancels the wait's timer tasks; idempotent. */
    void cancelWait() {
        attemptTask.cancel();
        tickTask.cancel();
        attemptTask = Cancellable.NONE;
        tickTask = Cancellable.NONE;
    }
}
