package ai.alo.audio.media;

/**
 * The application's end of a PCM output device ({@link AudioDevices#addPcmOutput}): receives the audio a client
 * hears, frame by frame.
 *
 * <h2>Threading</h2>
 * <p>Calls come from an event thread of the runtime, one at a time per output and in order, never from the media
 * engine's own thread: a listener that is slow does not stall the media. Each output has a bounded queue of one
 * second of frames; when the listener falls behind by more, the oldest frames are dropped, and the listener is told
 * how many with {@link #onFramesLost(long)} before the next frame it gets. A listener that throws is logged and keeps
 * getting frames.
 *
 * @since 0.2
 */
@FunctionalInterface
public interface AudioFrameListener {

    /**
     * A frame arrived.
     *
     * @param frame the frame; its buffer stays valid after the call
     */
    void onFrame(AudioFrame frame);

    /**
     * Frames were dropped because this listener fell behind; called before the next {@link #onFrame(AudioFrame)}.
     *
     * @param count how many frames were dropped since the last call
     */
    default void onFramesLost(long count) {
    }
}
