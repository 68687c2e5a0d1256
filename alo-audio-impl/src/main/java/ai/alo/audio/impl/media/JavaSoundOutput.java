package ai.alo.audio.impl.media;

import ai.alo.audio.media.AudioDeviceException;
import ai.alo.audio.media.MediaDevice;
import java.lang.System.Logger.Level;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.DataLine;
import javax.sound.sampled.LineUnavailableException;
import javax.sound.sampled.Mixer;
import javax.sound.sampled.SourceDataLine;

/**
 * An output that plays into a Java Sound line ({@code SourceDataLine}). Exclusive: one client at a time.
 *
 * <h2>Threads</h2>
 * <p>Writing to a playback line blocks, so while a session plays into the device one playback thread of the runtime
 * ({@code <runtime>-playback-<n>}) writes the frames that the media engine's thread left in a mailbox of {@value
 * #CAPACITY} frames (200 ms). When the sound card's clock runs slower than the audio arrives, the oldest frames are
 * dropped. When the session stops using the device the line is closed and the thread ends.
 *
 * <p>A line that fails is logged ({@code ALOAUD-1406}); the frames are then dropped until the session stops using the
 * device.
 */
final class JavaSoundOutput extends OutputDevice {

    /** The most frames waiting for the line: 200 ms. */
    static final int CAPACITY = 20;

    private static final System.Logger LOG = System.getLogger("ai.alo.audio");

    private final String mixerName;
    private final AudioFormat lineFormat;
    private final ThreadFactory threads;
    private final FrameMailbox<byte[]> mailbox = new FrameMailbox<>(CAPACITY, null);

    // guarded by this (OutputDevice's lock: opened() and idle())
    private SourceDataLine line;
    private Thread player;
    private volatile boolean playing;

    JavaSoundOutput(MediaDevice device, String mixerName, AudioFormat lineFormat, ThreadFactory threads) {
        super(device, true);
        this.mixerName = mixerName;
        this.lineFormat = lineFormat;
        this.threads = threads;
    }

    @Override
    void opened(OutputBinding first) {
        SourceDataLine opened = null;
        try {
            Mixer mixer = JavaSound.mixer(mixerName);
            if (mixer == null) {
                throw new AudioDeviceException(device().id(), "the Java Sound mixer '" + mixerName + "' of output '"
                        + device().id() + "' is gone");
            }
            opened = (SourceDataLine) mixer.getLine(new DataLine.Info(SourceDataLine.class, lineFormat));
            opened.open(lineFormat, lineFormat.getFrameSize() * Math.round(lineFormat.getFrameRate() / 10));
            opened.start();
            mailbox.clear();
            playing = true;
            SourceDataLine target = opened;
            Thread thread = threads.newThread(() -> play(target));
            line = opened;
            player = thread;
            thread.start();
        } catch (LineUnavailableException | RuntimeException e) {
            playing = false;
            if (opened != null) {
                opened.close();
            }
            line = null;
            player = null;
            throw JavaSound.openFailure(device().id(), "playback", e);
        }
    }

    @Override
    void deliver(OutputBinding binding, long sequence, byte[] pcm) {
        if (playing) {
            mailbox.offer(pcm.clone());
        }
    }

    private void play(SourceDataLine target) {
        int channels = lineFormat.getChannels();
        boolean bigEndian = lineFormat.isBigEndian();
        byte[] out = new byte[Pcm.FRAME_BYTES * channels];
        try {
            while (playing) {
                FrameMailbox.Polled<byte[]> next = mailbox.take(TimeUnit.MILLISECONDS.toNanos(100));
                if (next == null) {
                    continue;
                }
                byte[] pcm = next.item();
                for (int i = 0; i < Pcm.FRAME_SAMPLES; i++) {
                    byte low = pcm[2 * i];
                    byte high = pcm[2 * i + 1];
                    for (int c = 0; c < channels; c++) {
                        int at = 2 * (i * channels + c);
                        out[at] = bigEndian ? high : low;
                        out[at + 1] = bigEndian ? low : high;
                    }
                }
                target.write(out, 0, out.length);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            if (playing) {
                LOG.log(Level.WARNING, "ALOAUD-1406 [" + device().id() + "] the Java Sound playback line failed; "
                        + "frames are dropped until the client stops using it", e);
            }
        }
    }

    @Override
    void idle() {
        playing = false;
        mailbox.wakeUp();
        SourceDataLine closing = line;
        Thread thread = player;
        line = null;
        player = null;
        JavaSound.close(closing);
        JavaSound.join(thread, "playback");
        mailbox.clear();
    }

    @Override
    void closed() {
        mailbox.close();
    }

    /**
     * Whether a playback thread runs, for tests.
     *
     * @return {@code true} while the line is open
     */
    synchronized boolean isPlaying() {
        return player != null && player.isAlive();
    }
}
