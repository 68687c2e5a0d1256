package ai.alo.audio.protocol;

/**
 * Either direction: the answer to a {@link Ping}.
 *
 * @param seq the ping's sequence number
 */
@MessageType("pong")
public record Pong(long seq) implements Message {
}
