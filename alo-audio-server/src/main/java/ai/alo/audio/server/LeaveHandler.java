package ai.alo.audio.server;

import ai.alo.audio.protocol.ErrorMessage;
import ai.alo.audio.protocol.Leave;
import ai.alo.audio.protocol.Left;
import ai.alo.audio.protocol.MessageCodec;
import ai.alo.audio.protocol.MessageTypes;

/**
 * {@code leave} (a request): removes the session from the channel, tells the other members ({@code participant.left},
 * reason {@code "left"}) and answers {@code left}; {@code error} {@code leave.rejected} when the session is not in that
 * channel. Both carry the request's id. A media session in the channel ends first: it leaves the mixer, its peer is
 * closed, and the client gets {@code media.state closed} before {@code left}.
 */
final class LeaveHandler implements MessageHandler<Leave> {

    private static final String REF = MessageTypes.nameOf(Leave.class);

    private final StateLock lock;
    private final ChannelRegistry channels;
    private final MessageCodec codec;
    private final MediaSessions media;

    LeaveHandler(StateLock lock, ChannelRegistry channels, MessageCodec codec, MediaSessions media) {
        this.lock = lock;
        this.channels = channels;
        this.codec = codec;
        this.media = media;
    }

    @Override
    public Class<Leave> type() {
        return Leave.class;
    }

    @Override
    public void handle(ClientSession session, Leave leave) {
        lock.run(fx -> {
            if (session.closed || session.closeQueued()) {
                return;
            }
            if (session.member == null || !session.member.channelId().equals(leave.channelId())) {
                fx.send(session, codec.encode(new ErrorMessage(leave.requestId(), "leave.rejected",
                        "Not in that channel", REF)));
                return;
            }
            // out of the mixer now, the peer closed before anything is sent: after left, nobody hears this participant
            media.end(session, fx, "Left the channel");
            channels.leave(session, "left", true, fx);
            fx.send(session, codec.encode(new Left(leave.requestId(), leave.channelId())));
        });
    }
}
