package ai.alo.audio.spi;

import java.time.Duration;
import java.util.Optional;

/**
 * Decides whether and when a client reconnects after it lost its connection: asked once before each reconnect
 * attempt, it returns the wait before that attempt, or empty to give up.
 *
 * <p>The default is {@link ai.alo.audio.ReconnectBackoff}: the first attempts at once, then exponential backoff with
 * jitter, within an overall budget. An application plugs in its own with {@link
 * ai.alo.audio.AloAudioConfig.Builder#reconnectPolicy(ReconnectPolicy)}, in CDI by declaring a bean of this type, or
 * with the configuration key {@code alo.audio.reconnect.policy} naming a class with a public no-argument
 * constructor. {@link #never()} turns reconnecting off.
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li>Called on one of the runtime's threads (a socket I/O, timer or connect thread), never while the client holds a
 *       lock, at most once per attempt. It must return quickly and must not block; it may be called for several
 *       clients at once, so an implementation shared by clients is thread-safe.</li>
 *   <li>It is only asked for causes that may be retried ({@link ai.alo.audio.DisconnectReason#isRetryable()}):
 *       terminal causes (a rejected token, a kick, a duplicate session, a protocol error) end the session without
 *       asking it.</li>
 *   <li>An exception thrown by it, or a negative wait, ends reconnecting as if it had returned empty; the final
 *       {@link ai.alo.audio.event.DisconnectEvent} carries the exception as its cause.</li>
 *   <li>Whatever it returns, {@code disconnect()} and {@code close()} stop reconnecting at once.</li>
 * </ul>
 *
 * @since 0.3
 */
@FunctionalInterface
public interface ReconnectPolicy {

    /**
     * The wait before the next reconnect attempt.
     *
     * @param next the attempt about to be scheduled and the outage so far
     * @return the wait ({@link Duration#ZERO} for at once), or empty to give up reconnecting
     */
    Optional<Duration> delayBefore(ReconnectAttempt next);

    /**
     * A policy that never reconnects: every loss ends the session.
     *
     * @return the policy
     */
    static ReconnectPolicy never() {
        return NeverReconnect.INSTANCE;
    }
}
