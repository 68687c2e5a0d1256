package ai.alo.audio.impl;

import ai.alo.audio.Participant;
import ai.alo.audio.event.ParticipantsChangedEvent;
import ai.alo.audio.protocol.ParticipantLeft;
import java.time.Instant;
import java.util.List;

/** {@code participant.left}: one participant fewer, O(1): the roster changes and one delta event is queued. */
final class ParticipantLeftHandler implements MessageHandler<ParticipantLeft> {

    @Override
    public Class<ParticipantLeft> type() {
        return ParticipantLeft.class;
    }

    @Override
    public void handle(ClientStateMachine client, Connection connection, ParticipantLeft message) {
        client.whileLive(connection, () -> {
            if (connection.roster == null || !message.channelId().equals(connection.channel.id())) {
                return false;
            }
            Participant gone = connection.roster.remove(message.participant().connectionId());
            if (gone != null && connection.phase == Connection.Phase.JOINED) {
                client.post(new ParticipantsChangedEvent(client.name(), connection.channel, connection.connectionId,
                        List.of(), List.of(gone), connection.roster.snapshot(), Instant.now()));
            }
            return true;
        });
    }
}
