package ai.alo.audio.protocol;

/**
 * Server to client: another participant joined the channel.
 *
 * @param channelId   the channel
 * @param participant the new participant
 */
public record ParticipantJoined(String channelId, ParticipantInfo participant) implements Message {

    /** The type name. */
    public static final String TYPE = "participant.joined";

    /** Checks the components. */
    public ParticipantJoined {
        Checks.nonBlank(channelId, "channelId");
        Checks.present(participant, "participant");
    }
}
