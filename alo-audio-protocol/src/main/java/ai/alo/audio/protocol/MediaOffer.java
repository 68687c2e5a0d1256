package ai.alo.audio.protocol;

/**
 * Client to server, after {@link Joined}: the client's WebRTC offer for the channel's audio session (one send and
 * receive Opus audio stream). The offer is complete: its ICE candidates are in the SDP (no trickle). The server answers
 * with {@link MediaAnswer}, or refuses with {@link ErrorMessage} ({@code media.unavailable}, {@code media.refused},
 * {@code not-joined}). A second offer in the same channel replaces the first session. Only when both sides list the
 * {@link Capability#MEDIA_WEBRTC} capability.
 *
 * @param requestId the request id, or null
 * @param channelId the joined channel
 * @param sdp       the session description, at most {@value #MAX_SDP_LENGTH} characters
 */
@MessageType("media.offer")
public record MediaOffer(String requestId, String channelId, String sdp) implements Request {

    /** The longest session description either side accepts. */
    public static final int MAX_SDP_LENGTH = 32 * 1024;

    /** Checks the components. */
    public MediaOffer {
        requestId = Checks.requestId(requestId);
        Checks.nonBlank(channelId, "channelId");
        Checks.sdp(sdp);
    }

    @Override
    public String toString() {
        return "MediaOffer[requestId=" + requestId + ", channelId=" + channelId + ", sdp=" + sdp.length() + " chars]";
    }
}
