package ai.alo.audio.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The media benchmark's measuring parts without WebRTC: onset detection and tagging on generated frames, and the
 * matching of detected onsets to sent bursts, also when the latency is longer than the gate's period.
 */
class MediaBenchmarkEarsTest {

    @Test
    void onsetsOfTheGatedSource_areDetectedOncePerBurst_andTaggedWithTheirTone() {
        MediaBenchmarkEars ears = new MediaBenchmarkEars(0.05, MediaBenchmark.GATE_TONES);
        byte[][][] tones = new byte[MediaBenchmark.GATE_TONES.length][][];
        for (int i = 0; i < tones.length; i++) {
            tones[i] = MediaBenchmarkEars.toneSecond(MediaBenchmark.GATE_TONES[i], 0.5);
        }
        byte[] silence = new byte[960];
        ears.recordOnsets(true);
        for (long k = 0; k < 6 * MediaBenchmark.GATE_PERIOD_FRAMES; k++) {
            ears.heard(k < 5 ? silence : MediaBenchmark.gatedFrame(tones, silence, k - 5));
        }
        List<long[]> onsets = ears.onsets();
        assertEquals(6, onsets.size());
        for (int i = 0; i < onsets.size(); i++) {
            assertEquals(i % 3, onsets.get(i)[1], "burst " + i + " is tagged with its tone");
        }
        assertEquals(0.354, MediaBenchmarkEars.level(tones[0][3]), 0.01);
        assertEquals(0.5, MediaBenchmarkEars.amplitudeAt(tones[1][7], 880), 0.05);
        assertTrue(MediaBenchmarkEars.amplitudeAt(tones[1][7], 440) < 0.05);
    }

    @Test
    void match_pairsEachDetectionWithTheLatestBurstOfItsTone_evenLaterThanOnePeriod() {
        long ms = 1_000_000L;
        // bursts every 500 ms, tones 0, 1, 2, 0, 1
        List<long[]> sent = List.of(new long[] {0, 0}, new long[] {500 * ms, 1}, new long[] {1000 * ms, 2},
                new long[] {1500 * ms, 3}, new long[] {2000 * ms, 4});
        // burst 0 heard after 80 ms, burst 1 missed, burst 2 after 620 ms (later than the next burst), burst 3
        // after 100 ms, burst 4 missed, and a stray detection of tone 1 1.5 s after burst 4 (outside the window)
        List<long[]> detected = List.of(new long[] {80 * ms, 0}, new long[] {1620 * ms, 2},
                new long[] {1600 * ms, 0}, new long[] {3500 * ms, 1});
        List<Long> latencies = MediaBenchmark.match(sent, detected);
        assertEquals(List.of(80 * ms, -1L, 620 * ms, 100 * ms, -1L), latencies);
    }
}
