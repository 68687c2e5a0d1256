package ai.alo.audio.protocol;

/**
 * Server to client: a request failed but the session goes on (for example a {@code join} of an invalid channel).
 *
 * @param code    a machine-readable code, such as {@code "join.rejected"}
 * @param message a readable text
 * @param ref     the type of the request that failed, such as {@code "join"}
 */
public record ErrorMessage(String code, String message, String ref) implements Message {

    /** The type name. */
    public static final String TYPE = "error";

    /** Checks the components. */
    public ErrorMessage {
        Checks.nonBlank(code, "code");
        message = Checks.orEmpty(message);
        ref = Checks.orEmpty(ref);
    }
}
