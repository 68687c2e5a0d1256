package ai.alo.audio.protocol;

/**
 * A signalling message. Every implementation is a record annotated with {@link MessageType}; its JSON form is an object
 * whose {@code "type"} member is that name, followed by the record's components (see {@code docs/protocol.md} for each
 * message). Encode and decode with {@link MessageCodec}.
 *
 * <p>Not sealed on purpose: each side decodes only the types it registered in its {@link MessageTypes} (the types it
 * has handlers for) and ignores the others, so a message is added by one record and one handler.
 */
public interface Message {
}
