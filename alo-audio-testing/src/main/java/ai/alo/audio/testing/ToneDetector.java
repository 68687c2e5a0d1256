package ai.alo.audio.testing;

import java.util.Objects;

/**
 * Measures signed 16-bit little-endian mono PCM: level, the dominant frequency (FFT) and the strength of a given
 * frequency (Goertzel). The static methods analyse one buffer; an instance collects a stream of frames (for example
 * from an audio sink, on the thread that delivers them) and analyses the most recent {@code windowSamples} samples.
 *
 * <p>An instance is thread-safe: {@link #accept} may run on one thread while {@link #snapshot()} runs on another.
 * Accuracy: with the default window (8192 samples, 171 ms at 48 kHz) the FFT's bins are 5.9 Hz apart; parabolic
 * interpolation of the peak gives the frequency of a pure tone to within about 1 Hz.
 */
public final class ToneDetector {

    /**
     * What the detector heard.
     *
     * @param frames      frames accepted so far
     * @param samples     samples accepted so far
     * @param level       RMS of the window, as a fraction of full scale (a full-scale sine is 0.707)
     * @param dominantHz  the dominant frequency of the window, or {@code NaN} when the window is silent (level below
     *                    {@link #SILENCE_LEVEL}) or not yet full
     * @param silentFrames frames whose own level was below {@link #SILENCE_LEVEL}
     */
    public record Snapshot(long frames, long samples, double level, double dominantHz, long silentFrames) {
    }

    /** A level below this (about -60 dBFS) counts as silence. */
    public static final double SILENCE_LEVEL = 0.001;

    /** The default analysis window: 8192 samples. */
    public static final int DEFAULT_WINDOW = 8192;

    private final int sampleRate;
    private final double[] window;
    /** The next index of {@link #window} to write: the oldest sample once the window is full. */
    private int written;
    private long frames;
    private long samples;
    private long silentFrames;

    /** A detector for 48 kHz audio with the default window. */
    public ToneDetector() {
        this(ToneGenerator.SAMPLE_RATE, DEFAULT_WINDOW);
    }

    /**
     * A detector.
     *
     * @param sampleRate    samples per second
     * @param windowSamples how many of the latest samples an analysis covers; a power of two, 256 to 1,048,576
     */
    public ToneDetector(int sampleRate, int windowSamples) {
        if (sampleRate <= 0) {
            throw new IllegalArgumentException("sampleRate must be positive, was " + sampleRate);
        }
        if (windowSamples < 256 || windowSamples > (1 << 20) || Integer.bitCount(windowSamples) != 1) {
            throw new IllegalArgumentException("windowSamples must be a power of two from 256 to 1048576, was "
                    + windowSamples);
        }
        this.sampleRate = sampleRate;
        this.window = new double[windowSamples];
    }

    /**
     * Adds a frame (any whole number of samples).
     *
     * @param pcm signed 16-bit little-endian samples; not kept
     * @throws IllegalArgumentException when its length is odd
     */
    public void accept(byte[] pcm) {
        Objects.requireNonNull(pcm, "pcm");
        if (pcm.length % 2 != 0) {
            throw new IllegalArgumentException("16-bit PCM has an even number of bytes, got " + pcm.length);
        }
        boolean silent = level(pcm) < SILENCE_LEVEL;
        synchronized (this) {
            for (int i = 0; i < pcm.length; i += 2) {
                window[written] = sample(pcm, i) / 32768.0;
                written = (written + 1) % window.length;
            }
            frames++;
            samples += pcm.length / 2;
            if (silent) {
                silentFrames++;
            }
        }
    }

    /**
     * Analyses the latest window.
     *
     * @return what was heard so far
     */
    public Snapshot snapshot() {
        double[] latest;
        long frameCount;
        long sampleCount;
        long silent;
        synchronized (this) {
            frameCount = frames;
            sampleCount = samples;
            silent = silentFrames;
            latest = new double[window.length];
            int start = written;
            for (int i = 0; i < window.length; i++) {
                latest[i] = window[(start + i) % window.length];
            }
        }
        double level = rms(latest);
        double dominant = sampleCount >= window.length && level >= SILENCE_LEVEL
                ? dominantFrequency(latest, sampleRate) : Double.NaN;
        return new Snapshot(frameCount, sampleCount, level, dominant, silent);
    }

