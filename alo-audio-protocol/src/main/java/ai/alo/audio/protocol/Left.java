package ai.alo.audio.protocol;

/**
 * Server to client, answer to {@code leave}.
 *
 * @param channelId the channel left
 */
public record Left(String channelId) implements Message {

    /** The type name. */
    public static final String TYPE = "left";

    /** Checks the components. */
    public Left {
        Checks.nonBlank(channelId, "channelId");
    }
}
