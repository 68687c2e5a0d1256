package ai.alo.audio.impl.media;

import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.Control;
import javax.sound.sampled.DataLine;
import javax.sound.sampled.Line;
import javax.sound.sampled.LineListener;
import javax.sound.sampled.LineUnavailableException;
import javax.sound.sampled.Mixer;
import javax.sound.sampled.SourceDataLine;
import javax.sound.sampled.TargetDataLine;

/**
 * A sound card made of software, for the Java Sound tests: a capture line that produces a sine tone in real time (its
 * {@code read} blocks like a real line's until the audio "arrives", and returns early when the line is stopped or
 * closed) and a playback line that keeps what is written. Either may be left out. Both are exclusive, like a hardware
 * line: a second {@code open} fails.
 */
final class SoftwareMixer implements Mixer {

    private final Mixer.Info info;
    private final AudioFormat captureFormat;
    private final AudioFormat playbackFormat;
    private final double toneHz;
    final List<Capture> captures = new CopyOnWriteArrayList<>();
    final List<Playback> playbacks = new CopyOnWriteArrayList<>();
    final AtomicInteger opened = new AtomicInteger();
    final AtomicInteger closed = new AtomicInteger();

    /**
     * @param name           the mixer's name
     * @param captureFormat  the format of its capture line, or null for none
     * @param playbackFormat the format of its playback line, or null for none
     * @param toneHz         the tone the capture line produces (level 0.5)
     */
    SoftwareMixer(String name, AudioFormat captureFormat, AudioFormat playbackFormat, double toneHz) {
        this.info = new Mixer.Info(name, "alo tests", "software sound card", "1") {
        };
        this.captureFormat = captureFormat;
        this.playbackFormat = playbackFormat;
        this.toneHz = toneHz;
    }

    @Override
    public Mixer.Info getMixerInfo() {
        return info;
    }

    @Override
    public Line.Info[] getSourceLineInfo() {
        return playbackFormat == null ? new Line.Info[0]
                : new Line.Info[] {new DataLine.Info(SourceDataLine.class, playbackFormat)};
    }

    @Override
    public Line.Info[] getTargetLineInfo() {
        return captureFormat == null ? new Line.Info[0]
                : new Line.Info[] {new DataLine.Info(TargetDataLine.class, captureFormat)};
    }

    @Override
    public Line.Info[] getSourceLineInfo(Line.Info info) {
        return getSourceLineInfo();
    }

    @Override
    public Line.Info[] getTargetLineInfo(Line.Info info) {
        return getTargetLineInfo();
    }

