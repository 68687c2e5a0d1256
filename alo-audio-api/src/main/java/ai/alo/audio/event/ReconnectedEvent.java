package ai.alo.audio.event;

import ai.alo.audio.AudioChannel;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * An automatic reconnect succeeded: the client is {@link ai.alo.audio.ConnectionState#CONNECTED CONNECTED} again on
 * the same channel, with its heartbeat re-armed and, with media, a new audio session using the same devices. Emitted
 * right after the {@link ConnectionChangeEvent} to {@code CONNECTED} and before the {@link ParticipantsChangedEvent}
 * that brings the roster up to date (it lists who joined and who left during the outage).
 *
 * <p>{@link #resumed()} says whether the audio service kept the session: {@code true} means the session id and this
 * client's participant id ({@link ai.alo.audio.AloAudio#connectionId()}) are the same as before the loss, so whatever
 * the application keyed on them is still valid; {@code false} means the service made a new session (it had forgotten
 * the old one, or does not support resume) and the application should rebuild what it kept about the old one. Other
 * participants saw this user leave and join again either way.
 *
 * @param clientName        the client's name
 * @param channel           the channel, rejoined
 * @param resumed           whether the service resumed the previous session
 * @param sessionId         the session id now
 * @param previousSessionId the session id before the loss, or null if the lost connection had none
 * @param attempts          the reconnect attempts this outage took, including the one that succeeded
 * @param downtime          the time from the loss to {@code CONNECTED}
 * @param timestamp         when the client was connected again
 * @since 0.3
 */
public record ReconnectedEvent(String clientName, AudioChannel channel, boolean resumed, String sessionId,
                               String previousSessionId, int attempts, Duration downtime, Instant timestamp)
        implements AloAudioEvent {

    /**
     * Validates the components.
     *
     * @throws NullPointerException     if a required component is null
     * @throws IllegalArgumentException if {@code attempts} is below 1 or {@code downtime} is negative
     */
    public ReconnectedEvent {
        Objects.requireNonNull(clientName, "clientName");
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(downtime, "downtime");
        Objects.requireNonNull(timestamp, "timestamp");
        if (attempts < 1) {
            throw new IllegalArgumentException("attempts must be at least 1, was " + attempts);
        }
        if (downtime.isNegative()) {
            throw new IllegalArgumentException("downtime must not be negative, was " + downtime);
        }
    }
}
