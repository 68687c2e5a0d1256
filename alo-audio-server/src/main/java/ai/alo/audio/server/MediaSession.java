package ai.alo.audio.server;

import ai.alo.audio.impl.rtc.RtcPeer;
import ai.alo.audio.impl.rtc.RtcPeerState;
import java.util.function.BiConsumer;

/**
 * One participant's media session on the server: its {@link RtcPeer} (the server's end of the participant's WebRTC
 * session) and its place in the channel's {@link ChannelMixer}. Made by {@link MediaOfferHandler} for an accepted
 * offer; current while {@link ClientSession#media} points to it (guarded by the state lock). Ended by
 * {@link MediaSessions#end}: detached from the mixer under the state lock, then {@link #closePeer()} outside it.
 *
 * <p>{@link #onFrame} runs on libwebrtc's audio thread and only queues the frame in the mixer (never blocks);
 * {@link #onStateChange} runs on the engine's callback thread and hands the state to the {@link MediaSessions}.
 */
final class MediaSession implements RtcPeer.Listener {

    final ClientSession owner;
    final String channelId;
    final String participantId;
    private final BiConsumer<MediaSession, RtcPeerState> states;
    private volatile RtcPeer peer;
    private volatile ChannelMixer.Participant participant;

    MediaSession(ClientSession owner, String channelId, String participantId,
                 BiConsumer<MediaSession, RtcPeerState> states) {
        this.owner = owner;
        this.channelId = channelId;
        this.participantId = participantId;
        this.states = states;
    }

    void peer(RtcPeer peer) {
        this.peer = peer;
    }

    RtcPeer peer() {
        return peer;
    }

    /** Starts feeding received frames into the mixer. */
    void participant(ChannelMixer.Participant participant) {
        this.participant = participant;
    }

    /** Closes the peer (teardown order inside {@link RtcPeer#close()}); idempotent. Never under the state lock. */
    void closePeer() {
        RtcPeer current = peer;
        if (current != null) {
            current.close();
        }
    }

    @Override
    public void onFrame(byte[] pcm) {
        ChannelMixer.Participant current = participant;
        if (current != null) {
            current.offer(pcm);
        }
    }

    @Override
    public void onStateChange(RtcPeerState state) {
        states.accept(this, state);
    }

    @Override
    public String toString() {
        return "media session of " + owner.sessionId + " in " + channelId;
    }
}
