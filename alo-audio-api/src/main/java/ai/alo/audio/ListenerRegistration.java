package ai.alo.audio;

/**
 * The handle of a listener added with {@link AloAudio#addListener(AloAudioListener)}.
 *
 * @since 0.1
 */
@FunctionalInterface
public interface ListenerRegistration extends AutoCloseable {

    /**
     * Removes the listener. Events already being delivered to it may still arrive; none queued after this call
     * does. Idempotent.
     */
    @Override
    void close();
}
