package ai.alo.audio.impl;

import ai.alo.audio.Participant;
import ai.alo.audio.event.ParticipantsChangedEvent;
import ai.alo.audio.protocol.ParticipantJoined;
import java.time.Instant;
import java.util.List;

/** {@code participant.joined}: one participant more, O(1): the roster changes and one delta event is queued. */
final class ParticipantJoinedHandler implements MessageHandler<ParticipantJoined> {

    @Override
    public Class<ParticipantJoined> type() {
        return ParticipantJoined.class;
    }

    @Override
    public void handle(ClientStateMachine client, Connection connection, ParticipantJoined message) {
        Participant participant = MessageHandlers.toParticipant(message.participant());
        client.whileLive(connection, () -> {
            if (connection.roster == null || !message.channelId().equals(connection.channel.id())) {
                return false;
            }
            Participant replaced = connection.roster.add(participant);
            if (connection.phase == Connection.Phase.JOINED) {
                client.post(new ParticipantsChangedEvent(client.name(), connection.channel, connection.connectionId,
                        List.of(participant), replaced == null ? List.of() : List.of(replaced),
                        connection.roster.snapshot(), Instant.now()));
            }
            return true;
        });
    }
}
