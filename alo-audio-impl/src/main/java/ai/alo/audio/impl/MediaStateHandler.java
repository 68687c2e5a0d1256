package ai.alo.audio.impl;

import ai.alo.audio.protocol.MediaState;
import java.lang.System.Logger.Level;

/**
 * {@code media.state}: the service's side of the media session. {@code failed}, or {@code closed} while this client
 * still uses the session, means the channel's audio is lost ({@link MediaNegotiation#lost}); {@code connected} is only
 * logged, since the client's own session tells when audio flows.
 */
final class MediaStateHandler implements MessageHandler<MediaState> {

    private static final System.Logger LOG = System.getLogger("ai.alo.audio.media");

    @Override
    public Class<MediaState> type() {
        return MediaState.class;
    }

    @Override
    public void handle(ClientStateMachine client, Connection connection, MediaState state) {
        if (!state.channelId().equals(connection.channel.id())) {
            return;
        }
        switch (state.state()) {
            case MediaState.FAILED:
                String detail = CloseCodeMapping.printable(state.message());
                MediaNegotiation.lost(client, connection, "the audio service lost the audio session"
                        + (detail.isEmpty() ? "" : ": " + detail));
                break;
            case MediaState.CLOSED:
                MediaNegotiation.lost(client, connection, "the audio service closed the audio session");
                break;
            default:
                LOG.log(Level.DEBUG, () -> "[" + client.name() + "] the audio service's side of the audio session is "
                        + "connected");
                break;
        }
    }
}
