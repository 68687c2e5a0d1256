package ai.alo.audio.impl.ws;

/**
 * The WebSocket could not be opened. The message is readable and never contains the token.
 */
public final class TransportException extends Exception {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message the readable message
     * @param cause   the underlying failure
     */
    public TransportException(String message, Throwable cause) {
        super(message, cause);
    }
}
