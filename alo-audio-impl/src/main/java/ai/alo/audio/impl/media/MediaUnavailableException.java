package ai.alo.audio.impl.media;

import ai.alo.audio.AloAudioException;

/**
 * Native media cannot run in this JVM, or the media engine could not start. The message names what is missing and how
 * to install it (for example {@code libpulse0}); it is the message of the connect's {@code MEDIA_FAILED} event.
 */
public final class MediaUnavailableException extends AloAudioException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what is missing and what to do
     * @param cause   the underlying failure, or null
     */
    public MediaUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
