package ai.alo.audio.protocol;

/**
 * A participant of a channel.
 *
 * @param connectionId the id of the participant's connection to the channel
 * @param userId       the participant's user id
 * @param name         the display name
 * @param muted        whether the participant's microphone is muted
 */
public record ParticipantInfo(String connectionId, String userId, String name, boolean muted) {

    /** Checks the components; a missing name becomes empty. */
    public ParticipantInfo {
        Checks.nonBlank(connectionId, "participant.connectionId");
        Checks.nonBlank(userId, "participant.userId");
        name = Checks.orEmpty(name);
    }
}
