package ai.alo.audio.impl.ws;

import java.util.concurrent.CompletableFuture;

/**
 * One WebSocket connection to the audio service, owned by one connection attempt. Not reusable: {@link #open()} at
 * most once, {@link #release(long)} exactly once.
 */
public interface SignallingConnection {

    /**
     * Opens the WebSocket, sending the user auth token in the {@code Authorization} header. Blocks until the
     * handshake completes or fails. Interruptible.
     *
     * @throws TransportException   with a readable message when the server cannot be reached or refuses the
     *                              handshake
     * @throws InterruptedException when the calling thread is interrupted (the attempt was cancelled)
     */
    void open() throws TransportException, InterruptedException;

    /**
     * Closes the socket and its transport at once, without waiting for the peer: aborts an {@link #open()} still in
     * its handshake, or ends a connection whose peer does not answer the closing handshake. Never throws.
     */
    void abort();

    /**
     * Sends a text message asynchronously.
     *
     * @param text the message
     * @return completes when the message was written; fails when the connection is not open
     */
    CompletableFuture<Void> send(String text);

    /**
     * Whether the WebSocket is open.
     *
     * @return {@code true} when open
     */
    boolean isOpen();

    /**
     * Starts the closing handshake with a code, if the WebSocket is open. Idempotent; never throws; does not wait
     * for the peer.
     *
     * @param code   the close code
     * @param reason the reason phrase (at most 123 bytes)
     */
    void close(int code, String reason);

    /**
     * Releases everything the connection holds: closes the socket if it is still open and stops the transport's
     * executors. Does not wait: every thread of the connection came from the owner's thread factory, and the owner
     * waits for them.
     */
    void release();
}