    // ---------------------------------------------------------------- one buffer

    /**
     * The RMS level of a buffer as a fraction of full scale (0 for silence, 0.707 for a full-scale sine).
     *
     * @param pcm signed 16-bit little-endian samples
     * @return the level, 0 for an empty buffer
     */
    public static double level(byte[] pcm) {
        int count = pcm.length / 2;
        if (count == 0) {
            return 0;
        }
        double sum = 0;
        for (int i = 0; i + 1 < pcm.length; i += 2) {
            double value = sample(pcm, i) / 32768.0;
            sum += value * value;
        }
        return Math.sqrt(sum / count);
    }

    /**
     * The level in dB relative to full scale (a full-scale sine is -3 dBFS; silence is negative infinity).
     *
     * @param pcm signed 16-bit little-endian samples
     * @return dBFS
     */
    public static double dbfs(byte[] pcm) {
        return 20 * Math.log10(level(pcm));
    }

    /**
     * The amplitude of one frequency in a buffer (Goertzel), as a fraction of full scale: about 0.5 for a sine of
     * amplitude 0.5 at that frequency, near 0 for other frequencies more than a few {@code sampleRate / length}
     * away.
     *
     * @param pcm         signed 16-bit little-endian samples
     * @param frequencyHz the frequency to measure
     * @param sampleRate  samples per second
     * @return the amplitude, 0 for an empty buffer
     */
    public static double amplitudeAt(byte[] pcm, double frequencyHz, int sampleRate) {
        int count = pcm.length / 2;
        if (count == 0) {
            return 0;
        }
        double coefficient = 2 * Math.cos(2 * Math.PI * frequencyHz / sampleRate);
        double previous = 0;
        double beforePrevious = 0;
        for (int i = 0; i + 1 < pcm.length; i += 2) {
            double current = sample(pcm, i) / 32768.0 + coefficient * previous - beforePrevious;
            beforePrevious = previous;
            previous = current;
        }
        double power = previous * previous + beforePrevious * beforePrevious - coefficient * previous * beforePrevious;
        return 2 * Math.sqrt(Math.max(0, power)) / count;
    }

    /**
     * The dominant frequency of a buffer: the strongest bin (20 Hz to half the sample rate) of a Hann-windowed FFT
     * over the largest power-of-two number of samples it holds (at least 256), refined by parabolic interpolation.
     *
     * @param pcm        signed 16-bit little-endian samples, at least 256 of them
     * @param sampleRate samples per second
     * @return the frequency in Hz, or {@code NaN} for a silent buffer (level below {@link #SILENCE_LEVEL})
     * @throws IllegalArgumentException when the buffer holds fewer than 256 samples
     */
    public static double dominantFrequency(byte[] pcm, int sampleRate) {
        int count = pcm.length / 2;
        if (count < 256) {
            throw new IllegalArgumentException("At least 256 samples are needed, got " + count);
        }
        int size = Integer.highestOneBit(count);
        double[] values = new double[size];
        for (int i = 0; i < size; i++) {
            values[i] = sample(pcm, 2 * (count - size + i)) / 32768.0;
        }
        return rms(values) < SILENCE_LEVEL ? Double.NaN : dominantFrequency(values, sampleRate);
    }

    /**
     * The share of a buffer's energy (Hann-windowed FFT, DC left out) that lies between two frequencies.
     *
     * @param pcm        signed 16-bit little-endian samples, at least 256 of them
     * @param lowHz      the band's lower edge
     * @param highHz     the band's upper edge
     * @param sampleRate samples per second
     * @return 0 to 1; 0 for silence
     */
    public static double energyFraction(byte[] pcm, double lowHz, double highHz, int sampleRate) {
        int count = pcm.length / 2;
        if (count < 256) {
            throw new IllegalArgumentException("At least 256 samples are needed, got " + count);
        }
        int size = Integer.highestOneBit(count);
        double[] values = new double[size];
        for (int i = 0; i < size; i++) {
            values[i] = sample(pcm, 2 * (count - size + i)) / 32768.0;
        }
        double[] power = powerSpectrum(values);
        double binHz = (double) sampleRate / size;
        double total = 0;
        double band = 0;
        for (int k = 1; k < power.length; k++) {
            total += power[k];
            double hz = k * binHz;
            if (hz >= lowHz && hz <= highHz) {
                band += power[k];
            }
        }
        return total == 0 ? 0 : band / total;
    }

