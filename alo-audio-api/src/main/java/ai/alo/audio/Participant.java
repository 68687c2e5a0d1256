package ai.alo.audio;

import java.util.Objects;

/**
 * A user connected to an audio channel; the Java form of the ALO SDK's {@code Participant}.
 *
 * <p>An immutable snapshot: a participant that changes (mutes, unmutes) is reported as a new value.
 *
 * @param connectionId the id the audio service gave this user's connection to this channel; unique per connection
 * @param userId       the participant's ALO Cloud user id
 * @param name         the participant's display name
 * @param muted        {@code true} when the participant's microphone is muted (the ALO SDK's sample code uses this
 *                     meaning; its class page says the opposite, see {@code docs/alo-sdk-mapping.md})
 * @since 0.1
 */
public record Participant(String connectionId, String userId, String name, boolean muted) {

    /**
     * Validates the components.
     *
     * @throws NullPointerException if a component is null
     */
    public Participant {
        Objects.requireNonNull(connectionId, "connectionId");
        Objects.requireNonNull(userId, "userId");
        Objects.requireNonNull(name, "name");
    }
}
