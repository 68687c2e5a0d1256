package ai.alo.audio.impl;

import ai.alo.audio.impl.media.MediaSession;
import ai.alo.audio.protocol.CloseCodes;
import ai.alo.audio.protocol.MediaAnswer;

/** {@code media.answer}: the service's answer to this connection's offer; applied to its media session. */
final class MediaAnswerHandler implements MessageHandler<MediaAnswer> {

    @Override
    public Class<MediaAnswer> type() {
        return MediaAnswer.class;
    }

    @Override
    public void handle(ClientStateMachine client, Connection connection, MediaAnswer answer) {
        boolean expected = client.whileLive(connection, () -> connection.phase == Connection.Phase.MEDIA
                && answer.channelId().equals(connection.channel.id())
                && MediaNegotiation.OFFER.equals(connection.requests.answered(answer.requestId())));
        MediaSession session = connection.media();
        if (!expected || session == null) {
            client.fail(connection, Ending.protocolError("unexpected 'media.answer' message",
                    CloseCodes.PROTOCOL_ERROR));
            return;
        }
        MediaNegotiation.answered(client, connection, session, answer.sdp());
    }
}
