package ai.alo.audio.protocol;

/**
 * Either direction: the answer to a {@link Ping}.
 *
 * @param seq the ping's sequence number
 */
public record Pong(long seq) implements Message {

    /** The type name. */
    public static final String TYPE = "pong";
}
