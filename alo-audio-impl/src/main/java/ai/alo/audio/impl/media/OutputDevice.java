package ai.alo.audio.impl.media;

import ai.alo.audio.media.AudioDeviceException;
import ai.alo.audio.media.MediaDevice;
import java.util.ArrayList;
import java.util.List;

/**
 * A sink that clients play received audio into. A media session that plays into the device holds one {@link
 * OutputBinding} ({@link #bind}); the media engine hands each received frame to the binding, which stamps it and
 * passes it to {@link #deliver}, on the engine's thread: {@code deliver} must never block.
 *
 * <h2>Sharing</h2>
 * <p>A shared device takes any number of bindings; an exclusive one (a WAV recorder, a Java Sound playback line) one
 * at a time, and {@link #bind} fails with {@link AudioDeviceException} while another client holds it. The first
 * binding opens what the device needs ({@link #opened}), the last one to end closes it ({@link #idle}); {@link
 * #close()} (removed, or the runtime ends) ends every binding and the device for good.
 *
 * <p>Thread-safe.
 */
abstract class OutputDevice {

    private final MediaDevice device;
    private final boolean exclusive;
    // guarded by this
    private final List<OutputBinding> bindings = new ArrayList<>();
    private volatile boolean removed;

    OutputDevice(MediaDevice device, boolean exclusive) {
        this.device = device;
        this.exclusive = exclusive;
    }

    /**
     * The device as listed.
     *
     * @return the device
     */
    final MediaDevice device() {
        return device;
    }

    /**
     * Whether the device serves one client at a time.
     *
     * @return {@code true} if exclusive
     */
    final boolean exclusive() {
        return exclusive;
    }

    /**
     * Starts playing a session's audio into this device.
     *
     * @param session the session
     * @return the binding, which the session closes when it stops using the device
     * @throws AudioDeviceException if the device was removed, is exclusive and held by another client, or cannot open
     */
    final OutputBinding bind(AudioSession session) {
        synchronized (this) {
            if (removed) {
                throw new AudioDeviceException(device.id(), "the audio output '" + device.id() + "' was removed");
            }
            if (exclusive && !bindings.isEmpty()) {
                throw busy(bindings.get(0).session().client());
            }
            OutputBinding binding = new OutputBinding(this, session);
            if (bindings.isEmpty()) {
                opened(binding);
            }
            bindings.add(binding);
            return binding;
        }
    }

    /**
     * Ends a binding; the last one makes the device idle. Idempotent.
     *
     * @param binding the binding
     */
    final void unbind(OutputBinding binding) {
        synchronized (this) {
            if (!bindings.remove(binding)) {
                return;
            }
            if (bindings.isEmpty()) {
                idle();
            }
        }
    }

    /**
     * Checks whether {@code client} could bind this device now.
     *
     * @param client the client that wants it
     * @throws AudioDeviceException if the device is exclusive and another client holds it, or was removed
     */
    final synchronized void checkAvailableTo(ClientAudio client) {
        if (removed) {
            throw new AudioDeviceException(device.id(), "the audio output '" + device.id() + "' was removed");
        }
        if (exclusive && !bindings.isEmpty() && bindings.get(0).session().client() != client) {
            throw busy(bindings.get(0).session().client());
        }
    }

    /**
     * How many sessions play into the device.
     *
     * @return the count
     */
    final synchronized int bindings() {
        return bindings.size();
    }

    private AudioDeviceException busy(ClientAudio holder) {
        return new AudioDeviceException(device.id(), "the audio output '" + device.id() + "' serves one client at a "
                + "time and client '" + holder.clientName() + "' is using it");
    }

    /** Marks the device removed: later {@link #bind} calls fail. Bindings stay until {@link #close()}. */
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

    /** Ends every binding and releases what the device holds. Idempotent. */
    final void close() {
        synchronized (this) {
            removed = true;
            if (!bindings.isEmpty()) {
                for (OutputBinding binding : bindings) {
                    binding.markClosed();
                }
                bindings.clear();
                idle();
            }
        }
        closed();
    }

    /**
     * A frame for this device, on the media engine's thread: hand it off and return, never block.
     *
     * @param binding  the binding it came through
     * @param sequence the frame's number in its media session
     * @param pcm      960 bytes; the caller may reuse the array after this returns, so copy what is kept
     */
    abstract void deliver(OutputBinding binding, long sequence, byte[] pcm);

    /**
     * Called under the device's lock by the first binding. The default does nothing.
     *
     * @param first the binding
     * @throws AudioDeviceException if the device cannot open
     */
    void opened(OutputBinding first) {
    }

    /** Called under the device's lock when the last binding ended (or on close). Must not throw. */
    void idle() {
    }

    /** Called once by {@link #close()}, outside the device's lock. */
    void closed() {
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + device.id() + "]";
    }
}
