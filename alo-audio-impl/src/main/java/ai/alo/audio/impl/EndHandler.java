package ai.alo.audio.impl;

import ai.alo.audio.DisconnectReason;
import ai.alo.audio.Initiator;
import ai.alo.audio.protocol.CloseCodes;
import ai.alo.audio.protocol.End;

/**
 * {@code end}: the service ends the session and its close frame follows at once. The message is kept so that the
 * close is reported with its reason; if the close frame does not come within the close grace, the client ends the
 * connection itself.
 */
final class EndHandler implements MessageHandler<End> {

    @Override
    public Class<End> type() {
        return End.class;
    }

    @Override
    public void handle(ClientStateMachine client, Connection connection, End end) {
        boolean live = client.whileLive(connection, () -> {
            connection.endMessage = end;
            return true;
        });
        if (!live) {
            return;
        }
        connection.endFallback(connection.schedule(() -> {
            DisconnectReason reason = CloseCodeMapping.fromEnd(end);
            String detail = CloseCodeMapping.printable(end.message());
            client.fail(connection, new Ending(reason, Initiator.SERVER, CloseCodes.NORMAL,
                    detail.isEmpty() ? reason.defaultMessage() : reason.defaultMessage() + ": " + detail,
                    null, CloseCodes.NORMAL, false));
        }, client.config().closeGrace().toNanos()));
    }
}
