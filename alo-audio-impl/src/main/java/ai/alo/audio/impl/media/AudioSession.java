package ai.alo.audio.impl.media;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The audio side of one client's media session: the seam between the devices and the media engine. Made by {@link
 * ClientAudio#startSession(String)} when the client's WebRTC session starts, closed when it ends.
 *
 * <h2>Sending: {@link #nextFrame(long)}</h2>
 * <p>The engine's single pacer thread calls it once per 10 ms tick for each session and pushes the result into the
 * session's send track. It returns the frame of the client's current input for that tick (shared with the other
 * clients that use the same input in that tick). A switch of the input ({@link ClientAudio#changeInput}) takes effect
 * at the next tick: the call that starts after {@code changeInput} returns gets a frame of the new input, none of the
 * old one, and no tick is skipped.
 *
 * <h2>Receiving: {@link #accept(byte[])}</h2>
 * <p>The engine calls it with each received 10 ms frame, on a native thread that must never wait. It numbers the
 * frame (from 0 in this session), stamps it with the client's name, the channel and the time, and hands it to the
 * client's current output, which queues it for an event thread (or a playback thread) and returns. It never blocks on
 * the application and never throws; a frame of the wrong length is dropped and counted.
 *
 * <h2>Closing</h2>
 * <p>{@link #close()} releases the input (a capture line's reader thread stops when no session uses it) and the
 * output (an exclusive output becomes free; a WAV recorder's file is completed, with every frame accepted before).
 * Idempotent. After it, {@code nextFrame} returns silence and {@code accept} drops what it gets.
 *
 * <p>Thread-safe.
 */
public final class AudioSession implements AutoCloseable {

    private final ClientAudio client;
    private final String channelId;
    private final AtomicLong sequence = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    // written under the client's lock, read without a lock by the pacer and the engine's thread
    private volatile InputDevice input;
    private volatile OutputBinding output;
    private volatile boolean closed;

    AudioSession(ClientAudio client, String channelId) {
        this.client = client;
        this.channelId = channelId;
    }

    /**
     * The next frame to send, for the pacer thread.
     *
     * @param tick the pacer's tick number; the same tick gives the same frame
     * @return 960 bytes of 48 kHz mono 16-bit little-endian PCM; read-only (shared with other sessions): do not
     *         write into it
     */
    public byte[] nextFrame(long tick) {
        InputDevice current = input;
        if (closed || current == null) {
            return Pcm.SILENT_FRAME;
        }
        return current.frame(tick);
    }

    /**
     * A received frame, from the media engine's thread. Never blocks, never throws.
     *
     * @param pcm 960 bytes of 48 kHz mono 16-bit little-endian PCM; the caller may reuse the array once this returns
     */
    public void accept(byte[] pcm) {
        if (closed) {
            return;
        }
        if (pcm == null || pcm.length != Pcm.FRAME_BYTES) {
            rejected.incrementAndGet();
            return;
        }
        long number = sequence.getAndIncrement();
        OutputBinding current = output;
        if (current != null) {
            current.deliver(number, pcm);
        }
    }

    /**
     * The channel this session carries audio for.
     *
     * @return the channel id
     */
    public String channelId() {
        return channelId;
    }

    /**
     * The id of the input this session speaks from now.
     *
     * @return the device id
     */
    public String inputId() {
        InputDevice current = input;
        return current == null ? "" : current.device().id();
    }

    /**
     * The id of the output this session plays into now.
     *
     * @return the device id
     */
    public String outputId() {
        OutputBinding current = output;
        return current == null ? "" : current.device().device().id();
    }

    /**
     * How many frames {@link #accept(byte[])} took in this session (the next frame's sequence number).
     *
     * @return the count
     */
    public long framesReceived() {
        return sequence.get();
    }

    /**
     * How many frames {@link #accept(byte[])} dropped because they were not 960 bytes.
     *
     * @return the count
     */
    public long framesRejected() {
        return rejected.get();
    }

    /**
     * Whether the session was closed.
     *
     * @return {@code true} once closed
     */
    public boolean isClosed() {
        return closed;
    }

    /** Ends the session and releases its input and output. Idempotent. */
    @Override
    public void close() {
        client.sessionEnded(this);
    }

    ClientAudio client() {
        return client;
    }

    InputDevice input() {
        return input;
    }

    OutputBinding output() {
        return output;
    }

    /** Called under the client's lock: the first input and output. */
    void begin(InputDevice firstInput, OutputBinding firstOutput) {
        this.input = firstInput;
        this.output = firstOutput;
    }

    /**
     * Called under the client's lock: uses {@code next} from the next tick on.
     *
     * @throws ai.alo.audio.media.AudioDeviceException if {@code next} cannot start; the old input stays
     */
    void switchInput(InputDevice next) {
        InputDevice old = input;
        if (old == next) {
            return;
        }
        next.acquire();
        input = next;
        if (old != null) {
            old.release();
        }
    }

    /**
     * Called under the client's lock: plays into {@code next} from the next frame on.
     *
     * @throws ai.alo.audio.media.AudioDeviceException if {@code next} is busy or cannot open; the old output stays
     */
    void switchOutput(OutputDevice next) {
        OutputBinding old = output;
        if (old != null && old.device() == next) {
            return;
        }
        OutputBinding binding = next.bind(this);
        output = binding;
        if (old != null) {
            old.close();
        }
    }

    /** Called under the client's lock, once: releases the input and the output. */
    void end() {
        closed = true;
        InputDevice in = input;
        OutputBinding out = output;
        if (in != null) {
            in.release();
        }
        if (out != null) {
            out.close();
        }
    }

    @Override
    public String toString() {
        return "AudioSession[client=" + client.clientName() + ", channel=" + channelId + ", input=" + inputId()
                + ", output=" + outputId() + (closed ? ", closed" : "") + "]";
    }
}
