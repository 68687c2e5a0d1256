package ai.alo.audio.protocol;

/**
 * A client message that the server answers: the answer (or the {@link ErrorMessage} that refuses it) carries the
 * same {@link #requestId()}, so the client can tell which request it answers even when requests overlap.
 */
public interface Request extends Message {

    /**
     * The id the client chose for this request: 1 to {@value Checks#MAX_REQUEST_ID_LENGTH} printable ASCII characters,
     * or null when the client does not need the answer correlated.
     *
     * @return the request id, or null
     */
    String requestId();
}
