package ai.alo.audio.impl;

import ai.alo.audio.protocol.Message;

/**
 * Handles one type of message from the audio service. Handlers are stateless; they run on the socket I/O thread of
 * the connection, must not block, and change the client's state only through {@link ClientStateMachine}.
 *
 * @param <T> the message type
 */
interface MessageHandler<T extends Message> {

    /**
     * The message record this handler handles.
     *
     * @return the record class
     */
    Class<T> type();

    /**
     * Handles a message.
     *
     * @param client     the client's state machine
     * @param connection the connection it arrived on
     * @param message    the message
     */
    void handle(ClientStateMachine client, Connection connection, T message);
}
