package ai.alo.audio.impl.media;

import ai.alo.audio.media.AudioDeviceException;
import ai.alo.audio.media.MediaDevice;
import ai.alo.audio.media.MediaDeviceKind;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioSystem;
import javax.sound.sampled.DataLine;
import javax.sound.sampled.LineUnavailableException;
import javax.sound.sampled.Mixer;
import javax.sound.sampled.SourceDataLine;
import javax.sound.sampled.TargetDataLine;

/**
 * The JVM's Java Sound lines as devices: a mixer with a capture line ({@code TargetDataLine}) that can deliver 16-bit
 * PCM (48 kHz mono directly, or another rate or channel count that Java Sound converts) is an input {@value
 * #INPUT_PREFIX}{@code <mixer name>}; a mixer with a playback line ({@code SourceDataLine}) that takes 48 kHz 16-bit
 * PCM, mono or stereo, is an output {@value #OUTPUT_PREFIX}{@code <mixer name>}. A server without a sound card has
 * none.
 *
 * <p>Stateless and thread-safe. Scanning asks Java Sound for its mixers (its providers are looked up on each call, so
 * a line that appears or disappears is seen); it takes milliseconds and is never done on the media engine's or the
 * pacer's thread.
 */
final class JavaSound {

    static final String INPUT_PREFIX = "javasound-in:";
    static final String OUTPUT_PREFIX = "javasound-out:";

    /** 48 kHz mono 16-bit signed little-endian: what every stream of the module carries. */
    static final AudioFormat STANDARD = new AudioFormat(Pcm.RATE, 16, 1, true, false);

    private static final System.Logger LOG = System.getLogger("ai.alo.audio");
    private static final AtomicBoolean FAILURE_REPORTED = new AtomicBoolean();
    private static final float[] CAPTURE_RATES = {48_000f, 44_100f, 96_000f, 32_000f, 24_000f, 16_000f, 8_000f};

    private JavaSound() {
    }

    /**
     * A line found by a scan.
     *
     * @param device    the device it is listed as
     * @param mixerName the name of its mixer
     * @param format    the format to open the line in
     */
    record Line(MediaDevice device, String mixerName, AudioFormat format) {
    }

    /**
     * The capture and playback lines now.
     *
     * @return the lines, inputs first; null if Java Sound could not be asked (the failure is logged once)
     */
    static List<Line> scan() {
        try {
            List<Line> inputs = new ArrayList<>();
            List<Line> outputs = new ArrayList<>();
            Set<String> ids = new HashSet<>();
            for (Mixer.Info info : AudioSystem.getMixerInfo()) {
                Mixer mixer;
                try {
                    mixer = AudioSystem.getMixer(info);
                } catch (IllegalArgumentException | SecurityException e) {
                    continue; // gone since getMixerInfo()
                }
                AudioFormat capture = captureFormat(mixer);
                if (capture != null) {
                    inputs.add(line(info, MediaDeviceKind.AUDIO_INPUT, capture, ids));
                }
                AudioFormat playback = playbackFormat(mixer);
                if (playback != null) {
                    outputs.add(line(info, MediaDeviceKind.AUDIO_OUTPUT, playback, ids));
                }
            }
            inputs.addAll(outputs);
            return inputs;
        } catch (RuntimeException | LinkageError e) {
            if (FAILURE_REPORTED.compareAndSet(false, true)) {
                LOG.log(Level.WARNING, "ALOAUD-1407 could not list the Java Sound lines; the Java Sound devices are "
                        + "left as they were (reported once per JVM)", e);
            }
            return null;
        }
    }

    /**
     * What a failure to open a line becomes: Java Sound's own failures (the line is busy, refuses the format, is
     * forbidden) an {@link AudioDeviceException} that names the device; anything else as it is.
     *
     * @param deviceId the device
     * @param what     {@code "capture"} or {@code "playback"}
     * @param failure  what opening threw
     * @return the exception to throw
     */
    static RuntimeException openFailure(String deviceId, String what, Exception failure) {
        if (failure instanceof LineUnavailableException || failure instanceof IllegalArgumentException
                || failure instanceof SecurityException || failure instanceof ClassCastException
                || failure instanceof IllegalStateException) {
            return new AudioDeviceException(deviceId, "the Java Sound " + what + " line of '" + deviceId
                    + "' cannot be opened: " + failure.getMessage(), failure);
        }
        return (RuntimeException) failure;
    }

    /**
     * Finds a mixer by name now.
     *
     * @param name the mixer's name
     * @return the mixer, or null if there is none with that name
     */
    static Mixer mixer(String name) {
        for (Mixer.Info info : AudioSystem.getMixerInfo()) {
            if (info.getName().equals(name)) {
                return AudioSystem.getMixer(info);
            }
        }
        return null;
    }

    private static Line line(Mixer.Info info, MediaDeviceKind kind, AudioFormat format, Set<String> ids) {
        String prefix = kind == MediaDeviceKind.AUDIO_INPUT ? INPUT_PREFIX : OUTPUT_PREFIX;
        String name = info.getName();
        String base = prefix + name;
        if (base.length() > 124) {
            base = base.substring(0, 124);
        }
        String id = base;
        for (int n = 2; !ids.add(id); n++) {
            id = base + " #" + n;
        }
        String description = info.getDescription();
        String label = description == null || description.isBlank() || description.equals(name) ? name
                : name + " (" + description + ")";
        if (label.isBlank()) {
            label = id;
        }
        return new Line(new MediaDevice(id, label, kind), name, format);
    }

    private static AudioFormat captureFormat(Mixer mixer) {
        for (float rate : CAPTURE_RATES) {
            for (int channels = 1; channels <= 2; channels++) {
                for (boolean bigEndian : new boolean[] {false, true}) {
                    AudioFormat format = new AudioFormat(rate, 16, channels, true, bigEndian);
                    if (mixer.isLineSupported(new DataLine.Info(TargetDataLine.class, format))
                            && (format.matches(STANDARD) || AudioSystem.isConversionSupported(STANDARD, format))) {
                        return format;
                    }
                }
            }
        }
        return null;
    }

    private static AudioFormat playbackFormat(Mixer mixer) {
        for (int channels = 1; channels <= 2; channels++) {
            for (boolean bigEndian : new boolean[] {false, true}) {
                AudioFormat format = new AudioFormat(Pcm.RATE, 16, channels, true, bigEndian);
                if (mixer.isLineSupported(new DataLine.Info(SourceDataLine.class, format))) {
                    return format;
                }
            }
        }
        return null;
    }

    /**
     * Stops, flushes and closes a line; closed even when stopping fails.
     *
     * @param line the line, or null
     */
    static void close(DataLine line) {
        if (line == null) {
            return;
        }
        try {
            line.stop();
            line.flush();
        } finally {
            line.close();
        }
    }

    /**
     * Waits a bounded time for a line thread to end; logs if it does not.
     *
     * @param thread the thread, or null
     * @param what   what it does, for the log line
     */
    static void join(Thread thread, String what) {
        if (thread == null || thread == Thread.currentThread()) {
            return;
        }
        boolean interrupted = false;
        long deadline = System.nanoTime() + 2_000_000_000L;
        while (thread.isAlive()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                LOG.log(Level.WARNING, "ALOAUD-1411 the {0} thread {1} did not end within 2 s of closing its line",
                        what, thread.getName());
                break;
            }
            try {
                thread.join(Math.max(1, left / 1_000_000));
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
