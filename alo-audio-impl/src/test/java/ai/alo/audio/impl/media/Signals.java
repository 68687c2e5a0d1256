package ai.alo.audio.impl.media;

import java.util.List;

/** Measurements of 16-bit audio for assertions: level, the amplitude at one frequency (Goertzel), continuity. */
final class Signals {

    static final int RATE = 48_000;

    private Signals() {
    }

    /** The samples of 16-bit little-endian frames, concatenated. */
    static short[] samples(List<byte[]> frames) {
        int total = 0;
        for (byte[] frame : frames) {
            total += frame.length / 2;
        }
        short[] out = new short[total];
        int at = 0;
        for (byte[] frame : frames) {
            for (int i = 0; i < frame.length / 2; i++) {
                out[at++] = (short) ((frame[2 * i] & 0xff) | (frame[2 * i + 1] << 8));
            }
        }
        return out;
    }

    /** The samples of one frame. */
    static short[] samples(byte[] frame) {
        return samples(List.of(frame));
    }

    /** Root mean square relative to full scale. */
    static double rms(short[] x, int from, int to) {
        double sum = 0;
        for (int i = from; i < to; i++) {
            double v = x[i] / 32768.0;
            sum += v * v;
        }
        return Math.sqrt(sum / Math.max(1, to - from));
    }

    static double rms(short[] x) {
        return rms(x, 0, x.length);
    }

    /**
     * The amplitude (relative to full scale) of the component at {@code frequency}, by the Goertzel algorithm over a
     * Hann-windowed stretch; a pure sine of amplitude A gives about A.
     */
    static double amplitudeAt(short[] x, int from, int to, double frequency, int rate) {
        int n = to - from;
        double w = 2 * Math.PI * frequency / rate;
        double coefficient = 2 * Math.cos(w);
        double s1 = 0;
        double s2 = 0;
        double windowSum = 0;
        for (int i = 0; i < n; i++) {
            double hann = 0.5 - 0.5 * Math.cos(2 * Math.PI * i / (n - 1));
            windowSum += hann;
            double s = x[from + i] / 32768.0 * hann + coefficient * s1 - s2;
            s2 = s1;
            s1 = s;
        }
        double power = s1 * s1 + s2 * s2 - coefficient * s1 * s2;
        return 2 * Math.sqrt(Math.max(0, power)) / windowSum;
    }

    static double amplitudeAt(short[] x, double frequency) {
        return amplitudeAt(x, 0, x.length, frequency, RATE);
    }

    /** The frequency (in steps of {@code step} Hz from {@code low} to {@code high}) with the largest amplitude. */
    static double peakFrequency(short[] x, double low, double high, double step) {
        double best = low;
        double bestAmplitude = -1;
        for (double f = low; f <= high; f += step) {
            double a = amplitudeAt(x, 0, x.length, f, RATE);
            if (a > bestAmplitude) {
                bestAmplitude = a;
                best = f;
            }
        }
        return best;
    }

    /** The largest difference between neighbouring samples. */
    static int maxStep(short[] x, int from, int to) {
        int max = 0;
        for (int i = from + 1; i < to; i++) {
            max = Math.max(max, Math.abs(x[i] - x[i - 1]));
        }
        return max;
    }

    /** A frame whose every sample is {@code value}. */
    static byte[] constantFrame(int value) {
        byte[] frame = new byte[960];
        for (int i = 0; i < 480; i++) {
            frame[2 * i] = (byte) value;
            frame[2 * i + 1] = (byte) (value >> 8);
        }
        return frame;
    }

    /** The value of every sample of a constant frame, or fails. */
    static int constantValue(byte[] frame) {
        short[] s = samples(frame);
        for (short v : s) {
            if (v != s[0]) {
                throw new AssertionError("the frame is not constant: " + s[0] + " and " + v);
            }
        }
        return s[0];
    }
}
