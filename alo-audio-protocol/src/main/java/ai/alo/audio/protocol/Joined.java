package ai.alo.audio.protocol;

/**
 * Server to client, answer to {@code join}: the channel is joined. The channel's participants follow at once in
 * {@link Roster} pages, the last one marked {@code last}; until it arrives the join is not complete.
 *
 * @param requestId        the join's request id, or null
 * @param channel          the channel
 * @param connectionId     this client's connection id in the channel
 * @param participantCount how many participants the roster pages will list, this client included
 */
@MessageType("joined")
public record Joined(String requestId, ChannelInfo channel, String connectionId, int participantCount)
        implements Reply {

    /** Checks the components. */
    public Joined {
        requestId = Checks.requestId(requestId);
        Checks.present(channel, "channel");
        Checks.nonBlank(connectionId, "connectionId");
        if (participantCount < 1) {
            throw new IllegalArgumentException("'participantCount' must be at least 1 (the joiner)");
        }
    }
}
