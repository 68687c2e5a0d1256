package ai.alo.audio.protocol;

/**
 * Client to server: leave the channel. The server tells the other participants at once.
 *
 * @param channelId the channel
 */
public record Leave(String channelId) implements Message {

    /** The type name. */
    public static final String TYPE = "leave";

    /** Checks the components. */
    public Leave {
        Checks.nonBlank(channelId, "channelId");
    }
}
