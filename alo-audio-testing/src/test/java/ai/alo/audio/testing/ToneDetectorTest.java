package ai.alo.audio.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import org.junit.jupiter.api.Test;

/** Tone generation and detection, against each other and against exact values. */
class ToneDetectorTest {

    private static byte[] seconds(ToneGenerator generator, double seconds) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < Math.round(seconds * 100); i++) {
            out.writeBytes(generator.nextFrame());
        }
        return out.toByteArray();
    }

    @Test
    void generator_frames_are960Bytes_andContinuous() {
        ToneGenerator generator = new ToneGenerator(440, 0.5);
        byte[] first = generator.nextFrame();
        byte[] second = generator.nextFrame();
        assertEquals(ToneGenerator.FRAME_BYTES, first.length);
        assertEquals(960, second.length);
        assertEquals(java.util.Arrays.toString(ToneGenerator.frame(440, 0.5, 1)), java.util.Arrays.toString(second),
                "the stateless form gives the same second frame");
    }

    @Test
    void level_ofASine_isAmplitudeOverRootTwo() {
        byte[] pcm = seconds(new ToneGenerator(1000, 0.5), 1);
        assertEquals(0.5 / Math.sqrt(2), ToneDetector.level(pcm), 0.002);
        assertEquals(-9.03, ToneDetector.dbfs(pcm), 0.05);
        assertEquals(0, ToneDetector.level(ToneGenerator.silence()));
        assertEquals(Double.NEGATIVE_INFINITY, ToneDetector.dbfs(ToneGenerator.silence()));
    }

    @Test
    void dominantFrequency_ofTones_isWithinOneHertz() {
        for (double hz : new double[] {100, 440, 660, 880.5, 1234, 3000, 7999}) {
            byte[] pcm = seconds(new ToneGenerator(hz, 0.3), 0.2);
            assertEquals(hz, ToneDetector.dominantFrequency(pcm, 48_000), 1.0, () -> "tone " + hz);
        }
        assertTrue(Double.isNaN(ToneDetector.dominantFrequency(new byte[2048], 48_000)), "silence has none");
        assertThrows(IllegalArgumentException.class, () -> ToneDetector.dominantFrequency(new byte[100], 48_000));
    }

    @Test
    void amplitudeAt_seesItsFrequency_andNotAnother() {
        byte[] pcm = seconds(new ToneGenerator(440, 0.5), 0.5);
        assertEquals(0.5, ToneDetector.amplitudeAt(pcm, 440, 48_000), 0.01);
        assertTrue(ToneDetector.amplitudeAt(pcm, 660, 48_000) < 0.01);
    }

    @Test
    void energyFraction_ofAPureTone_liesInItsBand() {
        byte[] pcm = seconds(new ToneGenerator(660, 0.5), 0.5);
        assertTrue(ToneDetector.energyFraction(pcm, 640, 680, 48_000) > 0.99);
        assertTrue(ToneDetector.energyFraction(pcm, 400, 480, 48_000) < 0.001);
    }

    @Test
    void streamingDetector_followsTheLatestWindow() {
        ToneDetector detector = new ToneDetector();
        ToneGenerator low = new ToneGenerator(440, 0.5);
        ToneGenerator high = new ToneGenerator(880, 0.25);
        assertTrue(Double.isNaN(detector.snapshot().dominantHz()), "nothing heard yet");
        for (int i = 0; i < 30; i++) {
            detector.accept(low.nextFrame());
        }
        ToneDetector.Snapshot first = detector.snapshot();
        assertEquals(30, first.frames());
        assertEquals(440, first.dominantHz(), 1.0);
        assertEquals(0.3536, first.level(), 0.005);
        for (int i = 0; i < 5; i++) {
            detector.accept(ToneGenerator.silence());
        }
        for (int i = 0; i < 30; i++) {
            detector.accept(high.nextFrame());
        }
        ToneDetector.Snapshot second = detector.snapshot();
        assertEquals(880, second.dominantHz(), 1.0);
        assertEquals(0.1768, second.level(), 0.005);
        assertEquals(5, second.silentFrames());
        assertEquals(65 * 480, second.samples());
        assertThrows(IllegalArgumentException.class, () -> detector.accept(new byte[3]));
    }

    @Test
    void constantFrames_holdExactSamples() {
        byte[] frame = ToneGenerator.constant(-12345);
        assertEquals((byte) (-12345 & 0xff), frame[0]);
        assertEquals((byte) (-12345 >> 8), frame[1]);
        assertEquals(12345 / 32768.0, ToneDetector.level(frame), 1e-9);
        assertThrows(IllegalArgumentException.class, () -> ToneGenerator.constant(40_000));
        assertThrows(IllegalArgumentException.class, () -> new ToneGenerator(0, 0.5));
        assertThrows(IllegalArgumentException.class, () -> new ToneGenerator(440, 1.5));
    }
}
