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
 * Runs the reconnect benchmark with a few trials of each part (no latency spikes: they take seconds each) and checks
 * that every part measured what it says and that the report holds its rows; the numbers are for {@code bin/benchmark
 * reconnect}.
 */
class ReconnectBenchmarkSmokeTest {

    @Test
    void runsEveryPartWithFewTrials() {
        Args args = ReconnectBenchmark.args().parse("--cut-trials", "5", "--cut-warmup", "1", "--hole-trials", "1",
                "--restart-trials", "1", "--restart-downs", "500", "--spike-clients", "2", "--spike-rounds", "0",
                "--spread-clients", "30", "--output", "target/smoke-reconnect.md");
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        ReconnectBenchmark.Result r = new ReconnectBenchmark.Result();
        assertTimeoutPreemptively(Duration.ofSeconds(90),
                () -> ReconnectBenchmark.run(args, r, new PrintStream(progress, true, StandardCharsets.UTF_8)));
        String report = ReconnectBenchmark.markdown(r, ScaleBenchmarkSmokeTest.finished(), args);

        assertEquals(5, r.cut.count(), report);
        assertEquals(5, r.cutBack.count(), report);
        assertEquals(1, r.hole.count(), report);
        // the heartbeat cannot detect a black hole before its timeout (1.8 s), less a loaded machine's round trip
        assertTrue(r.hole.max() > Duration.ofMillis(1_500).toNanos(), report);
        assertEquals(1, r.backRaw.get(500).count(), report);
        assertEquals(1, r.backAttempt.get(500).count(), report);
        assertEquals(30, r.spread.count(), report);
        assertEquals("every client: one loss, one reconnect", r.spreadProblems, report);
        assertEquals(0, r.spikeDisconnects, report);
        assertTrue(report.contains("| a | `proxy.cut()` called -> `ERROR` event delivered | 5 |"), report);
        assertTrue(report.contains("**(e) The spread of 30 reconnects**"), report);
    }
}
