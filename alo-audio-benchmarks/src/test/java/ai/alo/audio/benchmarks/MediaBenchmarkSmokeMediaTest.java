package ai.alo.audio.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Runs a tiny media benchmark for real (a reference service process with its relay, a client runtime with media, bare
 * webrtc-java pairs) and checks the contract checks it makes on every iteration; the numbers are for
 * {@code bin/benchmark media}. A media test: it runs in the surefire execution {@code media-tests}, inside
 * {@code bin/netns-exec}.
 */
class MediaBenchmarkSmokeMediaTest {

    @Test
    void latencyPart_joinsDisconnectsAndHearsOnsets_andLeavesNothingOpen() {
        Args args = MediaBenchmark.args().parse("--part", "latency", "--joins", "2", "--join-warmup", "1",
                "--disconnects", "4", "--disconnect-warmup", "0", "--onsets", "3", "--onset-warmup", "1",
                "--server-jvm-args", "-Xms64m -Xmx128m -XX:TieredStopAtLevel=1",
                "--output", "target/smoke-media.md");
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        MediaBenchmark.Result r = assertTimeoutPreemptively(Duration.ofSeconds(90),
                () -> MediaBenchmark.run(args, new PrintStream(progress, true, StandardCharsets.UTF_8)));
        String report = MediaBenchmark.markdown(r, ScaleBenchmarkSmokeTest.finished());

        // join: every join heard the speaker, on both sides
        assertEquals(0, r.joinMissed + r.bareJoinMissed, report);
        assertEquals(2, r.joinListenerAudible.count(), report);
        assertEquals(2, r.joinSpeakerAudible.count(), report);
        assertEquals(2, r.bareListenerAudible.count(), report);
        assertEquals(2, r.bareSpeakerAudible.count(), report);
        // the first audible frame cannot come before connect() completed (media is up when it completes)
        assertTrue(r.joinListenerAudible.min() >= r.joinListenerConnect.min(), report);
        // disconnect: media was running before each call, and each call left the client DISCONNECTED
        assertEquals(4, r.oursDisconnect.count(), report);
        assertEquals(4, r.bareClose.count(), report);
        assertEquals(0, r.disconnectNoAudio + r.bareNoAudio + r.disconnectWrongState, report);
        assertEquals(0, r.sessionsLeft, report);
        // mouth-to-ear: the onsets were sent and heard through the relay and directly
        assertEquals(3, r.oursOnsetsSent, report);
        assertEquals(3, r.bareOnsetsSent, report);
        assertEquals(3, r.oursMouthToEar.count() + r.oursOnsetsMissed, report);
        assertTrue(r.oursMouthToEar.count() >= 1 && r.bareMouthToEar.count() >= 1, report);
        // everything closed: fewer threads than while the engines ran (each closed engine keeps 2 native threads)
        assertTrue(r.tasksAtEnd < r.tasksAfterWarmup, report);
        assertTrue(report.contains("#### Join to the first audible frame"), report);
        assertTrue(report.contains("| ours: disconnect() with media running | 4 |"), report);
    }

    @Test
    void memoryPart_readsResidentMemoryEverySampleAndFitsASlope() {
        Args args = MediaBenchmark.args().parse("--part", "memory", "--subject", "bare", "--sessions", "4",
                "--session-warmup", "1", "--sample-every", "2", "--output", "target/smoke-media-memory.md");
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        MediaBenchmark.Result r = assertTimeoutPreemptively(Duration.ofSeconds(60),
                () -> MediaBenchmark.run(args, new PrintStream(progress, true, StandardCharsets.UTF_8)));
        String report = MediaBenchmark.markdown(r, ScaleBenchmarkSmokeTest.finished());

        // readings at 0, 2 and after the last (4)
        assertEquals(3, r.memory.size(), report);
        assertEquals(4, r.memory.get(r.memory.size() - 1).session(), report);
        assertTrue(r.memory.stream().allMatch(p -> p.rssKib() > 0 && p.anonKib() > 0 && p.tasks() > 0), report);
        assertEquals(0, r.memoryNoAudio, report);
        assertEquals(0, r.sessionsLeft, report);
        assertTrue(!Double.isNaN(MediaBenchmark.slope(r.memory, MediaBenchmark.MemoryPoint::rssKib)), report);
        assertTrue(report.contains("Slope (least squares)"), report);
    }
}