    @Override
    public boolean isLineSupported(Line.Info wanted) {
        for (Line.Info have : getSourceLineInfo()) {
            if (have.matches(wanted)) {
                return true;
            }
        }
        for (Line.Info have : getTargetLineInfo()) {
            if (have.matches(wanted)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public Line getLine(Line.Info wanted) throws LineUnavailableException {
        if (!isLineSupported(wanted)) {
            throw new IllegalArgumentException("not supported: " + wanted);
        }
        if (TargetDataLine.class.isAssignableFrom(wanted.getLineClass())) {
            Capture capture = new Capture();
            captures.add(capture);
            return capture;
        }
        Playback playback = new Playback();
        playbacks.add(playback);
        return playback;
    }

    @Override
    public int getMaxLines(Line.Info info) {
        return 1;
    }

    @Override
    public Line[] getSourceLines() {
        return playbacks.toArray(new Line[0]);
    }

    @Override
    public Line[] getTargetLines() {
        return captures.toArray(new Line[0]);
    }

    @Override
    public void synchronize(Line[] lines, boolean maintainSync) {
        throw new IllegalArgumentException("no synchronization");
    }

    @Override
    public void unsynchronize(Line[] lines) {
    }

    @Override
    public boolean isSynchronizationSupported(Line[] lines, boolean maintainSync) {
        return false;
    }

    // the mixer itself as a line: always open
    @Override
    public Line.Info getLineInfo() {
        return new Line.Info(Mixer.class);
    }

    @Override
    public void open() {
    }

    @Override
    public void close() {
    }

    @Override
    public boolean isOpen() {
        return true;
    }

    @Override
    public Control[] getControls() {
        return new Control[0];
    }

    @Override
    public boolean isControlSupported(Control.Type control) {
        return false;
    }

    @Override
    public Control getControl(Control.Type control) {
        throw new IllegalArgumentException("no controls");
    }

    @Override
    public void addLineListener(LineListener listener) {
    }

    @Override
    public void removeLineListener(LineListener listener) {
    }

    /** What the lines share. */
    abstract class SoftwareLine implements DataLine {
        final Object lock = new Object();
        AudioFormat format;
        int bufferSize;
        boolean open;
        boolean running;
        long frames;

        abstract AudioFormat defaultFormat();

        void openLine(AudioFormat wanted, int size) throws LineUnavailableException {
            synchronized (lock) {
                if (open) {
                    throw new LineUnavailableException("already open");
                }
                for (SoftwareLine other : allLines()) {
                    if (other != this && other.getClass() == getClass() && other.isOpen()) {
                        throw new LineUnavailableException("the line is in use");
                    }
                }
                format = wanted == null ? defaultFormat() : wanted;
                bufferSize = size > 0 ? size : format.getFrameSize() * (int) format.getFrameRate() / 10;
                open = true;
                opened.incrementAndGet();
            }
        }

        private List<? extends SoftwareLine> allLines() {
            List<SoftwareLine> all = new java.util.ArrayList<>(captures);
            all.addAll(playbacks);
            return all;
        }

        @Override
        public void close() {
            synchronized (lock) {
                if (open) {
                    open = false;
                    running = false;
                    closed.incrementAndGet();
                    lock.notifyAll();
                }
            }
        }

        @Override
        public boolean isOpen() {
            synchronized (lock) {
                return open;
            }
        }

        @Override
        public void open() throws LineUnavailableException {
            openLine(null, 0);
        }

        @Override
        public void start() {
            synchronized (lock) {
                running = open;
                lock.notifyAll();
            }
        }

        @Override
        public void stop() {
            synchronized (lock) {
                running = false;
                lock.notifyAll();
            }
        }

        @Override
        public boolean isRunning() {
            synchronized (lock) {
                return running;
            }
        }

        @Override
        public boolean isActive() {
            return isRunning();
        }

        @Override
        public void drain() {
        }

        @Override
        public void flush() {
            synchronized (lock) {
                lock.notifyAll();
            }
        }

        @Override
        public AudioFormat getFormat() {
            synchronized (lock) {
                return format == null ? defaultFormat() : format;
            }
        }

        @Override
        public int getBufferSize() {
            return bufferSize;
        }

        @Override
        public int getFramePosition() {
            return (int) getLongFramePosition();
        }

        @Override
        public long getLongFramePosition() {
            synchronized (lock) {
                return frames;
            }
        }

        @Override
        public long getMicrosecondPosition() {
            return (long) (getLongFramePosition() * 1e6 / getFormat().getFrameRate());
        }

        @Override
        public float getLevel() {
            return AudioSystemLevel.NOT_SPECIFIED;
        }

        @Override
        public Control[] getControls() {
            return new Control[0];
        }

        @Override
        public boolean isControlSupported(Control.Type control) {
            return false;
        }

        @Override
        public Control getControl(Control.Type control) {
            throw new IllegalArgumentException("no controls");
        }

        @Override
        public void addLineListener(LineListener listener) {
        }

        @Override
        public void removeLineListener(LineListener listener) {
        }
    }

    /** A capture line that produces a tone at the pace of real time. */
    final class Capture extends SoftwareLine implements TargetDataLine {
        private long startNanos;
        private double phase;

        @Override
        AudioFormat defaultFormat() {
            return captureFormat;
        }

        @Override
        public Line.Info getLineInfo() {
            return new DataLine.Info(TargetDataLine.class, captureFormat);
        }

        @Override
        public void open(AudioFormat format, int bufferSize) throws LineUnavailableException {
            openLine(format, bufferSize);
        }

        @Override
        public void open(AudioFormat format) throws LineUnavailableException {
            openLine(format, 0);
        }

        @Override
        public void start() {
            synchronized (lock) {
                if (format != null) {
                    startNanos = System.nanoTime() - (long) (frames * 1e9 / format.getFrameRate());
                }
            }
            super.start();
        }

        @Override
        public int available() {
            return 0;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            int frameSize = format.getFrameSize();
            int wanted = len / frameSize;
            int done = 0;
            synchronized (lock) {
                while (done < wanted && running && open) {
                    long due = (long) ((System.nanoTime() - startNanos) * format.getFrameRate() / 1e9);
                    long ready = Math.min(wanted - done, due - frames);
                    if (ready <= 0) {
                        try {
                            lock.wait(2);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            break;
                        }
                        continue;
                    }
                    for (long f = 0; f < ready; f++) {
                        short sample = (short) Math.round(0.5 * 32767 * Math.sin(phase));
                        phase += 2 * Math.PI * toneHz / format.getFrameRate();
                        for (int c = 0; c < format.getChannels(); c++) {
                            int at = off + (done * frameSize) + c * 2;
                            if (format.isBigEndian()) {
                                b[at] = (byte) (sample >> 8);
                                b[at + 1] = (byte) sample;
                            } else {
                                b[at] = (byte) sample;
                                b[at + 1] = (byte) (sample >> 8);
                            }
                        }
                        done++;
                        frames++;
                    }
                }
            }
            return done * frameSize;
        }
    }

    /** A playback line that keeps everything written. */
    final class Playback extends SoftwareLine implements SourceDataLine {
        final ByteArrayOutputStream written = new ByteArrayOutputStream();

        @Override
        AudioFormat defaultFormat() {
            return playbackFormat;
        }

        @Override
        public Line.Info getLineInfo() {
            return new DataLine.Info(SourceDataLine.class, playbackFormat);
        }

        @Override
        public void open(AudioFormat format, int bufferSize) throws LineUnavailableException {
            openLine(format, bufferSize);
        }

        @Override
        public void open(AudioFormat format) throws LineUnavailableException {
            openLine(format, 0);
        }

        @Override
        public int available() {
            return bufferSize;
        }

        @Override
        public int write(byte[] b, int off, int len) {
            synchronized (lock) {
                if (!open) {
                    return 0;
                }
                written.write(b, off, len);
                frames += len / format.getFrameSize();
                return len;
            }
        }

        byte[] bytes() {
            synchronized (lock) {
                return written.toByteArray();
            }
        }
    }

    /** {@code AudioSystem.NOT_SPECIFIED} as a float. */
    private static final class AudioSystemLevel {
        static final float NOT_SPECIFIED = -1f;
    }
}
