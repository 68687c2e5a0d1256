package ai.alo.audio.impl.rtc;

/**
 * The connection state of an {@link RtcPeer}: libwebrtc's peer connection state (ICE and DTLS together), plus
 * {@link #CLOSED} once {@link RtcPeer#close()} ran.
 *
 * <p>Usual path: {@code NEW -> CONNECTING -> CONNECTED -> CLOSED}. {@link #DISCONNECTED} may recover to
 * {@code CONNECTED}; {@link #FAILED} does not (ICE gave up). A remote peer that closes is noticed only as
 * {@code DISCONNECTED} and then {@code FAILED} seconds later (there is no close signal on the media path), so a session
 * that ends should be announced over signalling.
 */
public enum RtcPeerState {
    /** Created, not negotiated yet. */
    NEW,
    /** Negotiated; ICE and DTLS in progress. */
    CONNECTING,
    /** Audio can flow both ways. */
    CONNECTED,
    /** Connectivity lost for the moment; may come back. */
    DISCONNECTED,
    /** Connectivity lost for good, or negotiation failed. */
    FAILED,
    /** {@link RtcPeer#close()} ran; terminal. */
    CLOSED
}
