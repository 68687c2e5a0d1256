package ai.alo.audio.impl.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.alo.audio.media.MediaDevice;
import ai.alo.audio.media.MediaDeviceKind;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The tone input: its frequency and level (measured with Goertzel), and a phase that continues across frames, so
 * the stream is the same as one unbroken sine.
 */
class ToneInputTest {

    private static ToneInput tone(double frequency, double level) {
        return new ToneInput(new MediaDevice("tone", "Tone", MediaDeviceKind.AUDIO_INPUT), frequency, level);
    }

    private static short[] ticks(InputDevice input, long firstTick, int count) {
        List<byte[]> frames = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            frames.add(input.frame(firstTick + i));
        }
        return Signals.samples(frames);
    }

    @Test
    void frequencyAndLevel_areWhatWasAskedFor() {
        for (double frequency : new double[] {100, 440, 1000, 3000, 15_000}) {
            for (double level : new double[] {0.1, 0.5, 0.9}) {
                short[] x = ticks(tone(frequency, level), 0, 100); // 1 s
                double atTone = Signals.amplitudeAt(x, frequency);
                assertEquals(level, atTone, 0.01 * level + 0.001, frequency + " Hz at " + level);
                assertEquals(level / Math.sqrt(2), Signals.rms(x), 0.002, "rms of " + frequency + " Hz at " + level);
                double off = Signals.amplitudeAt(x, frequency * 1.37);
                assertTrue(off < level * 0.01, frequency + " Hz: " + off + " at " + frequency * 1.37 + " Hz");
            }
        }
        assertEquals(997, Signals.peakFrequency(ticks(tone(997, 0.5), 0, 50), 900, 1100, 1), 1.5);
    }

    @Test
    void phase_continuesAcrossFrames_likeOneUnbrokenSine() {
        double frequency = 1234.5;
        double level = 0.8;
        short[] x = ticks(tone(frequency, level), 0, 300);
        for (int i = 0; i < x.length; i++) {
            double ideal = level * Math.sin(2 * Math.PI * frequency * i / 48_000.0) * 32767;
            assertEquals(ideal, x[i], 1.01, "sample " + i + " (frame " + i / 480 + ")");
        }
        // and no jump at any frame boundary: the largest step is that of the sine itself
        double maxSineStep = level * 32767 * 2 * Math.PI * frequency / 48_000.0;
        assertTrue(Signals.maxStep(x, 0, x.length) <= maxSineStep + 2, "max step " + Signals.maxStep(x, 0, x.length));
    }

    @Test
    void oneFramePerTick_sameArrayWithinATick_andNoAdvanceWithoutTicks() {
        ToneInput input = tone(440, 0.5);
        byte[] first = input.frame(7);
        assertSame(first, input.frame(7), "a second call in the same tick gets the same frame");
        byte[] second = input.frame(8);
        // ticks 9 to 999 were not asked for (nobody used the device): the tone continues where it stopped
        byte[] third = input.frame(1000);
        List<byte[]> frames = List.of(first, second, third);
        short[] x = Signals.samples(frames);
        for (int i = 0; i < x.length; i++) {
            double ideal = 0.5 * Math.sin(2 * Math.PI * 440 * i / 48_000.0) * 32767;
            assertEquals(ideal, x[i], 1.01, "sample " + i);
        }
    }

    @Test
    void removedInput_sendsSilence_andCannotBeUsed() {
        ToneInput input = tone(440, 0.5);
        input.acquire();
        input.close();
        assertSame(Pcm.SILENT_FRAME, input.frame(1));
        assertThrows(ai.alo.audio.media.AudioDeviceException.class, input::acquire);
    }
}
