package ai.alo.audio.server;

import ai.alo.audio.impl.rtc.RtcPeerState;
import ai.alo.audio.protocol.MediaState;
import ai.alo.audio.protocol.MessageCodec;
import java.lang.System.Logger.Level;

/**
 * Ends media sessions and reports their state changes, for the handlers and the session lifecycle: {@code leave}, a
 * {@code join} of another channel, a replacing {@code media.offer}, the end of the session (close, kick, replacement,
 * server stop) and a peer whose connection failed.
 *
 * <p>Ending a media session is two steps: under the state lock it is detached from the channel's mixer (so that no
 * later tick forwards its audio to anyone), and the peer is closed in {@link Effects#release} right after the lock,
 * before any queued message (such as {@code left} or the close frame) is sent. So after a participant's {@code left}, nobody
 * receives its audio any more beyond what is in flight in the network and the receivers' jitter buffers.
 */
final class MediaSessions {

    private static final System.Logger LOG = System.getLogger(AloAudioServer.class.getPackageName());

    private final StateLock lock;
    private final MediaRelay relay;
    private final MessageCodec codec;

    MediaSessions(StateLock lock, MediaRelay relay, MessageCodec codec) {
        this.lock = lock;
        this.relay = relay;
        this.codec = codec;
    }

    MediaRelay relay() {
        return relay;
    }

    /**
     * Ends the session's media session, if it has one; call under the state lock.
     *
     * @param session the session
     * @param fx      the effects of the locked section: the peer is closed before its messages are sent
     * @param message the {@code media.state closed} message for the client, or null to tell it nothing (the session
     *                is closing)
     * @return whether there was a media session
     */
    boolean end(ClientSession session, Effects fx, String message) {
        MediaSession media = session.media;
        if (media == null) {
            return false;
        }
        session.media = null;
        relay.detach(media.channelId, media.participantId);
        fx.release(media::closePeer);
        if (message != null) {
            fx.send(session, codec.encode(new MediaState(media.channelId, MediaState.CLOSED, message)));
        }
        return true;
    }

    /** A peer's connection state changed (engine callback thread): tells the client, ends a failed session. */
    void stateChanged(MediaSession media, RtcPeerState state) {
        if (state == RtcPeerState.CONNECTED) {
            lock.run(fx -> {
                if (media.owner.media == media && !media.owner.closed && !media.owner.closeQueued()) {
                    fx.send(media.owner, codec.encode(new MediaState(media.channelId, MediaState.CONNECTED, "")));
                }
            });
            LOG.log(Level.DEBUG, () -> media + " connected");
        } else if (state == RtcPeerState.FAILED) {
            lock.run(fx -> {
                if (media.owner.media != media) {
                    return;
                }
                failed(media, fx);
            });
        } else {
            LOG.log(Level.DEBUG, () -> media + ": " + state);
        }
    }

    private void failed(MediaSession media, Effects fx) {
        ClientSession owner = media.owner;
        owner.media = null;
        relay.detach(media.channelId, media.participantId);
        fx.release(media::closePeer);
        if (!owner.closed && !owner.closeQueued()) {
            fx.send(owner, codec.encode(new MediaState(media.channelId, MediaState.FAILED,
                    "The server lost the audio connection (ICE/DTLS failed)")));
        }
        fx.after(() -> LOG.log(Level.INFO, () -> "ALOSRV-5104 The audio connection of session " + owner.sessionId
                + " in channel " + media.channelId + " failed (ICE/DTLS); its media session is closed"));
    }
}
