package ai.alo.audio.impl.media;

/**
 * One media session playing into one output device: the session's current output. Frames that arrive through a
 * closed binding are dropped.
 *
 * <p>Thread-safe.
 */
final class OutputBinding {

    private final OutputDevice device;
    private final AudioSession session;
    private volatile boolean closed;

    OutputBinding(OutputDevice device, AudioSession session) {
        this.device = device;
        this.session = session;
    }

    OutputDevice device() {
        return device;
    }

    AudioSession session() {
        return session;
    }

    /**
     * Hands a received frame to the device (never blocks).
     *
     * @param sequence the frame's number in the session
     * @param pcm      960 bytes, copied if kept
     */
    void deliver(long sequence, byte[] pcm) {
        if (!closed) {
            device.deliver(this, sequence, pcm);
        }
    }

    boolean isClosed() {
        return closed;
    }

    void markClosed() {
        closed = true;
    }

    /** Stops using the device. Idempotent. */
    void close() {
        closed = true;
        device.unbind(this);
    }
}
