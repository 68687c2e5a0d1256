package ai.alo.audio.protocol;

/**
 * A server message that answers a {@link Request}: it carries the request's id, or null when the request had none.
 */
public interface Reply extends Message {

    /**
     * The id of the request this message answers.
     *
     * @return the request id, or null
     */
    String requestId();
}
