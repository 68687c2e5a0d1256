package ai.alo.audio.impl.media;

import ai.alo.audio.media.PcmFormat;
import java.time.Duration;

/** Constants and conversions of the one PCM format every stream of the module carries ({@link PcmFormat#STANDARD}). */
final class Pcm {

    /** Samples per second. */
    static final int RATE = PcmFormat.STANDARD.sampleRate();
    /** Samples in one 10 ms frame. */
    static final int FRAME_SAMPLES = PcmFormat.STANDARD.frameSamples();
    /** Bytes in one 10 ms frame. */
    static final int FRAME_BYTES = PcmFormat.STANDARD.frameBytes();
    /**
     * One frame of silence. Shared by every silent source: nobody may write into it (frames handed to the pacer are
     * read-only by contract).
     */
    static final byte[] SILENT_FRAME = new byte[FRAME_BYTES];

    private Pcm() {
    }

    /** Writes {@code count} samples as 16-bit little-endian bytes into {@code out} from {@code outOffset}. */
    static void toBytes(short[] samples, int offset, int count, byte[] out, int outOffset) {
        for (int i = 0; i < count; i++) {
            short s = samples[offset + i];
            out[outOffset + 2 * i] = (byte) s;
            out[outOffset + 2 * i + 1] = (byte) (s >> 8);
        }
    }

    /** The sample at index {@code i} of 16-bit little-endian bytes. */
    static short sample(byte[] pcm, int i) {
        return (short) ((pcm[2 * i] & 0xff) | (pcm[2 * i + 1] << 8));
    }

    /** Rounds and clips a sample relative to full scale (-1 to 1) to 16 bits. */
    static short toShort(double value) {
        long v = Math.round(value * 32767.0);
        if (v > Short.MAX_VALUE) {
            return Short.MAX_VALUE;
        }
        if (v < Short.MIN_VALUE) {
            return Short.MIN_VALUE;
        }
        return (short) v;
    }

    /** The duration of {@code samples} samples at 48 kHz. */
    static Duration duration(long samples) {
        return Duration.ofNanos(samples * 1_000_000_000L / RATE);
    }

    /** How many 48 kHz samples {@code duration} holds, to the millisecond. */
    static long samples(Duration duration) {
        return duration.toMillis() * (RATE / 1000);
    }
}
