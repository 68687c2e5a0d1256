package ai.alo.audio.server;

import ai.alo.audio.protocol.Message;

/**
 * Handles one incoming message type. Each type the server understands has exactly one handler, registered in the
 * table of {@link MessageHandlers}, from which the server's {@link ai.alo.audio.protocol.MessageTypes} is built: adding
 * a client message to the protocol is one record in {@code alo-audio-protocol} plus one handler here.
 *
 * <p>Called on a Grizzly worker thread, one message of a session at a time, in the order received, after the session
 * passed the phase check ({@link #beforeWelcome()}); never with the state lock held.
 *
 * @param <M> the message record
 */
interface MessageHandler<M extends Message> {

    /**
     * The record this handler takes.
     *
     * @return the class, annotated with {@link ai.alo.audio.protocol.MessageType}
     */
    Class<M> type();

    /**
     * Whether the message is allowed before {@code welcome}; every other message then closes the session with 1002.
     *
     * @return {@code false} unless overridden ({@code hello} only)
     */
    default boolean beforeWelcome() {
        return false;
    }

    /**
     * Acts on a message.
     *
     * @param session the session that sent it
     * @param message the decoded message
     */
    void handle(ClientSession session, M message);
}
