package ai.alo.audio.protocol;

/**
 * Server to client: a request failed but the session goes on (for example a {@code join} of a channel the token
 * does not allow).
 *
 * @param requestId the failed request's id, or null when it had none
 * @param code      a machine-readable code, such as {@code "join.rejected"}
 * @param message   a readable text
 * @param ref       the type of the request that failed, such as {@code "join"}
 */
@MessageType("error")
public record ErrorMessage(String requestId, String code, String message, String ref) implements Reply {

    /** Checks the components. */
    public ErrorMessage {
        requestId = Checks.requestId(requestId);
        Checks.nonBlank(code, "code");
        message = Checks.orEmpty(message);
        ref = Checks.orEmpty(ref);
    }
}
