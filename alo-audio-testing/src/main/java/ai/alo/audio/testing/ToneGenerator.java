package ai.alo.audio.testing;

/**
 * Sine frames in the project's audio format: 48 kHz, mono, signed 16-bit little-endian PCM, 10 ms (480 samples, 960
 * bytes) per frame.
 *
 * <p>An instance keeps its phase, so consecutive {@link #nextFrame()} calls give one continuous tone; it is
 * thread-safe (calls are serialized) but meant for one producer, such as a pacer thread. {@link #frame} is the
 * stateless form: frame number {@code n} of a tone that started at sample 0.
 */
public final class ToneGenerator {

    /** Samples per second. */
    public static final int SAMPLE_RATE = 48_000;
    /** Samples per 10 ms frame. */
    public static final int FRAME_SAMPLES = 480;
    /** Bytes per 10 ms frame. */
    public static final int FRAME_BYTES = 2 * FRAME_SAMPLES;

    private final double frequencyHz;
    private final double amplitude;
    private long nextSample;

    /**
     * A tone generator.
     *
     * @param frequencyHz the frequency, above 0 and below 24 kHz
     * @param amplitude   the peak amplitude as a fraction of full scale, 0 to 1
     * @throws IllegalArgumentException when either is out of range
     */
    public ToneGenerator(double frequencyHz, double amplitude) {
        checkArguments(frequencyHz, amplitude);
        this.frequencyHz = frequencyHz;
        this.amplitude = amplitude;
    }

    /**
     * The next 10 ms of the tone, continuing the phase of the previous frame.
     *
     * @return a new 960-byte array
     */
    public synchronized byte[] nextFrame() {
        byte[] frame = render(frequencyHz, amplitude, nextSample);
        nextSample += FRAME_SAMPLES;
        return frame;
    }

    /**
     * Frame number {@code index} of a tone that started at sample 0.
     *
     * @param frequencyHz the frequency, above 0 and below 24 kHz
     * @param amplitude   the peak amplitude as a fraction of full scale, 0 to 1
     * @param index       the frame number, from 0
     * @return a new 960-byte array
     * @throws IllegalArgumentException when an argument is out of range
     */
    public static byte[] frame(double frequencyHz, double amplitude, long index) {
        checkArguments(frequencyHz, amplitude);
        if (index < 0) {
            throw new IllegalArgumentException("index must not be negative, was " + index);
        }
        return render(frequencyHz, amplitude, index * FRAME_SAMPLES);
    }

    /**
     * 10 ms of silence.
     *
     * @return a new 960-byte array of zeros
     */
    public static byte[] silence() {
        return new byte[FRAME_BYTES];
    }

    /**
     * A frame of one constant sample value (a "DC" frame), handy to check sums and saturation exactly.
     *
     * @param value the sample value, -32768 to 32767
     * @return a new 960-byte array
     */
    public static byte[] constant(int value) {
        if (value < Short.MIN_VALUE || value > Short.MAX_VALUE) {
            throw new IllegalArgumentException("value must be a 16-bit sample, was " + value);
        }
        byte[] frame = new byte[FRAME_BYTES];
        for (int i = 0; i < FRAME_SAMPLES; i++) {
            frame[2 * i] = (byte) value;
            frame[2 * i + 1] = (byte) (value >> 8);
        }
        return frame;
    }

    private static byte[] render(double frequencyHz, double amplitude, long firstSample) {
        byte[] frame = new byte[FRAME_BYTES];
        double step = 2 * Math.PI * frequencyHz / SAMPLE_RATE;
        for (int i = 0; i < FRAME_SAMPLES; i++) {
            // from the sample number, not accumulated: no drift (a double is exact to 1e-9 rad after days of audio)
            double phase = step * (firstSample + i);
            long sample = Math.round(amplitude * Short.MAX_VALUE * Math.sin(phase));
            frame[2 * i] = (byte) sample;
            frame[2 * i + 1] = (byte) (sample >> 8);
        }
        return frame;
    }

    private static void checkArguments(double frequencyHz, double amplitude) {
        if (!(frequencyHz > 0 && frequencyHz < SAMPLE_RATE / 2.0)) {
            throw new IllegalArgumentException("frequencyHz must be above 0 and below 24000, was " + frequencyHz);
        }
        if (!(amplitude >= 0 && amplitude <= 1)) {
            throw new IllegalArgumentException("amplitude must be 0 to 1, was " + amplitude);
        }
    }

    @Override
    public String toString() {
        return "ToneGenerator[" + frequencyHz + " Hz, amplitude " + amplitude + "]";
    }
}
