package ai.alo.audio.protocol;

/**
 * A received message broke the protocol. The connection must be closed with {@link #closeCode()}.
 */
public final class ProtocolException extends Exception {

    private static final long serialVersionUID = 1L;

    private final int closeCode;

    /**
     * Creates the exception.
     *
     * @param message   a readable description; never the raw frame
     * @param closeCode the close code to end the connection with
     * @param cause     the parse failure, or null
     */
    public ProtocolException(String message, int closeCode, Throwable cause) {
        super(message, cause);
        this.closeCode = closeCode;
    }

    /**
     * The close code to end the connection with.
     *
     * @return {@link CloseCodes#PROTOCOL_ERROR} or {@link CloseCodes#TOO_BIG}
     */
    public int closeCode() {
        return closeCode;
    }
}
