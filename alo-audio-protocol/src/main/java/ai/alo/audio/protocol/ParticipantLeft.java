package ai.alo.audio.protocol;

/**
 * Server to client: a participant left the channel.
 *
 * @param channelId   the channel
 * @param participant the participant that left
 * @param reason      {@code "left"} (sent {@code leave}), {@code "closed"} (closed the socket), {@code "lost"}
 *                    (socket failed or heartbeat timeout), {@code "kicked"} or {@code "replaced"}
 */
@MessageType("participant.left")
public record ParticipantLeft(String channelId, ParticipantInfo participant, String reason) implements Message {

    /** Checks the components. */
    public ParticipantLeft {
        Checks.nonBlank(channelId, "channelId");
        Checks.present(participant, "participant");
        reason = Checks.orEmpty(reason);
    }
}
