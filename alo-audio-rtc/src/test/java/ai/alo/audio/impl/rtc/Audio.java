package ai.alo.audio.impl.rtc;

/** Test audio: a phase-continuous sine generator and the measures the tests assert on (Goertzel power, RMS). */
final class Audio {

    private Audio() {
    }

    /** Generates 10 ms frames of a sine, phase-continuous across frames. Not thread-safe (one pacer thread). */
    static final class Tone {
        private final double frequency;
        private final double amplitude;
        private long sample;

        Tone(double frequency, double amplitude) {
            this.frequency = frequency;
            this.amplitude = amplitude;
        }

        byte[] next() {
            byte[] frame = new byte[RtcPeer.FRAME_BYTES];
            for (int i = 0; i < RtcPeer.FRAME_SAMPLES; i++, sample++) {
                int v = (int) Math.round(amplitude * 32767 * Math.sin(2 * Math.PI * frequency * sample
                        / RtcPeer.SAMPLE_RATE));
                frame[2 * i] = (byte) v;
                frame[2 * i + 1] = (byte) (v >> 8);
            }
            return frame;
        }
    }

    static short[] samples(byte[] pcm) {
        short[] s = new short[pcm.length / 2];
        for (int i = 0; i < s.length; i++) {
            s[i] = (short) ((pcm[2 * i] & 0xff) | (pcm[2 * i + 1] << 8));
        }
        return s;
    }

    static short[] concat(java.util.List<byte[]> frames) {
        short[] all = new short[frames.size() * RtcPeer.FRAME_SAMPLES];
        int at = 0;
        for (byte[] f : frames) {
            short[] s = samples(f);
            System.arraycopy(s, 0, all, at, s.length);
            at += s.length;
        }
        return all;
    }

    /** RMS relative to full scale (0..1). */
    static double rms(short[] s) {
        if (s.length == 0) {
            return 0;
        }
        double sum = 0;
        for (short v : s) {
            sum += (double) v * v;
        }
        return Math.sqrt(sum / s.length) / 32768.0;
    }

    /** Share of the signal's energy at {@code frequency} (Goertzel), 0..1; a pure sine gives about 1. */
    static double energyShareAt(short[] s, double frequency) {
        int n = s.length;
        if (n == 0) {
            return 0;
        }
        double w = 2 * Math.PI * frequency / RtcPeer.SAMPLE_RATE;
        double coeff = 2 * Math.cos(w);
        double q1 = 0;
        double q2 = 0;
        double total = 0;
        for (short v : s) {
            double q0 = coeff * q1 - q2 + v;
            q2 = q1;
            q1 = q0;
            total += (double) v * v;
        }
        double power = q1 * q1 + q2 * q2 - coeff * q1 * q2;
        // A sine of amplitude A over n samples: |X|^2 = (A n / 2)^2, energy = A^2 n / 2 -> |X|^2 / energy = n / 2.
        return total == 0 ? 0 : power / (total * n / 2.0);
    }

    /** The frequency with the largest DFT magnitude between {@code from} and {@code to} Hz, in 1 Hz steps. */
    static double peakFrequency(short[] s, int from, int to) {
        double best = -1;
        int bestF = -1;
        for (int f = from; f <= to; f++) {
            double e = energyShareAt(s, f);
            if (e > best) {
                best = e;
                bestF = f;
            }
        }
        return bestF;
    }
}
