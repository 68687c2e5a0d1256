package ai.alo.audio.protocol;

/**
 * Client to server: leave the channel. The server tells the other participants at once and answers with
 * {@link Left}.
 *
 * @param requestId the request id, or null
 * @param channelId the channel
 */
@MessageType("leave")
public record Leave(String requestId, String channelId) implements Request {

    /** Checks the components. */
    public Leave {
        requestId = Checks.requestId(requestId);
        Checks.nonBlank(channelId, "channelId");
    }
}
