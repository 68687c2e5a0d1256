package ai.alo.audio;

/**
 * The configuration of an {@link AloAudio} client is missing a value or has a wrong one (for example a server URI
 * that is not {@code ws://} or {@code wss://}). The message names the setting.
 *
 * @since 0.1
 */
public class AloAudioConfigException extends AloAudioException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message names the setting and what is wrong with it
     */
    public AloAudioConfigException(String message) {
        super(message);
    }

    /**
     * Creates the exception with a cause.
     *
     * @param message names the setting and what is wrong with it
     * @param cause   the underlying failure, for example a parse error
     */
    public AloAudioConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
