package ai.alo.audio.impl.media;

/**
 * The client's media engine: makes one {@link MediaSession} per connected channel. The state machine reaches media
 * only through this interface and {@link MediaSession}, so that the engine can be replaced (or moved to another
 * process) without touching it. One engine per runtime, shared by its clients, closed when the runtime ends.
 *
 * <p>Thread-safe.
 */
public interface MediaEngine extends AutoCloseable {

    /**
     * Opens a media session that speaks from and plays into {@code audio}.
     *
     * @param audio    the session's input and output (closed by the media session when it closes)
     * @param listener told when the session connects and when it fails
     * @return the session, not yet negotiated
     * @throws MediaUnavailableException if native media cannot run here (the message says what is missing and how to
     *                                   install it) or the engine could not start
     */
    MediaSession open(AudioSession audio, MediaSession.Listener listener);

    /**
     * Starts the engine if it has not started (the first call loads the native library), so that a client can tell
     * at once whether media can run here. Tried once: a failure is kept and thrown again by every later call and by
     * {@link #open}.
     *
     * @throws MediaUnavailableException if native media cannot run here (the message says what is missing and how to
     *                                   install it) or the engine could not start
     */
    void checkAvailable();

    /**
     * Closes every session still open, then the engine. Idempotent.
     */
    @Override
    void close();
}
