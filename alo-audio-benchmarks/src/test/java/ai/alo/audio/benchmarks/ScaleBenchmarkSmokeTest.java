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
 * Runs the clients-per-JVM benchmark end to end with a few clients: a server process, the ramp, the steady window, a
 * SIGKILL of the server and the release. Checks the contract it measures (every client's event exactly once, the
 * runtime's threads within its bound and gone after close), not the numbers: those are for {@code bin/benchmark}.
 */
class ScaleBenchmarkSmokeTest {

    @Test
    void connectsAFewClientsKillsTheServerAndSeesEveryEventOnce() {
        Args args = ScaleBenchmark.args().parse("--clients", "30", "--channel-size", "10", "--steady-seconds", "1",
                "--after-kill-seconds", "1", "--settle-ms", "200", "--server-jvm-args",
                "-Xms64m -Xmx256m -XX:TieredStopAtLevel=1",
                "--output", "target/smoke-scale.md");
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        ScaleBenchmark.Result r = assertTimeoutPreemptively(Duration.ofSeconds(40),
                () -> ScaleBenchmark.run(args, new PrintStream(progress, true, StandardCharsets.UTF_8)));
        String report = ScaleBenchmark.markdown(r, finished());

        assertEquals(30, r.connected, report);
        assertEquals(30, r.exactlyOnce, report);
        assertEquals(0, r.missing, report);
        assertEquals(0, r.duplicated, report);
        assertEquals(30, r.lostConnectionMessage, report);
        assertEquals(0, r.secondEvents, report);
        assertTrue(r.eventsBeforeKill.isEmpty(), report);
        assertTrue(r.loadedThreads.size() <= r.threadBound, report);
        assertEquals(0, r.threadsAfterClose, report);
        assertEquals(0, r.openConnectionsAfterClose, report);
        assertTrue(report.contains("| SIGKILL → `DisconnectEvent`: arrived exactly once | 30 of 30"), report);
    }

    static RunInfo finished() {
        RunInfo info = new RunInfo();
        info.finish();
        return info;
    }
}
