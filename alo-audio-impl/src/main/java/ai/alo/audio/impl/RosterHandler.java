package ai.alo.audio.impl;

import ai.alo.audio.protocol.CloseCodes;
import ai.alo.audio.protocol.ParticipantInfo;
import ai.alo.audio.protocol.Roster;
import java.util.Objects;

/**
 * {@code roster}: one page of the joined channel's participants. After the last page the channel is joined: with media
 * enabled the media session is negotiated next ({@link MediaNegotiation}); without, the join is complete: {@code
 * CONNECTED}, the first {@code ParticipantsChangedEvent} (listing everyone), then the connect future.
 */
final class RosterHandler implements MessageHandler<Roster> {

    @Override
    public Class<Roster> type() {
        return Roster.class;
    }

    @Override
    public void handle(ClientStateMachine client, Connection connection, Roster page) {
        boolean[] complete = new boolean[1];
        boolean[] media = new boolean[1];
        String[] problem = new String[1];
        boolean accepted = client.whileLive(connection, () -> {
            if (connection.phase != Connection.Phase.ROSTER || !page.channelId().equals(connection.channel.id())
                    || !Objects.equals(page.requestId(), connection.joinRequestId)) {
                problem[0] = "unexpected 'roster' message";
                return false;
            }
            for (ParticipantInfo info : page.participants()) {
                connection.roster.add(MessageHandlers.toParticipant(info));
            }
            if (!page.last()) {
                return true;
            }
            if (connection.roster.get(connection.connectionId) == null) {
                problem[0] = "the roster of channel '" + CloseCodeMapping.printable(connection.channel.id())
                        + "' does not list this client";
                return false;
            }
            connection.requests.answered(connection.joinRequestId);
            complete[0] = client.joinedLocked(connection);
            media[0] = !complete[0];
            return true;
        });
        if (!accepted) {
            client.fail(connection, Ending.protocolError(problem[0] == null ? "unexpected 'roster' message"
                    : problem[0], CloseCodes.PROTOCOL_ERROR));
        } else if (complete[0]) {
            client.connected(connection);
        } else if (media[0]) {
            MediaNegotiation.begin(client, connection);
        }
    }
}
