package ai.alo.audio.server;

import ai.alo.audio.protocol.ChannelInfo;
import ai.alo.audio.protocol.ErrorMessage;
import ai.alo.audio.protocol.Join;
import ai.alo.audio.protocol.MessageCodec;
import ai.alo.audio.protocol.MessageTypes;
import java.lang.System.Logger.Level;

/**
 * {@code join} (a request): moves the session into the channel (out of its current one first), answers
 * {@code joined} and the roster pages, and tells the other members; every answer carries the request's id. Refused
 * with {@code error} {@code join.rejected} (the session goes on) when the channel id is longer than 128 characters or
 * the server is shutting down, and with {@code join.forbidden} when the token's {@code channels} claim does not list
 * the channel (the session stays in its current channel). A media session of the channel the session was in ends
 * first ({@code media.state closed}).
 */
final class JoinHandler implements MessageHandler<Join> {

    private static final System.Logger LOG = System.getLogger(AloAudioServer.class.getPackageName());
    private static final String REF = MessageTypes.nameOf(Join.class);
    /** The error code of a join the token does not allow. */
    static final String FORBIDDEN = "join.forbidden";

    private final StateLock lock;
    private final SessionRegistry sessions;
    private final ChannelRegistry channels;
    private final MessageCodec codec;
    private final MediaSessions media;

    JoinHandler(StateLock lock, SessionRegistry sessions, ChannelRegistry channels, MessageCodec codec,
                MediaSessions media) {
        this.lock = lock;
        this.sessions = sessions;
        this.channels = channels;
        this.codec = codec;
        this.media = media;
    }

    @Override
    public Class<Join> type() {
        return Join.class;
    }

    @Override
    public void handle(ClientSession session, Join join) {
        ChannelInfo channel = join.channel();
        lock.run(fx -> {
            if (session.closed || session.closeQueued()) {
                return;
            }
            if (Names.idTooLong(channel.id())) {
                fx.send(session, codec.encode(new ErrorMessage(join.requestId(), "join.rejected",
                        "The channel id is longer than " + Names.MAX_ID_LENGTH + " characters", REF)));
            } else if (session.allowedChannels != null && !session.allowedChannels.contains(channel.id())) {
                // the session stays where it is: nothing changes for it or the channel it is in
                fx.send(session, codec.encode(new ErrorMessage(join.requestId(), FORBIDDEN,
                        "Your token does not allow joining channel " + Reasons.printable(channel.id()), REF)));
                fx.after(() -> LOG.log(Level.DEBUG, () -> "Session " + session.sessionId + ": join of "
                        + Reasons.printable(channel.id()) + " refused, not in the token's channels"));
            } else if (!sessions.acceptsSessions()) {
                fx.send(session, codec.encode(new ErrorMessage(join.requestId(), "join.rejected",
                        "The server is shutting down", REF)));
            } else {
                // moving to another channel (or joining the same one again) ends the media session of the old one
                media.end(session, fx, "Left the channel");
                channels.join(session, join.requestId(), channel, fx);
            }
        });
    }
}
