package ai.alo.audio.impl.ws;

import java.util.concurrent.CompletableFuture;

/**
 * One WebSocket to the audio service, owned by one connection attempt: made by
 * {@link WebSocketTransport#connect(ConnectSpec, SignallingListener)}, started and closed by its owner. Not reusable.
 *
 * <p>All methods are thread-safe and never block.
 */
public interface SignallingConnection {

    /**
     * Starts connecting: Tyrus's blocking connect is handed to one of the runtime's connect threads. Called once, by
     * the owner, after it has stored this connection (so that no event can arrive before the owner knows it).
     *
     * @throws java.util.concurrent.RejectedExecutionException if the runtime is closed or no thread can be started
     */
    void start();

    /**
     * Sends a text message. Written on the calling thread when the socket takes it at once, else queued.
     *
     * @param text     the message
     * @param callback told the outcome (may run on the calling thread); a connection that is not open fails it
     */
    void send(String text, SendCallback callback);

    /**
     * Starts the closing handshake: sends a close frame with the code, ends the output, and closes the socket when
     * the peer has closed too or the linger of {@link ConnectSpec#closeLinger()} has passed. While the WebSocket is not
     * open yet this is {@link #abort()}. Idempotent.
     *
     * @param code   the close code
     * @param reason the reason phrase (cut to 123 bytes)
     */
    void close(int code, String reason);

    /**
     * Closes the socket now, without a close frame. A connect still in its handshake fails at once (the connecting
     * thread is released) and reports nothing to the listener. Idempotent.
     */
    void abort();

    /**
     * Reads whatever has already arrived on the socket, on its I/O thread (the listener gets it as usual), then runs
     * {@code then} there. Runs {@code then} at once when the socket is gone.
     *
     * @param then the continuation; must not block
     */
    void readPending(Runnable then);

    /**
     * Whether the WebSocket is open.
     *
     * @return {@code true} between the handshake and the close
     */
    boolean isOpen();

    /**
     * Completes when the connection holds nothing any more: the socket's descriptor is released (or no socket was
     * opened) and the connecting thread has returned.
     *
     * @return the future; never fails
     */
    CompletableFuture<Void> released();

    /** The outcome of a {@link #send(String, SendCallback)}. */
    interface SendCallback {

        /** The message was handed to the socket. */
        default void sent() {
        }

        /**
         * The message could not be sent.
         *
         * @param cause why
         */
        void failed(Throwable cause);
    }
}
