package ai.alo.audio.impl.media;

import java.util.concurrent.CompletableFuture;

/**
 * One WebRTC audio session of a connection: sends the frames of its {@link AudioSession}'s input every 10 ms and
 * hands what it receives to its output. Negotiated as the offerer: {@link #createOffer()}, then
 * {@link #acceptAnswer(String)}; the {@link Listener} hears when it connects and when it fails.
 *
 * <p>Thread-safe.
 */
public interface MediaSession {

    /** What becomes of a session. Calls come from the engine's own thread, in order, never while a lock of the
     *  client is held; a listener must not block. */
    interface Listener {

        /** ICE and DTLS are done: audio flows both ways. At most once. */
        void onConnected();

        /**
         * The session failed (before or after it connected) and carries no audio any more. At most once; nothing
         * follows.
         *
         * @param message a readable explanation, without secrets
         */
        void onFailed(String message);
    }

    /**
     * Creates the complete offer (every ICE candidate in it).
     *
     * @return the session description; fails with a readable exception
     */
    CompletableFuture<String> createOffer();

    /**
     * Applies the service's answer.
     *
     * @param sdp the answer
     * @return completes when applied; fails with a readable exception
     */
    CompletableFuture<Void> acceptAnswer(String sdp);

    /**
     * Stops sending at once: no frame is sent after this returns. Idempotent; cheap; any thread.
     */
    void stopSending();

    /**
     * Stops sending, closes the peer connection in the order the native library needs, and releases the audio
     * session's input and output. After it returns, no frame is sent or delivered and the listener is not called.
     * Idempotent. Blocks for the peer connection's close (typically 7-35 ms): not for a socket I/O thread, see
     * {@link #closeLater()}.
     *
     * @return nanoseconds it took
     */
    long close();

    /**
     * Stops sending at once and closes the rest on another thread; for callers that must not block.
     *
     * @return completes when closed
     */
    CompletableFuture<Void> closeLater();
}
