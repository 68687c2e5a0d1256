package ai.alo.audio.protocol;

/**
 * Client to server: join a channel (leaving the current one, if any). Answered by {@link Joined} and the roster
 * pages, or by an {@link ErrorMessage}.
 *
 * @param requestId the request id, or null
 * @param channel   the channel
 */
@MessageType("join")
public record Join(String requestId, ChannelInfo channel) implements Request {

    /** Checks the components. */
    public Join {
        requestId = Checks.requestId(requestId);
        Checks.present(channel, "channel");
    }
}
