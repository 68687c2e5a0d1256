package ai.alo.audio;

/**
 * The root of every exception the ALO audio client throws. Unchecked.
 *
 * <p>Messages are written for the person reading the log: they say what failed and, where it helps, what to do. They
 * never contain the user auth token.
 *
 * @since 0.1
 */
public class AloAudioException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates an exception with a message.
     *
     * @param message the readable message
     */
    public AloAudioException(String message) {
        super(message);
    }

    /**
     * Creates an exception with a message and a cause.
     *
     * @param message the readable message
     * @param cause   the underlying failure, or null
     */
    public AloAudioException(String message, Throwable cause) {
        super(message, cause);
    }
}
