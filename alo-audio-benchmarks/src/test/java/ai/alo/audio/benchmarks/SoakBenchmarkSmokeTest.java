package ai.alo.audio.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Runs the soak benchmark with a few cycles and checks its per-cycle checks and its series, not the numbers. */
class SoakBenchmarkSmokeTest {

    @Test
    void cyclesClientsAndMeasuresEveryBlock() {
        Args args = SoakBenchmark.args().parse("--cycles", "40", "--every", "20", "--workers", "2", "--background",
                "2", "--server-jvm-args", "-Xms64m -Xmx128m -XX:TieredStopAtLevel=1", "--output",
                "target/smoke-soak.md");
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        SoakBenchmark.Result r = assertTimeoutPreemptively(Duration.ofSeconds(40),
                () -> SoakBenchmark.run(args, new PrintStream(progress, true, StandardCharsets.UTF_8)));
        String report = SoakBenchmark.markdown(r, ScaleBenchmarkSmokeTest.finished());

        assertEquals(0, r.anomalyCount, report);
        assertEquals(3, r.series.size(), report);
        assertEquals(40, r.allDisconnects.count(), report);
        SoakBenchmark.Checkpoint last = r.series.get(2);
        assertEquals(2, last.openConnections(), report);
        assertEquals(2, last.runtimeClients(), report);
        assertEquals(0, r.threadsAfterClose, report);
        assertEquals(0, r.openConnectionsAfterClose, report);
        assertTrue(report.contains("| 40 |"), report);
    }
}
