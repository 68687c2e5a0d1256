package ai.alo.audio.impl;

import ai.alo.audio.protocol.CloseCodes;
import ai.alo.audio.protocol.Joined;
import java.util.Objects;

/** {@code joined}: the service accepted the {@code join}; the roster pages follow. */
final class JoinedHandler implements MessageHandler<Joined> {

    @Override
    public Class<Joined> type() {
        return Joined.class;
    }

    @Override
    public void handle(ClientStateMachine client, Connection connection, Joined joined) {
        boolean accepted = client.whileLive(connection, () -> {
            if (connection.phase != Connection.Phase.JOINING
                    || !joined.channel().id().equals(connection.channel.id())
                    || !Objects.equals(joined.requestId(), connection.joinRequestId)) {
                return false;
            }
            connection.connectionId = joined.connectionId();
            connection.roster = new RosterLog();
            connection.phase = Connection.Phase.ROSTER;
            return true;
        });
        if (!accepted) {
            client.fail(connection, Ending.protocolError("unexpected 'joined' message for channel '"
                    + CloseCodeMapping.printable(joined.channel().id()) + "'", CloseCodes.PROTOCOL_ERROR));
        }
    }
}
