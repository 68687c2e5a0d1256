package ai.alo.audio.media;

/**
 * The shape of PCM audio: signed little-endian samples of {@code bitsPerSample} bits, {@code channels} interleaved
 * channels, {@code sampleRate} samples per second per channel. Named {@code PcmFormat}, not {@code AudioFormat}, so as
 * not to clash with {@code javax.sound.sampled.AudioFormat}.
 *
 * @param sampleRate    samples per second per channel, 8,000 to 192,000
 * @param channels      1 or 2
 * @param bitsPerSample 8, 16, 24 or 32
 * @since 0.2
 */
public record PcmFormat(int sampleRate, int channels, int bitsPerSample) {

    /** What every stream of this module carries: 48 kHz, mono, 16 bits. */
    public static final PcmFormat STANDARD = new PcmFormat(48_000, 1, 16);

    /** The length of one frame, the unit in which audio moves: 10 ms. */
    public static final int FRAME_MILLIS = 10;

    /**
     * Validates the components.
     *
     * @throws IllegalArgumentException if a component is out of range
     */
    public PcmFormat {
        if (sampleRate < 8_000 || sampleRate > 192_000) {
            throw new IllegalArgumentException("sampleRate must be 8000 to 192000 Hz, not " + sampleRate);
        }
        if (channels != 1 && channels != 2) {
            throw new IllegalArgumentException("channels must be 1 or 2, not " + channels);
        }
        if (bitsPerSample != 8 && bitsPerSample != 16 && bitsPerSample != 24 && bitsPerSample != 32) {
            throw new IllegalArgumentException("bitsPerSample must be 8, 16, 24 or 32, not " + bitsPerSample);
        }
    }

    /**
     * Samples per channel in one 10 ms frame ({@code 480} for {@link #STANDARD}).
     *
     * @return the count
     */
    public int frameSamples() {
        return sampleRate / (1000 / FRAME_MILLIS);
    }

    /**
     * Bytes in one 10 ms frame ({@code 960} for {@link #STANDARD}).
     *
     * @return the count
     */
    public int frameBytes() {
        return frameSamples() * channels * (bitsPerSample / 8);
    }
}
