package ai.alo.audio.impl.media;

import ai.alo.audio.media.AudioDeviceException;
import ai.alo.audio.media.MediaDevice;

/**
 * A source that clients speak from. The pacer asks it for one frame per 10 ms tick ({@link #frame(long)}); the frame
 * of a tick is made once and shared by every client that uses the device in that tick, so a device used by several
 * clients advances once per tick, and a device that nobody uses does not advance at all.
 *
 * <h2>Use</h2>
 * <p>Each media session that speaks from the device holds one {@link #acquire() use}; the first use starts what the
 * device needs (a capture line and its reader thread, the start of a WAV file), the last {@link #release() release}
 * stops it. {@link #close()} (the device was removed, or the runtime ends) stops it for good: further uses fail.
 *
 * <p>Thread-safe. Frames are read-only: neither the device nor the caller writes into a frame once it is returned.
 */
abstract class InputDevice {

    private final MediaDevice device;
    private final Object frameLock = new Object();
    // guarded by frameLock
    private long lastTick = Long.MIN_VALUE;
    private byte[] lastFrame = Pcm.SILENT_FRAME;

    // guarded by this
    private int uses;
    private volatile boolean removed;

    InputDevice(MediaDevice device) {
        this.device = device;
    }

    /**
     * The device as listed.
     *
     * @return the device
     */
    public final MediaDevice device() {
        return device;
    }

    /**
     * The frame of a tick: made on the first call for the tick, the same array for every later call in it.
     *
     * @param tick the pacer's tick number
     * @return 960 bytes of 48 kHz mono 16-bit little-endian PCM; read-only
     */
    final byte[] frame(long tick) {
        synchronized (frameLock) {
            if (tick != lastTick) {
                byte[] next = removed ? Pcm.SILENT_FRAME : nextFrame();
                lastFrame = next;
                lastTick = tick;
            }
            return lastFrame;
        }
    }

    /**
     * Makes the next frame. Called on the pacer thread at most once per tick; must not block.
     *
     * @return a new array, or {@link Pcm#SILENT_FRAME}
     */
    abstract byte[] nextFrame();

    /**
     * Adds a use; the first starts the device.
     *
     * @throws AudioDeviceException if the device was removed or cannot start
     */
    final synchronized void acquire() {
        if (removed) {
            throw new AudioDeviceException(device.id(), "the audio input '" + device.id() + "' was removed");
        }
        if (uses == 0) {
            start();
        }
        uses++;
    }

    /** Ends a use; the last stops the device. Calls beyond the uses are ignored. */
    final synchronized void release() {
        if (uses == 0) {
            return;
        }
        uses--;
        if (uses == 0) {
            stop();
        }
    }

    /**
     * How many media sessions use the device.
     *
     * @return the count
     */
    final synchronized int uses() {
        return uses;
    }

    /** Marks the device removed: later {@link #acquire()} calls fail. Its uses stay until {@link #close()}. */
    final void markRemoved() {
        removed = true;
    }

    /**
     * Whether the device was removed or closed.
     *
     * @return {@code true} once removed
     */
    final boolean isRemoved() {
        return removed;
    }

    /** Stops the device for good and releases what it holds. Idempotent. */
    final void close() {
        synchronized (this) {
            removed = true;
            if (uses > 0) {
                uses = 0;
                stop();
            }
        }
        closed();
    }

    /**
     * Called by the first use. The default does nothing.
     *
     * @throws AudioDeviceException if the device cannot start
     */
    void start() {
    }

    /** Called when the last use ends, or on close while in use. Must not throw. The default does nothing. */
    void stop() {
    }

    /** Called once by {@link #close()}, outside the device's lock. The default does nothing. */
    void closed() {
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + device.id() + "]";
    }
}
