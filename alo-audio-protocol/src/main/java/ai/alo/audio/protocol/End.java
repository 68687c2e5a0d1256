package ai.alo.audio.protocol;

/**
 * Server to client: the server ends the session; a close frame with the matching 4xxx code follows.
 *
 * @param reason  a machine-readable reason: {@code "kicked"}, {@code "replaced"}, {@code "shutdown"},
 *                {@code "ended"}
 * @param message a readable text for the user
 */
@MessageType("end")
public record End(String reason, String message) implements Message {

    /** Checks the components. */
    public End {
        Checks.nonBlank(reason, "reason");
        message = Checks.orEmpty(message);
    }
}
