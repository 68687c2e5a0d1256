package ai.alo.audio.impl.media;

import ai.alo.audio.media.AudioDeviceException;
import ai.alo.audio.media.MediaDevice;
import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.util.Arrays;
import java.util.concurrent.ThreadFactory;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;
import javax.sound.sampled.DataLine;
import javax.sound.sampled.LineUnavailableException;
import javax.sound.sampled.Mixer;
import javax.sound.sampled.TargetDataLine;

/**
 * An input that captures from a Java Sound line ({@code TargetDataLine}).
 *
 * <h2>Threads</h2>
 * <p>Reading a capture line blocks, so while at least one media session uses the device one reader thread of the
 * runtime ({@code <runtime>-capture-<n>}) reads it, 10 ms at a time, into a buffer of {@value #BUFFER_FRAMES} frames;
 * each tick takes the oldest frame, or silence when none has arrived. When the sound card's clock runs faster than the
 * pacer's the oldest frames are dropped, when slower a silent frame fills in. When the last session stops using the
 * device the line is closed and the thread ends; nothing runs while the device is unused.
 *
 * <p>A line in another format (another rate, stereo) is converted by Java Sound. A line that fails while in use is
 * logged ({@code ALOAUD-1405}) and the device sends silence until its sessions stop using it.
 */
final class JavaSoundInput extends InputDevice {

    /** How many 10 ms frames are buffered between the reader thread and the pacer. */
    static final int BUFFER_FRAMES = 10;

    private static final System.Logger LOG = System.getLogger("ai.alo.audio");

    private final String mixerName;
    private final AudioFormat lineFormat;
    private final ThreadFactory threads;

    private final Object bufferLock = new Object();
    // guarded by bufferLock
    private final byte[][] buffer = new byte[BUFFER_FRAMES][];
    private int head;
    private int size;
    private long dropped;

    // guarded by this (InputDevice's lock: start() and stop())
    private TargetDataLine line;
    private Thread reader;
    private volatile boolean reading;

    JavaSoundInput(MediaDevice device, String mixerName, AudioFormat lineFormat, ThreadFactory threads) {
        super(device);
        this.mixerName = mixerName;
        this.lineFormat = lineFormat;
        this.threads = threads;
    }

    @Override
    void start() {
        TargetDataLine opened = null;
        try {
            Mixer mixer = JavaSound.mixer(mixerName);
            if (mixer == null) {
                throw new AudioDeviceException(device().id(), "the Java Sound mixer '" + mixerName + "' of input '"
                        + device().id() + "' is gone");
            }
            opened = (TargetDataLine) mixer.getLine(new DataLine.Info(TargetDataLine.class, lineFormat));
            // a buffer of 100 ms: deep enough for a reader thread that is late now and then, shallow for latency
            opened.open(lineFormat, lineFormat.getFrameSize() * Math.round(lineFormat.getFrameRate() / 10));
            opened.start();
            AudioInputStream fromLine = new AudioInputStream(new LineStream(opened), lineFormat,
                    AudioSystem.NOT_SPECIFIED);
            InputStream stream = lineFormat.matches(JavaSound.STANDARD) ? fromLine
                    : AudioSystem.getAudioInputStream(JavaSound.STANDARD, fromLine);
            synchronized (bufferLock) {
                size = 0;
                head = 0;
            }
            reading = true;
            Thread thread = threads.newThread(() -> read(stream));
            line = opened;
            reader = thread;
            thread.start();
        } catch (LineUnavailableException | RuntimeException e) {
            reading = false;
            if (opened != null) {
                opened.close();
            }
            line = null;
            reader = null;
            throw JavaSound.openFailure(device().id(), "capture", e);
        }
    }

    /**
     * The line as a stream that ends (-1) once the device stops reading. A closed line's {@code read} returns 0, on
     * which Java Sound's rate converter would spin for ever; this stream never returns 0 while reading: it waits a
     * little and tries again.
     */
    private final class LineStream extends InputStream {
        private final TargetDataLine source;
        private final int frameSize;

        LineStream(TargetDataLine source) {
            this.source = source;
            this.frameSize = Math.max(1, source.getFormat().getFrameSize());
        }

        @Override
        public int read() {
            throw new UnsupportedOperationException("reads whole sample frames only");
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int whole = len - len % frameSize;
            if (whole == 0) {
                return 0;
            }
            while (reading) {
                int n = source.read(b, off, whole);
                if (n > 0) {
                    return n;
                }
                try {
                    Thread.sleep(2);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return -1;
                }
            }
            return -1;
        }
    }

    private void read(InputStream stream) {
        byte[] frame = new byte[Pcm.FRAME_BYTES];
        int filled = 0;
        try {
            while (reading) {
                int n = stream.read(frame, filled, frame.length - filled);
                if (n < 0) {
                    break;
                }
                filled += n;
                if (filled == frame.length) {
                    push(frame);
                    frame = new byte[Pcm.FRAME_BYTES];
                    filled = 0;
                }
            }
        } catch (IOException | RuntimeException e) {
            if (reading) {
                LOG.log(Level.WARNING, "ALOAUD-1405 [" + device().id() + "] the Java Sound capture line failed; the "
                        + "input sends silence until it is used again", e);
            }
        }
    }

    private void push(byte[] frame) {
        synchronized (bufferLock) {
            if (size == BUFFER_FRAMES) {
                head = (head + 1) % BUFFER_FRAMES;
                size--;
                dropped++;
            }
            buffer[(head + size) % BUFFER_FRAMES] = frame;
            size++;
        }
    }

    @Override
    byte[] nextFrame() {
        synchronized (bufferLock) {
            if (size == 0) {
                return Pcm.SILENT_FRAME;
            }
            byte[] frame = buffer[head];
            buffer[head] = null;
            head = (head + 1) % BUFFER_FRAMES;
            size--;
            return frame;
        }
    }

    @Override
    void stop() {
        reading = false;
        TargetDataLine closing = line;
        Thread thread = reader;
        line = null;
        reader = null;
        JavaSound.close(closing);
        JavaSound.join(thread, "capture");
        synchronized (bufferLock) {
            size = 0;
            head = 0;
            Arrays.fill(buffer, null);
        }
    }

    /**
     * Whether a reader thread runs, for tests.
     *
     * @return {@code true} while the line is open
     */
    synchronized boolean isCapturing() {
        return reader != null && reader.isAlive();
    }

    /**
     * Frames dropped because the pacer did not take them in time, for tests.
     *
     * @return the count
     */
    long framesDropped() {
        synchronized (bufferLock) {
            return dropped;
        }
    }
}
