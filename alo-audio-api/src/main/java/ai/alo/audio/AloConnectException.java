package ai.alo.audio;

import java.util.Objects;

/**
 * A {@link AloAudio#connect(AudioChannel) connect} did not reach {@link ConnectionState#CONNECTED}. The future that
 * {@code connect()} returned completes exceptionally with this exception (wrapped in a
 * {@link java.util.concurrent.CompletionException} or {@link java.util.concurrent.ExecutionException} by the usual
 * {@code join()} / {@code get()} calls).
 *
 * <p>The same ending is also reported as a {@link ai.alo.audio.event.DisconnectEvent} carrying the same
 * {@linkplain #reason() reason} and message.
 *
 * @since 0.1
 */
public class AloConnectException extends AloAudioException {

    private static final long serialVersionUID = 1L;

    private final DisconnectReason reason;
    private final int closeCode;

    /**
     * Creates the exception.
     *
     * @param message   the readable message; never contains the token
     * @param reason    why the connect failed
     * @param closeCode the WebSocket close code, or 0 when no WebSocket was opened
     * @param cause     the underlying failure, or null
     */
    public AloConnectException(String message, DisconnectReason reason, int closeCode, Throwable cause) {
        super(message, cause);
        this.reason = Objects.requireNonNull(reason, "reason");
        this.closeCode = closeCode;
    }

    /**
     * Why the connect failed.
     *
     * @return the reason; never null
     */
    public DisconnectReason reason() {
        return reason;
    }

    /**
     * The WebSocket close code that ended the attempt.
     *
     * @return the code, or 0 when no WebSocket was opened
     */
    public int closeCode() {
        return closeCode;
    }
}
