package ai.alo.audio.spi;

import ai.alo.audio.DisconnectReason;
import java.time.Duration;
import java.util.Objects;

/**
 * What a {@link ReconnectPolicy} is told about the reconnect attempt it schedules.
 *
 * @param clientName the client's name
 * @param attempt    the number of the attempt about to be scheduled in this outage: 1 for the first attempt after
 *                   the loss
 * @param sinceLoss  the time since the connection was lost (the start of this outage)
 * @param lastReason why the connection was lost (for attempt 1) or why the previous attempt failed
 * @since 0.3
 */
public record ReconnectAttempt(String clientName, int attempt, Duration sinceLoss, DisconnectReason lastReason) {

    /**
     * Validates the components.
     *
     * @throws NullPointerException     if a component is null
     * @throws IllegalArgumentException if {@code attempt} is below 1 or {@code sinceLoss} is negative
     */
    public ReconnectAttempt {
        Objects.requireNonNull(clientName, "clientName");
        Objects.requireNonNull(sinceLoss, "sinceLoss");
        Objects.requireNonNull(lastReason, "lastReason");
        if (attempt < 1) {
            throw new IllegalArgumentException("attempt must be at least 1, was " + attempt);
        }
        if (sinceLoss.isNegative()) {
            throw new IllegalArgumentException("sinceLoss must not be negative, was " + sinceLoss);
        }
    }
}
