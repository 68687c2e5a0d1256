package ai.alo.audio.impl.media;

import ai.alo.audio.media.MediaDevice;

/**
 * An input that plays a WAV file, converted to 48 kHz mono 16-bit when the device was added ({@link WavDecoder}).
 * It plays from the start whenever it goes from unused to used (a client starts speaking from it and no other client
 * was); at the end it sends silence, or starts over without a gap if it loops.
 */
final class WavInput extends InputDevice {

    private final short[] samples;
    private final boolean loop;
    /** Set by {@link #start()}: the next frame starts from the beginning. */
    private volatile boolean rewind;
    // only nextFrame() touches it, under the frame lock of InputDevice
    private int position;

    WavInput(MediaDevice device, short[] samples, boolean loop) {
        super(device);
        this.samples = samples;
        this.loop = loop;
    }

    @Override
    void start() {
        rewind = true;
    }

    @Override
    byte[] nextFrame() {
        if (rewind) {
            rewind = false;
            position = 0;
        }
        int length = samples.length;
        int at = position;
        if (length == 0 || (!loop && at >= length)) {
            return Pcm.SILENT_FRAME;
        }
        byte[] frame = new byte[Pcm.FRAME_BYTES];
        int filled = 0;
        while (filled < Pcm.FRAME_SAMPLES) {
            if (at >= length) {
                if (!loop) {
                    break;
                }
                at = 0;
            }
            int n = Math.min(Pcm.FRAME_SAMPLES - filled, length - at);
            Pcm.toBytes(samples, at, n, frame, 2 * filled);
            filled += n;
            at += n;
        }
        position = at;
        return frame;
    }

    /**
     * The converted length.
     *
     * @return the number of 48 kHz samples
     */
    int length() {
        return samples.length;
    }
}
