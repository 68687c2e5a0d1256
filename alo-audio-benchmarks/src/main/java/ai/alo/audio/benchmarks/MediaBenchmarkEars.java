package ai.alo.audio.benchmarks;

import ai.alo.audio.media.AudioFrame;
import ai.alo.audio.media.AudioFrameListener;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What one listener of the media benchmark hears: when the first frame and the first audible frame arrived since
 * {@link #arm()}, and the onsets of a gated tone. Fed either by a client's PCM output ({@link #onFrame(AudioFrame)},
 * on the runtime's event threads) or by a bare peer's {@code onFrame} ({@link #heard(byte[])}, on libwebrtc's audio
 * thread); each stamp is {@link System#nanoTime()} at the call, so it includes the path to the application.
 *
 * <p>A frame is <em>audible</em> when its RMS level is at least the threshold given at construction (the benchmark
 * uses 0.05 of full scale, about -26 dBFS, for tones sent at an amplitude of 0.5, RMS 0.354); decoded silence is 0.
 * An <em>onset</em> is an audible frame after at least {@value #QUIET_FRAMES_BEFORE_ONSET} frames below the threshold;
 * it is tagged with which of the gated source's tones is strongest in the frame after it (the onset frame itself may
 * hold only the burst's first milliseconds), so that an onset that arrives more than one
 * gate period late is still matched to the burst that caused it.
 *
 * <p>Thread-safe: every method takes this object's monitor; the waits are bounded and wake on every frame.
 */
final class MediaBenchmarkEars implements AudioFrameListener {

    /** Quiet frames that must come before an audible frame for it to count as an onset. */
    static final int QUIET_FRAMES_BEFORE_ONSET = 5;

    private final double audibleLevel;
    private long frames;
    private long lost;
    private long firstFrameAt = -1;
    private long firstAudibleAt = -1;
    private long firstAudibleIndex = -1;
    private long lastFrameAt = -1;
    private int quietRun;
    private boolean recordOnsets;
    private final List<long[]> onsets = new ArrayList<>();
    private final double[] onsetTones;
    /** An onset seen in the previous frame, waiting for the next frame to name its tone: {nanoTime, tag}; or null. */
    private long[] pendingOnset;

    /**
     * @param audibleLevel RMS level (of full scale) from which a frame is audible
     * @param onsetTones   the frequencies a gated source cycles through; each onset is tagged with the index of the
     *                     strongest of them in its frame (none: every onset is tagged 0)
     */
    MediaBenchmarkEars(double audibleLevel, double... onsetTones) {
        this.audibleLevel = audibleLevel;
        this.onsetTones = onsetTones.clone();
    }

    @Override
    public void onFrame(AudioFrame frame) {
        long now = System.nanoTime();
        java.time.Instant wall = java.time.Instant.now();
        java.nio.ByteBuffer pcm = frame.pcm();
        byte[] bytes = new byte[pcm.remaining()];
        pcm.get(bytes);
        heard(bytes, now, java.time.Duration.between(frame.receivedAt(), wall).toNanos());
    }

    @Override
    public synchronized void onFramesLost(long count) {
        lost += count;
    }

    /** A bare peer's frame (48 kHz mono 16-bit little-endian). */
    void heard(byte[] pcm) {
        heard(pcm, System.nanoTime(), -1);
    }

    /**
     * @param delivery for a client's frame, the time from its {@code receivedAt} (stamped when the client got it from
     *                 the media engine) to the output callback, by the wall clock; -1 for a bare peer's frame
     */
    private synchronized void heard(byte[] pcm, long now, long delivery) {
        double level = level(pcm);
        if (firstFrameAt < 0) {
            firstFrameAt = now;
        }
        lastFrameAt = now;
        boolean audible = level >= audibleLevel;
        if (pendingOnset != null) {
            // the onset frame holds the burst's first milliseconds only; the next one, if loud, names the tone better
            if (audible) {
                pendingOnset[1] = strongest(pcm);
            }
            onsets.add(pendingOnset);
            pendingOnset = null;
        }
        if (audible) {
            if (firstAudibleAt < 0) {
                firstAudibleAt = now;
                firstAudibleIndex = frames;
            }
            if (recordOnsets && quietRun >= QUIET_FRAMES_BEFORE_ONSET) {
                pendingOnset = new long[] {now, strongest(pcm), delivery};
            }
            quietRun = 0;
        } else {
            quietRun++;
        }
        frames++;
        notifyAll();
    }

    /** Forgets what was heard: the next frames are the first again. */
    synchronized void arm() {
        frames = 0;
        firstFrameAt = -1;
        firstAudibleAt = -1;
        firstAudibleIndex = -1;
        quietRun = 0;
    }

    /** Starts (or stops) recording onsets; clears the ones recorded. */
    synchronized void recordOnsets(boolean on) {
        recordOnsets = on;
        onsets.clear();
        pendingOnset = null;
        quietRun = 0;
    }

    /** The onsets recorded: {nanoTime, tag, delivery nanos or -1}, in order. */
    synchronized List<long[]> onsets() {
        return new ArrayList<>(onsets);
    }

    private int strongest(byte[] pcm) {
        int best = 0;
        double bestAmplitude = -1;
        for (int i = 0; i < onsetTones.length; i++) {
            double amplitude = amplitudeAt(pcm, onsetTones[i]);
            if (amplitude > bestAmplitude) {
                bestAmplitude = amplitude;
                best = i;
            }
        }
        return best;
    }

    /** Goertzel amplitude (0 to 1 of full scale) of one frequency in a 48 kHz 16-bit little-endian buffer. */
    static double amplitudeAt(byte[] pcm, double hz) {
        int n = pcm.length / 2;
        double coefficient = 2 * Math.cos(2 * Math.PI * hz / 48_000.0);
        double s1 = 0;
        double s2 = 0;
        for (int i = 0; i < n; i++) {
            double x = (short) ((pcm[2 * i] & 0xff) | (pcm[2 * i + 1] << 8)) / 32768.0;
            double s0 = x + coefficient * s1 - s2;
            s2 = s1;
            s1 = s0;
        }
        double power = s1 * s1 + s2 * s2 - coefficient * s1 * s2;
        return n == 0 ? 0 : 2 * Math.sqrt(Math.max(0, power)) / n;
    }

    /**
     * Waits for the first audible frame since {@link #arm()}.
     *
     * @param timeoutNanos how long at most
     * @return its {@link System#nanoTime()} stamp, or -1 if none came in time
     */
    synchronized long awaitAudible(long timeoutNanos) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutNanos;
        while (firstAudibleAt < 0) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return -1;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return firstAudibleAt;
    }

    /**
     * Waits until no frame has arrived for {@code idleNanos} (a closed session's last frames have been delivered).
     *
     * @return whether that happened within {@code timeoutNanos}
     */
    synchronized boolean awaitIdle(long idleNanos, long timeoutNanos) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutNanos;
        while (true) {
            long now = System.nanoTime();
            long idleUntil = lastFrameAt < 0 ? now : lastFrameAt + idleNanos;
            if (now >= idleUntil) {
                return true;
            }
            if (now >= deadline) {
                return false;
            }
            TimeUnit.NANOSECONDS.timedWait(this, Math.min(idleUntil, deadline) - now);
        }
    }

    /**
     * Waits until {@code count} frames in a row were below the threshold (a speaker that left is no longer heard).
     *
     * @return whether that happened within {@code timeoutNanos}
     */
    synchronized boolean awaitQuiet(int count, long timeoutNanos) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutNanos;
        while (quietRun < count) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return true;
    }

    synchronized long firstFrameAt() {
        return firstFrameAt;
    }

    /** How many frames (since {@link #arm()}) came before the first audible one; -1 if none was audible. */
    synchronized long firstAudibleIndex() {
        return firstAudibleIndex;
    }

    synchronized long frames() {
        return frames;
    }

    synchronized long lost() {
        return lost;
    }

    /** RMS level of a 16-bit little-endian frame, 0 to 1 of full scale. */
    static double level(byte[] pcm) {
        int n = pcm.length / 2;
        if (n == 0) {
            return 0;
        }
        double sum = 0;
        for (int i = 0; i < n; i++) {
            double v = (short) ((pcm[2 * i] & 0xff) | (pcm[2 * i + 1] << 8)) / 32768.0;
            sum += v * v;
        }
        return Math.sqrt(sum / n);
    }

    /**
     * One second of a sine tone as 100 frames of 10 ms (48 kHz mono 16-bit little-endian); a whole number of periods
     * for whole-hertz frequencies, so frame {@code k % 100} continues without a click.
     */
    static byte[][] toneSecond(double hz, double amplitude) {
        byte[][] second = new byte[100][960];
        for (int k = 0; k < 100; k++) {
            for (int i = 0; i < 480; i++) {
                double t = (k * 480 + i) / 48_000.0;
                int v = (int) Math.round(Math.sin(2 * Math.PI * hz * t) * amplitude * 32767);
                second[k][2 * i] = (byte) v;
                second[k][2 * i + 1] = (byte) (v >> 8);
            }
        }
        return second;
    }
}
