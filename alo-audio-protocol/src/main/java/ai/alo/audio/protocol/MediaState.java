package ai.alo.audio.protocol;

/**
 * Server to client: what became of the client's media session on the server's side. {@code connected} when audio
 * can flow; {@code failed} when the server lost it (ICE or DTLS failure, or the relay could not keep it), with a
 * readable {@code message}; {@code closed} when the server ended it (the client left, or a new offer replaced it). A
 * client that sees {@code failed} treats its audio as lost.
 *
 * @param channelId the channel
 * @param state     {@code connected}, {@code failed} or {@code closed}
 * @param message   a readable explanation, empty when there is none
 */
@MessageType("media.state")
public record MediaState(String channelId, String state, String message) implements Message {

    /** The session carries audio. */
    public static final String CONNECTED = "connected";
    /** The server lost the session. */
    public static final String FAILED = "failed";
    /** The server ended the session. */
    public static final String CLOSED = "closed";

    /** Checks the components. */
    public MediaState {
        Checks.nonBlank(channelId, "channelId");
        if (!CONNECTED.equals(state) && !FAILED.equals(state) && !CLOSED.equals(state)) {
            throw new IllegalArgumentException("'state' must be connected, failed or closed");
        }
        message = Checks.orEmpty(message);
    }
}
