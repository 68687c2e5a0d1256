package ai.alo.audio.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Proves the benchmark runs end to end with a few iterations of every scenario (a server process, a reset, a SIGKILL
 * per client) and keeps the contract checks it makes on every iteration. Does not judge the numbers: that is what
 * {@code bin/benchmark} is for, on a quiet machine.
 */
class DisconnectBenchmarkSmokeTest {

    @Test
    void runsEveryScenarioWithFewIterations() throws Exception {
        Path output = Path.of("target", "smoke-results.md");
        BenchmarkOptions options = BenchmarkOptions.parse("--disconnect", "20", "--disconnect-warmup", "5",
                "--reset", "5", "--reset-warmup", "2", "--kill", "1", "--kill-warmup", "0", "--kill-settle-ms", "100",
                "--phases", "10", "--phases-warmup", "2", "--output", output.toString());
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        Report report = assertTimeoutPreemptively(Duration.ofSeconds(25),
                () -> DisconnectBenchmark.run(options, new PrintStream(progress, true, StandardCharsets.UTF_8)));

        assertEquals(20, report.oursDisconnect.count());
        assertEquals(20, report.bareReleased.count());
        assertEquals(20, report.disconnectChecked);
        assertEquals(0, report.disconnectWithLiveThreads, "connection threads alive after disconnect() returned");
        assertEquals(5, report.oursReset.count());
        assertEquals(5, report.bareReset.count());
        assertTrue(report.resetWrongMessage.isEmpty(), report.resetWrongMessage::toString);
        assertTrue(report.bareResetWrongCode.isEmpty(), report.bareResetWrongCode::toString);
        assertEquals(1, report.oursKill.count());
        assertEquals(1, report.bareKill.count());
        assertTrue(report.killWrongMessage.isEmpty(), report.killWrongMessage::toString);
        assertNull(report.clientWarnings.get("ALOAUD-1201"), "a thread outlived the close grace");

        String markdown = report.toMarkdown();
        Files.writeString(output, markdown, StandardCharsets.UTF_8);
        assertTrue(markdown.contains("| 1 | **ours**: `disconnect()`"), markdown);
        assertTrue(markdown.contains("| 3b' | bare twin"), markdown);
        assertTrue(markdown.contains("Phase breakdown"), markdown);
    }
}
