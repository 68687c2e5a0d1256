package ai.alo.audio.protocol;

/**
 * Server to client, answer to {@link MediaOffer}: the server's complete session description (its ICE candidates
 * included). The media session then connects by ICE and DTLS; the server reports what happens to it afterwards with
 * {@link MediaState}.
 *
 * @param requestId the offer's request id, or null
 * @param channelId the channel
 * @param sdp       the session description, at most {@value MediaOffer#MAX_SDP_LENGTH} characters
 */
@MessageType("media.answer")
public record MediaAnswer(String requestId, String channelId, String sdp) implements Reply {

    /** Checks the components. */
    public MediaAnswer {
        requestId = Checks.requestId(requestId);
        Checks.nonBlank(channelId, "channelId");
        Checks.sdp(sdp);
    }

    @Override
    public String toString() {
        return "MediaAnswer[requestId=" + requestId + ", channelId=" + channelId + ", sdp=" + sdp.length() + " chars]";
    }
}
