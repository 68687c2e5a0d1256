package ai.alo.audio.protocol;

/**
 * Either direction: a heartbeat. The receiver answers with a {@link Pong} of the same {@code seq}.
 *
 * @param seq a sequence number chosen by the sender
 */
@MessageType("ping")
public record Ping(long seq) implements Message {
}
