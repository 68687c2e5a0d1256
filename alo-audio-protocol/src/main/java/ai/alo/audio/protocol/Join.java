package ai.alo.audio.protocol;

/**
 * Client to server: join a channel (leaving the current one, if any).
 *
 * @param channel the channel
 */
public record Join(ChannelInfo channel) implements Message {

    /** The type name. */
    public static final String TYPE = "join";

    /** Checks the components. */
    public Join {
        Checks.present(channel, "channel");
    }
}
