package ai.alo.audio.impl.ws;

/**
 * Receives what happens on a {@link SignallingConnection}. Called on the transport's I/O threads; implementations
 * must not block.
 */
public interface SignallingHandler {

    /** The WebSocket is open; may be called before {@link SignallingConnection#open()} returns. */
    void onOpen();

    /**
     * A text message arrived.
     *
     * @param text the message
     */
    void onText(String text);

    /** A binary message arrived (not allowed by protocol version 1). */
    void onBinary();

    /**
     * The WebSocket closed: by the peer, by the network (code 1006), or by a local {@link
     * SignallingConnection#close(int, String)}.
     *
     * @param code   the close code
     * @param phrase the close reason phrase, possibly empty
     */
    void onClosed(int code, String phrase);

    /**
     * The transport reported an error; a close usually follows.
     *
     * @param error the error
     */
    void onError(Throwable error);
}
