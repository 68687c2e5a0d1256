package ai.alo.audio.impl;

import ai.alo.audio.Participant;
import ai.alo.audio.protocol.Message;
import ai.alo.audio.protocol.MessageTypes;
import ai.alo.audio.protocol.ParticipantInfo;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The client's handler table: one {@link MessageHandler} per message type the client receives. The codec decodes
 * exactly these types ({@link #TYPES}); any other type is ignored as unknown. Adding a message the client receives is
 * one record in {@code alo-audio-protocol} and one handler listed here.
 */
final class MessageHandlers {

    private static final List<MessageHandler<?>> HANDLERS = List.of(
            new WelcomeHandler(),
            new JoinedHandler(),
            new RosterHandler(),
            new ParticipantJoinedHandler(),
            new ParticipantLeftHandler(),
            new LeftHandler(),
            new PingHandler(),
            new PongHandler(),
            new EndHandler(),
            new ErrorHandler(),
            new MediaAnswerHandler(),
            new MediaStateHandler());

    private static final Map<Class<?>, MessageHandler<?>> BY_TYPE = new HashMap<>();

    /** The message types the client decodes. */
    static final MessageTypes TYPES;

    static {
        for (MessageHandler<?> handler : HANDLERS) {
            BY_TYPE.put(handler.type(), handler);
        }
        TYPES = MessageTypes.of(HANDLERS.stream().<Class<? extends Message>>map(MessageHandler::type).toList());
    }

    private MessageHandlers() {
    }

    /**
     * Hands a decoded message to its handler.
     *
     * @param client     the client
     * @param connection the connection it arrived on
     * @param message    a message of one of {@link #TYPES}
     */
    @SuppressWarnings("unchecked")
    static void dispatch(ClientStateMachine client, Connection connection, Message message) {
        MessageHandler<Message> handler = (MessageHandler<Message>) BY_TYPE.get(message.getClass());
        handler.handle(client, connection, message);
    }

    static Participant toParticipant(ParticipantInfo info) {
        return new Participant(info.connectionId(), info.userId(), info.name(), info.muted());
    }
}
