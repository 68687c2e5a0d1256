package ai.alo.audio.impl.ws;

/**
 * The WebSocket could not be opened. The message is readable and never contains the token.
 */
public final class TransportException extends Exception {

    private static final long serialVersionUID = 1L;

    private final boolean timeout;

    /**
     * Creates the exception.
     *
     * @param message the readable message
     * @param cause   the underlying failure
     * @param timeout whether the server did not answer in time (as opposed to refusing)
     */
    public TransportException(String message, Throwable cause, boolean timeout) {
        super(message, cause);
        this.timeout = timeout;
    }

    /**
     * Whether the server did not answer in time.
     *
     * @return {@code true} for a timeout
     */
    public boolean isTimeout() {
        return timeout;
    }
}
