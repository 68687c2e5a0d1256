package ai.alo.audio.server;

import ai.alo.audio.protocol.Message;
import ai.alo.audio.protocol.MessageTypes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The table of the server's {@link MessageHandler}s, one per incoming message type, and the
 * {@link MessageTypes} built from it: a type without a handler decodes as unknown and is ignored. Immutable and
 * thread-safe.
 */
final class MessageHandlers {

    private final Map<Class<? extends Message>, MessageHandler<?>> byType = new HashMap<>();
    private final MessageTypes types;

    /**
     * Builds the table.
     *
     * @param handlers one handler per message type
     * @throws IllegalArgumentException if two handlers take the same type
     */
    MessageHandlers(List<MessageHandler<?>> handlers) {
        List<Class<? extends Message>> classes = new ArrayList<>(handlers.size());
        for (MessageHandler<?> handler : handlers) {
            if (byType.put(handler.type(), handler) != null) {
                throw new IllegalArgumentException("Two handlers for " + handler.type().getName());
            }
            classes.add(handler.type());
        }
        this.types = MessageTypes.of(classes);
    }

    /** The types the server decodes. */
    MessageTypes types() {
        return types;
    }

    /**
     * The handler of a decoded message.
     *
     * @param message a message decoded with {@link #types()}
     * @return its handler
     */
    @SuppressWarnings("unchecked")
    <M extends Message> MessageHandler<M> handlerOf(M message) {
        MessageHandler<?> handler = byType.get(message.getClass());
        if (handler == null) {
            throw new IllegalStateException("No handler for " + message.getClass().getName());
        }
        return (MessageHandler<M>) handler;
    }
}
