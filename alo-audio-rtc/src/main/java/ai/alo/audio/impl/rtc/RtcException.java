package ai.alo.audio.impl.rtc;

/**
 * A WebRTC media operation failed: a negotiation step was refused, ICE gathering found no usable address, the peer was
 * closed while an operation was pending, or the engine could not start.
 *
 * <p>The message is readable and never contains a session description, an ICE password or a DTLS fingerprint
 * (webrtc's own error texts are passed through {@link Redaction} first).
 */
public class RtcException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * @param message what failed, readable
     */
    public RtcException(String message) {
        super(message);
    }

    /**
     * @param message what failed, readable
     * @param cause   the underlying failure, may be {@code null}
     */
    public RtcException(String message, Throwable cause) {
        super(message, cause);
    }
}
