package ai.alo.audio.impl.ws;

/**
 * Receives what happens on one {@link SignallingConnection}. Called on the runtime's socket I/O thread, except where
 * stated; implementations must not block.
 */
public interface SignallingListener {

    /** The WebSocket is open (handshake accepted). */
    void onOpen();

    /**
     * A text message arrived.
     *
     * @param text the message
     */
    void onText(String text);

    /** A binary message arrived (not part of the protocol). */
    void onBinary();

    /**
     * The open WebSocket closed: by the peer's close frame, by the network (code 1006), or by a local close. May be
     * called on the thread that called {@link SignallingConnection#close(int, String)}.
     *
     * @param code   the close code
     * @param phrase the close reason phrase, possibly empty
     */
    void onClosed(int code, String phrase);

    /**
     * The WebSocket could not be opened. Called once, on the connecting thread, unless the connection was
     * {@linkplain SignallingConnection#abort() aborted} first.
     *
     * @param failure what went wrong, with a readable message that never contains the token
     */
    void onConnectFailed(TransportException failure);
}
