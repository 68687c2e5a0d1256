package ai.alo.audio.impl.media;

/**
 * Converts a stream of mono samples from one sample rate to another with a windowed-sinc interpolator (Kaiser window,
 * {@value #ZERO_CROSSINGS} zero crossings each side, pass band up to 90 % of the lower Nyquist frequency). Used once
 * per WAV file when it is added, never on a media thread. Input is pushed in blocks; output goes to a {@link Sink} as
 * soon as the input it depends on has arrived. The first output sample is aligned with the first input sample (no
 * delay), and {@code round(n * to / from)} samples come out for {@code n} in; samples before the start and after the
 * end count as silence.
 *
 * <p>Not thread-safe: one instance converts one stream on one thread.
 */
final class Resampler {

    /** Where the converted samples go. */
    @FunctionalInterface
    interface Sink {
        /**
         * One converted sample relative to full scale.
         *
         * @param value the sample, nominally -1 to 1
         */
        void accept(double value);
    }

    static final int ZERO_CROSSINGS = 10;
    private static final int STEPS = 512;
    private static final double BETA = 8.0;
    private static final double PASS_BAND = 0.9;
    private static final float[] KERNEL = kernel();

    private final long from;
    private final long to;
    private final double cutoff;
    private final int half;
    private final Sink sink;

    /** Input samples from index {@code bufStart} (absolute) on. */
    private float[] buf = new float[8192];
    private long bufStart;
    private int bufLen;
    private long inputCount;
    private long nextOut;

    /**
     * Creates a converter.
     *
     * @param fromRate the input's sample rate
     * @param toRate   the output's sample rate
     * @param sink     receives the output
     */
    Resampler(int fromRate, int toRate, Sink sink) {
        if (fromRate <= 0 || toRate <= 0) {
            throw new IllegalArgumentException("sample rates must be positive: " + fromRate + " -> " + toRate);
        }
        this.from = fromRate;
        this.to = toRate;
        this.sink = sink;
        this.cutoff = PASS_BAND * Math.min(1.0, (double) toRate / fromRate);
        this.half = (int) Math.ceil(ZERO_CROSSINGS / cutoff) + 1;
    }

    /**
     * Adds input samples and emits every output sample that can now be computed.
     *
     * @param samples mono samples relative to full scale
     * @param offset  the first
     * @param count   how many
     */
    void push(float[] samples, int offset, int count) {
        if (from == to) {
            for (int i = 0; i < count; i++) {
                sink.accept(samples[offset + i]);
            }
            inputCount += count;
            nextOut += count;
            return;
        }
        if (bufLen + count > buf.length) {
            float[] bigger = new float[Math.max(buf.length * 2, bufLen + count)];
            System.arraycopy(buf, 0, bigger, 0, bufLen);
            buf = bigger;
        }
        System.arraycopy(samples, offset, buf, bufLen, count);
        bufLen += count;
        inputCount += count;
        produce(false);
    }

    /** Emits the rest of the output: the input has ended. */
    void finish() {
        if (from != to) {
            produce(true);
        }
    }

    /**
     * How many output samples {@code inputSamples} input samples give.
     *
     * @param inputSamples the input length
     * @param fromRate     the input's rate
     * @param toRate       the output's rate
     * @return {@code round(inputSamples * toRate / fromRate)}
     */
    static long outputLength(long inputSamples, int fromRate, int toRate) {
        return (inputSamples * toRate + fromRate / 2) / fromRate;
    }

    private void produce(boolean ended) {
        long total = outputLength(inputCount, (int) from, (int) to);
        while (true) {
            if (ended && nextOut >= total) {
                break;
            }
            long position = nextOut * from;
            long center = position / to;
            double fraction = (double) (position % to) / to;
            if (!ended && center + half >= inputCount) {
                break;
            }
            sink.accept(interpolate(center, fraction) * cutoff);
            nextOut++;
        }
        long keepFrom = Math.max(0, nextOut * from / to - half);
        int drop = (int) Math.min(bufLen, keepFrom - bufStart);
        if (drop > 0) {
            System.arraycopy(buf, drop, buf, 0, bufLen - drop);
            bufLen -= drop;
            bufStart += drop;
        }
    }

    private double interpolate(long center, double fraction) {
        double sum = 0;
        long first = Math.max(center - half + 1, bufStart);
        long last = Math.min(center + half, inputCount - 1);
        for (long k = first; k <= last; k++) {
            double u = Math.abs((center - k) + fraction) * cutoff;
            if (u >= ZERO_CROSSINGS) {
                continue;
            }
            double position = u * STEPS;
            int i = (int) position;
            double weight = KERNEL[i] + (KERNEL[i + 1] - KERNEL[i]) * (position - i);
            sum += buf[(int) (k - bufStart)] * weight;
        }
        return sum;
    }

    /** sinc(u) times a Kaiser window, for u from 0 to ZERO_CROSSINGS in STEPS steps per unit (plus a guard entry). */
    private static float[] kernel() {
        int n = ZERO_CROSSINGS * STEPS;
        float[] table = new float[n + 2];
        double norm = besselI0(BETA);
        for (int i = 0; i <= n; i++) {
            double u = (double) i / STEPS;
            double sinc = i == 0 ? 1.0 : Math.sin(Math.PI * u) / (Math.PI * u);
            double x = u / ZERO_CROSSINGS;
            double window = besselI0(BETA * Math.sqrt(Math.max(0, 1 - x * x))) / norm;
            table[i] = (float) (sinc * window);
        }
        table[n + 1] = 0;
        return table;
    }

    private static double besselI0(double x) {
        double sum = 1;
        double term = 1;
        for (int k = 1; k < 50; k++) {
            term *= (x / (2 * k)) * (x / (2 * k));
            sum += term;
            if (term < 1e-12 * sum) {
                break;
            }
        }
        return sum;
    }
}
