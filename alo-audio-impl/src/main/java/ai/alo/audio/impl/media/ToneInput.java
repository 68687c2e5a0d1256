package ai.alo.audio.impl.media;

import ai.alo.audio.media.MediaDevice;

/**
 * An input that sends a steady sine tone. The phase carries over from frame to frame (and across ticks in which no
 * client used the device), so the tone has no clicks at frame boundaries.
 */
final class ToneInput extends InputDevice {

    private static final double TWO_PI = 2 * Math.PI;

    private final double frequencyHz;
    private final double level;
    private final double step;
    // only the pacer thread touches it (inside frame())
    private double phase;

    ToneInput(MediaDevice device, double frequencyHz, double level) {
        super(device);
        this.frequencyHz = frequencyHz;
        this.level = level;
        this.step = TWO_PI * frequencyHz / Pcm.RATE;
    }

    @Override
    byte[] nextFrame() {
        byte[] frame = new byte[Pcm.FRAME_BYTES];
        double p = phase;
        for (int i = 0; i < Pcm.FRAME_SAMPLES; i++) {
            short s = Pcm.toShort(level * Math.sin(p));
            frame[2 * i] = (byte) s;
            frame[2 * i + 1] = (byte) (s >> 8);
            p += step;
            if (p >= TWO_PI) {
                p -= TWO_PI;
            }
        }
        phase = p;
        return frame;
    }

    double frequencyHz() {
        return frequencyHz;
    }

    double level() {
        return level;
    }
}
