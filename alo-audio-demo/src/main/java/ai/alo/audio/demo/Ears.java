package ai.alo.audio.demo;

import ai.alo.audio.media.AudioFrame;
import ai.alo.audio.media.AudioFrameListener;
import ai.alo.audio.media.PcmFormat;
import java.nio.ShortBuffer;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The demo's listener: a PCM output's {@link AudioFrameListener} that keeps what a client heard, so that the demo
 * can say when the tone became audible and what it was (frequency and level).
 *
 * <p>Threads: {@link #onFrame} and {@link #onFramesLost} are called by the runtime's event threads, one at a time;
 * the other methods by the demo's main thread, which waits (bounded) for the frames. All state is guarded by one
 * lock. Holds no resource beyond a buffer of at most one second of samples.
 */
final class Ears implements AudioFrameListener {

    /** A frame counts as audible above this level (RMS relative to full scale, -40 dBFS). */
    static final double AUDIBLE_LEVEL = 0.01;

    private static final int RATE = PcmFormat.STANDARD.sampleRate();
    private static final int MAX_WINDOW = RATE; // one second of samples

    private final Object lock = new Object();
    /** Guarded by {@code lock}: the window being filled, or null. */
    private short[] window;
    private int filled;
    private long frames;
    private long lost;
    /** Guarded by {@code lock}: when the first audible frame arrived since {@link #expectAudio()}, 0 if none yet. */
    private long firstAudibleNanos;
    /** Guarded by {@code lock}: when the last audible frame arrived, 0 if none yet. */
    private long lastAudibleNanos;

    @Override
    public void onFrame(AudioFrame frame) {
        ShortBuffer samples = frame.samples();
        boolean audible = frame.level() > AUDIBLE_LEVEL;
        long now = System.nanoTime();
        synchronized (lock) {
            frames++;
            if (audible) {
                lastAudibleNanos = now;
                if (firstAudibleNanos == 0) {
                    firstAudibleNanos = now;
                    lock.notifyAll();
                }
            }
            if (window != null && filled < window.length) {
                int n = Math.min(samples.remaining(), window.length - filled);
                samples.get(window, filled, n);
                filled += n;
                if (filled == window.length) {
                    lock.notifyAll();
                }
            }
        }
    }

    @Override
    public void onFramesLost(long count) {
        synchronized (lock) {
            lost += count;
        }
    }

    /** Forgets the first audible frame seen so far: {@link #awaitAudible} then waits for the next one. */
    void expectAudio() {
        synchronized (lock) {
            firstAudibleNanos = 0;
        }
    }

    /**
     * Waits for the first audible frame since {@link #expectAudio()}.
     *
     * @param timeout how long to wait at most
     * @return its arrival ({@link System#nanoTime()}), or -1 if none arrived in time
     * @throws InterruptedException if interrupted while waiting
     */
    long awaitAudible(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lock) {
            while (firstAudibleNanos == 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return -1;
                }
                TimeUnit.NANOSECONDS.timedWait(lock, left);
            }
            return firstAudibleNanos;
        }
    }

    /**
     * Waits until nothing audible has arrived for {@code quiet} while frames kept coming (what was in flight, and
     * what the receiver's jitter buffer conceals after a stream stops, has played out).
     *
     * @param quiet   how long it must be quiet
     * @param timeout how long to wait at most
     * @return when the last audible frame arrived ({@link System#nanoTime()}, 0 if none ever did), or -1 if it did
     *         not become quiet in time
     * @throws InterruptedException if interrupted while waiting
     */
    long awaitQuiet(Duration quiet, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long framesBefore = frames();
        while (true) {
            long now = System.nanoTime();
            synchronized (lock) {
                boolean framesCame = frames - framesBefore >= quiet.toMillis() / 10;
                if (framesCame && now - lastAudibleNanos >= quiet.toNanos()) {
                    return lastAudibleNanos;
                }
            }
            if (now > deadline) {
                return -1;
            }
            Thread.sleep(10);
        }
    }

    /**
     * Collects the next {@code length} of audio (or what arrives before {@code timeout}) and analyses it.
     *
     * @param length  how much audio, at most one second
     * @param timeout how long to wait for it at most
     * @return what was heard
     * @throws InterruptedException if interrupted while waiting
     */
    Heard listen(Duration length, Duration timeout) throws InterruptedException {
        int samples = (int) Math.min(MAX_WINDOW, length.toMillis() * RATE / 1000);
        long deadline = System.nanoTime() + timeout.toNanos();
        short[] collected;
        int count;
        synchronized (lock) {
            window = new short[samples];
            filled = 0;
            while (filled < samples) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                TimeUnit.NANOSECONDS.timedWait(lock, left);
            }
            collected = window;
            count = filled;
            window = null;
        }
        return Heard.of(collected, count);
    }

    /** Frames received in all. */
    long frames() {
        synchronized (lock) {
            return frames;
        }
    }

    /** Frames the output dropped because this listener fell behind (it never should). */
    long lost() {
        synchronized (lock) {
            return lost;
        }
    }

    /**
     * What a stretch of audio held.
     *
     * @param seconds    how much audio arrived
     * @param level      its RMS level relative to full scale, 0 to 1
     * @param dominantHz the frequency with the most energy (50 Hz to 4 kHz, about 1 Hz resolution), NaN when silent
     * @param samples    the samples, to measure one frequency's share ({@link #levelAt})
     */
    record Heard(double seconds, double level, double dominantHz, short[] samples) {

        static Heard of(short[] samples, int count) {
            short[] s = java.util.Arrays.copyOf(samples, count);
            double sum = 0;
            for (short v : s) {
                double x = v / 32768.0;
                sum += x * x;
            }
            double level = count == 0 ? 0 : Math.sqrt(sum / count);
            return new Heard(count / (double) RATE, level, level < 0.001 ? Double.NaN : dominant(s), s);
        }

        /**
         * The level of one frequency in this audio: the RMS of its strongest sine component within 3 Hz of {@code hz}
         * (a pure tone there gives {@link #level()}). The band allows for a tone that arrives a little off its
         * frequency (sample clocks differ); without it, half a second of a tone 1 Hz off would measure 36 % low.
         *
         * @param hz the frequency
         * @return its RMS level relative to full scale
         */
        double levelAt(double hz) {
            if (samples.length == 0) {
                return 0;
            }
            double power = 0;
            for (double f = hz - 3; f <= hz + 3; f += 0.25) {
                power = Math.max(power, goertzelPower(samples, f));
            }
            double amplitude = 2 * Math.sqrt(power) / samples.length;
            return amplitude / Math.sqrt(2);
        }

        /**
         * Whether this is the given tone: the strongest frequency within 10 Hz of it, and the tone at least half the
         * level (a pure tone is all of it; a gap of a few frames, on a machine too loaded to keep the 10 ms pace,
         * takes some).
         */
        boolean isTone(double hz) {
            return Math.abs(dominantHz - hz) <= 10 && levelAt(hz) >= 0.5 * level;
        }

        @Override
        public String toString() {
            String frequency = Double.isNaN(dominantHz) ? "silence" : String.format(Locale.ROOT, "%.0f Hz",
                    dominantHz);
            String dbfs = level <= 0 ? "-inf" : String.format(Locale.ROOT, "%.1f", 20 * Math.log10(level));
            return String.format(Locale.ROOT, "%s, level %s dBFS (RMS %.3f of full scale), %.2f s of audio",
                    frequency, dbfs, level, seconds);
        }

        /** The strongest frequency between 50 Hz and 4 kHz: a 5 Hz scan, then 0.5 Hz steps around its peak. */
        private static double dominant(short[] s) {
            double best = 0;
            double bestHz = 0;
            for (double hz = 50; hz <= 4000; hz += 5) {
                double p = goertzelPower(s, hz);
                if (p > best) {
                    best = p;
                    bestHz = hz;
                }
            }
            double coarse = bestHz;
            for (double hz = coarse - 5; hz <= coarse + 5; hz += 0.5) {
                double p = goertzelPower(s, hz);
                if (p > best) {
                    best = p;
                    bestHz = hz;
                }
            }
            return bestHz;
        }

        /** The squared magnitude of the DFT of {@code s} at {@code hz} (Goertzel's algorithm; full scale is 1). */
        private static double goertzelPower(short[] s, double hz) {
            double coefficient = 2 * Math.cos(2 * Math.PI * hz / RATE);
            double previous = 0;
            double beforePrevious = 0;
            for (short v : s) {
                double current = v / 32768.0 + coefficient * previous - beforePrevious;
                beforePrevious = previous;
                previous = current;
            }
            return previous * previous + beforePrevious * beforePrevious - coefficient * previous * beforePrevious;
        }
    }
}
