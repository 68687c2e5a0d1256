package ai.alo.audio.impl.ws;

/**
 * The WebSocket could not be opened. The message is readable and never contains the token.
 */
public final class TransportException extends Exception {

    private static final long serialVersionUID = 1L;

    /** What kind of failure it was. */
    public enum Kind {
        /** The host name could not be resolved. */
        UNKNOWN_HOST,
        /** Nothing listens at the address, or the network refused the connection. */
        REFUSED,
        /** The server (or the network) closed or reset the connection during the handshake. */
        CLOSED_DURING_HANDSHAKE,
        /** The server answered the upgrade with another HTTP status than 101. */
        HTTP_STATUS,
        /** TLS failed (untrusted certificate, wrong host name, no common protocol). */
        TLS,
        /** Anything else. */
        OTHER
    }

    private final Kind kind;
    private final int httpStatus;

    /**
     * Creates the exception.
     *
     * @param kind       the kind
     * @param message    the readable message
     * @param httpStatus the HTTP status for {@link Kind#HTTP_STATUS}, else 0
     * @param cause      the underlying failure
     */
    public TransportException(Kind kind, String message, int httpStatus, Throwable cause) {
        super(message, cause);
        this.kind = kind;
        this.httpStatus = httpStatus;
    }

    /**
     * The kind of failure.
     *
     * @return the kind
     */
    public Kind kind() {
        return kind;
    }

    /**
     * The HTTP status the server refused the upgrade with.
     *
     * @return the status, or 0
     */
    public int httpStatus() {
        return httpStatus;
    }
}
