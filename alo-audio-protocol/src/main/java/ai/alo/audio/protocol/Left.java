package ai.alo.audio.protocol;

/**
 * Server to client, answer to {@code leave}.
 *
 * @param requestId the leave's request id, or null
 * @param channelId the channel left
 */
@MessageType("left")
public record Left(String requestId, String channelId) implements Reply {

    /** Checks the components. */
    public Left {
        requestId = Checks.requestId(requestId);
        Checks.nonBlank(channelId, "channelId");
    }
}
