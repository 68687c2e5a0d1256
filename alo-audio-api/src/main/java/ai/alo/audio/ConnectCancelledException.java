package ai.alo.audio;

/**
 * A pending {@link AloAudio#connect(AudioChannel) connect} was cancelled by {@link AloAudio#disconnect()} or
 * {@link AloAudio#close()} before it completed. Distinct from every failure: nothing went wrong, the application
 * changed its mind.
 *
 * @since 0.1
 */
public class ConnectCancelledException extends AloConnectException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message   the readable message
     * @param reason    {@link DisconnectReason#CLIENT_INITIATED} or {@link DisconnectReason#CLIENT_SHUTDOWN}
     * @param closeCode the close code sent, or 0 when no WebSocket was open yet
     */
    public ConnectCancelledException(String message, DisconnectReason reason, int closeCode) {
        super(message, reason, closeCode, null);
    }
}
