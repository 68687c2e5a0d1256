package ai.alo.audio.impl;

import ai.alo.audio.DisconnectReason;
import ai.alo.audio.protocol.ErrorMessage;
import ai.alo.audio.protocol.Join;
import ai.alo.audio.protocol.MessageTypes;
import java.lang.System.Logger.Level;

/**
 * {@code error}: a request failed and the session goes on. A refused {@code join} (matched by its request id) fails
 * the connect with {@code JOIN_REJECTED}, a refused {@code media.offer} with {@code MEDIA_FAILED}; any other error is
 * logged.
 */
final class ErrorHandler implements MessageHandler<ErrorMessage> {

    private static final System.Logger LOG = System.getLogger("ai.alo.audio");
    private static final String JOIN = MessageTypes.nameOf(Join.class);

    @Override
    public Class<ErrorMessage> type() {
        return ErrorMessage.class;
    }

    @Override
    public void handle(ClientStateMachine client, Connection connection, ErrorMessage error) {
        String requestType = connection.requests.answered(error.requestId());
        boolean joinRefused = client.whileLive(connection, () -> JOIN.equals(requestType)
                || (requestType == null && error.requestId() == null && JOIN.equals(error.ref())
                && connection.phase == Connection.Phase.JOINING));
        String detail = CloseCodeMapping.printable(error.message());
        if (MediaNegotiation.OFFER.equals(requestType)) {
            // the session goes on for the service, but this client cannot hear or speak: the connect fails
            client.fail(connection, Ending.mediaFailed("the audio service refused the audio session ("
                    + CloseCodeMapping.printable(error.code()) + (detail.isEmpty() ? "" : ": " + detail) + ")", null,
                    true));
        } else if (joinRefused) {
            client.fail(connection, Ending.serverRefusal(DisconnectReason.JOIN_REJECTED,
                    "The audio service refused to join channel '" + connection.channel.id() + "'"
                            + (detail.isEmpty() ? "" : ": " + detail)));
        } else {
            LOG.log(Level.WARNING, "ALOAUD-1103 [{0}] the audio service reported an error: {1} {2}", client.name(),
                    CloseCodeMapping.printable(error.code()), detail);
        }
    }
}
