package ai.alo.audio.protocol;

import java.util.List;

/**
 * Server to client, answer to {@code join}: the channel is joined.
 *
 * @param channel      the channel
 * @param connectionId this client's connection id in the channel
 * @param participants every participant, this client included
 */
public record Joined(ChannelInfo channel, String connectionId, List<ParticipantInfo> participants)
        implements Message {

    /** The type name. */
    public static final String TYPE = "joined";

    /** Checks the components and copies the list. */
    public Joined {
        Checks.present(channel, "channel");
        Checks.nonBlank(connectionId, "connectionId");
        participants = List.copyOf(Checks.present(participants, "participants"));
    }
}