    // ---------------------------------------------------------------- internals

    private static int sample(byte[] pcm, int offset) {
        return (short) ((pcm[offset] & 0xff) | (pcm[offset + 1] << 8));
    }

    private static double rms(double[] values) {
        double sum = 0;
        for (double value : values) {
            sum += value * value;
        }
        return values.length == 0 ? 0 : Math.sqrt(sum / values.length);
    }

    private static double dominantFrequency(double[] values, int sampleRate) {
        double[] power = powerSpectrum(values);
        double binHz = (double) sampleRate / values.length;
        int first = Math.max(1, (int) Math.ceil(20 / binHz));
        int best = first;
        for (int k = first; k < power.length - 1; k++) {
            if (power[k] > power[best]) {
                best = k;
            }
        }
        double shift = 0;
        if (best > 0 && best < power.length - 1 && power[best] > 0) {
            // parabola through the log magnitudes of the peak and its neighbours (exact for a Gaussian peak)
            double a = Math.log(Math.max(power[best - 1], 1e-30));
            double b = Math.log(power[best]);
            double c = Math.log(Math.max(power[best + 1], 1e-30));
            double denominator = a - 2 * b + c;
            shift = denominator == 0 ? 0 : Math.max(-0.5, Math.min(0.5, 0.5 * (a - c) / denominator));
        }
        return (best + shift) * binHz;
    }

    /** |X(k)|^2 for k = 0 .. n/2 of a Hann-windowed buffer whose length is a power of two. */
    private static double[] powerSpectrum(double[] values) {
        int n = values.length;
        double[] re = new double[n];
        double[] im = new double[n];
        for (int i = 0; i < n; i++) {
            double hann = 0.5 - 0.5 * Math.cos(2 * Math.PI * i / (n - 1));
            re[i] = values[i] * hann;
        }
        fft(re, im);
        double[] power = new double[n / 2 + 1];
        for (int k = 0; k <= n / 2; k++) {
            power[k] = re[k] * re[k] + im[k] * im[k];
        }
        return power;
    }

    /** In-place iterative radix-2 FFT. */
    private static void fft(double[] re, double[] im) {
        int n = re.length;
        for (int i = 1, j = 0; i < n; i++) {
            int bit = n >> 1;
            for (; (j & bit) != 0; bit >>= 1) {
                j ^= bit;
            }
            j ^= bit;
            if (i < j) {
                double t = re[i];
                re[i] = re[j];
                re[j] = t;
                t = im[i];
                im[i] = im[j];
                im[j] = t;
            }
        }
        for (int length = 2; length <= n; length <<= 1) {
            double angle = -2 * Math.PI / length;
            double stepRe = Math.cos(angle);
            double stepIm = Math.sin(angle);
            for (int start = 0; start < n; start += length) {
                double wRe = 1;
                double wIm = 0;
                for (int k = 0; k < length / 2; k++) {
                    int a = start + k;
                    int b = a + length / 2;
                    double tRe = re[b] * wRe - im[b] * wIm;
                    double tIm = re[b] * wIm + im[b] * wRe;
                    re[b] = re[a] - tRe;
                    im[b] = im[a] - tIm;
                    re[a] += tRe;
                    im[a] += tIm;
                    double nextRe = wRe * stepRe - wIm * stepIm;
                    wIm = wRe * stepIm + wIm * stepRe;
                    wRe = nextRe;
                }
            }
        }
    }

    @Override
    public synchronized String toString() {
        return "ToneDetector[" + frames + " frames]";
    }
}
