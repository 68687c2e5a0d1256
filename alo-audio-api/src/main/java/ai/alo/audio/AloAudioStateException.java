package ai.alo.audio;

/**
 * A call is not allowed in the client's current {@link ConnectionState}: the client was {@linkplain AloAudio#close()
 * closed}, or {@code connect()} named another channel while a connection is active.
 *
 * @since 0.1
 */
public class AloAudioStateException extends AloAudioException {

    private static final long serialVersionUID = 1L;

    private final ConnectionState state;

    /**
     * Creates the exception.
     *
     * @param message what was attempted and why it is not allowed
     * @param state   the state the client was in
     */
    public AloAudioStateException(String message, ConnectionState state) {
        super(message);
        this.state = state;
    }

    /**
     * The state the client was in when the call was refused.
     *
     * @return the state
     */
    public ConnectionState state() {
        return state;
    }
}
