package ai.alo.audio.protocol;

/**
 * Server to client: another participant joined the channel.
 *
 * @param channelId   the channel
 * @param participant the new participant
 */
@MessageType("participant.joined")
public record ParticipantJoined(String channelId, ParticipantInfo participant) implements Message {

    /** Checks the components. */
    public ParticipantJoined {
        Checks.nonBlank(channelId, "channelId");
        Checks.present(participant, "participant");
    }
}
