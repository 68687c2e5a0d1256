package ai.alo.audio.impl.rtc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/netns-exec}, which every media test runs in (through {@code bin/netns-java}): the namespace it makes, what
 * it passes through, and its cleanup on every exit path. Needs root, as the media tests do (CI runs as root); without
 * it the script must refuse with a clear message, and that is what is checked then.
 */
class NetnsExecScriptTest {

    private static Path script;
    private static boolean root;

    @TempDir
    Path work;

    @BeforeAll
    static void find() throws Exception {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isExecutable(dir.resolve("bin/netns-exec"))) {
            dir = dir.getParent();
        }
        assertTrue(dir != null, "bin/netns-exec found above " + Path.of("").toAbsolutePath());
        script = dir.resolve("bin/netns-exec");
        Process id = new ProcessBuilder("id", "-u").start();
        root = new String(id.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip().equals("0");
        id.waitFor();
    }

    @Test
    void command_runsInAFreshNamespace_withStdinEnvCwdAndExitStatusPassedThrough() throws Exception {
        Result r = run(List.of("bash", "-c", "read line; echo \"in=$line ns=$ALO_NETNS pwd=$(pwd)\"; "
                + "ip -br -4 addr; exit 7"), "hello\n");
        if (!root) {
            assertNotRoot(r);
            return;
        }
        assertEquals(7, r.status, r.output);
        assertTrue(r.output.contains("in=hello"), r.output);
        assertTrue(r.output.contains("pwd=" + work), r.output);
        assertTrue(r.output.matches("(?s).*ns=alo-\\d+-\\d+.*"), r.output);
        assertTrue(r.output.contains("10.77.0.1/24") && r.output.contains("10.77.0.2/24"), r.output);
        assertTrue(r.output.contains("127.0.0.1/8"), "lo is up: " + r.output);
        assertFalse(r.output.matches("(?s).*\\beth\\d.*"), "no host interface inside: " + r.output);
        String ns = r.output.replaceAll("(?s).*ns=(alo-\\d+-\\d+).*", "$1");
        assertFalse(namespaces().contains(ns), "namespace " + ns + " deleted afterwards");
    }

    @Test
    void processesLeftInTheNamespace_areKilled_whenTheCommandEnds() throws Exception {
        Path pidFile = work.resolve("orphan.pid");
        Result r = run(List.of("bash", "-c", "setsid sleep 600 </dev/null >/dev/null 2>&1 & echo $! > " + pidFile
                + "; exit 3"), "");
        if (!root) {
            assertNotRoot(r);
            return;
        }
        assertEquals(3, r.status, r.output);
        long pid = Long.parseLong(Files.readString(pidFile).strip());
        assertFalse(running(pid), "the orphaned process " + pid + " was killed");
    }

    @Test
    void sigterm_toTheScript_killsTheCommandAndRemovesTheNamespace() throws Exception {
        if (!root) {
            assertNotRoot(run(List.of("true"), ""));
            return;
        }
        Path pidFile = work.resolve("child.pid");
        Path nsFile = work.resolve("ns");
        Process p = new ProcessBuilder(script.toString(), "bash", "-c", "echo $ALO_NETNS > " + nsFile
                + "; sleep 600 & echo $! > " + pidFile + "; wait").directory(work.toFile())
                .redirectErrorStream(true).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!(Files.exists(pidFile) && Files.size(pidFile) > 0)) {
            assertTrue(System.nanoTime() < deadline, "the command started");
            Thread.onSpinWait();
        }
        long pid = Long.parseLong(Files.readString(pidFile).strip());
        String ns = Files.readString(nsFile).strip();
        assertTrue(namespaces().contains(ns));
        p.destroy(); // SIGTERM, as Surefire does with a fork that timed out
        assertTrue(p.waitFor(20, TimeUnit.SECONDS));
        assertEquals(143, p.exitValue());
        assertFalse(running(pid), "the command's child was killed");
        assertFalse(namespaces().contains(ns), "namespace removed");
    }

    /** Alive and not a zombie (killed orphans stay zombies in a container whose PID 1 does not reap them). */
    private static boolean running(long pid) throws IOException {
        Path stat = Path.of("/proc", Long.toString(pid), "stat");
        if (!Files.exists(stat)) {
            return false;
        }
        String text;
        try {
            text = Files.readString(stat);
        } catch (java.nio.file.NoSuchFileException e) {
            return false;
        }
        char state = text.charAt(text.lastIndexOf(')') + 2);
        return state != 'Z' && state != 'X';
    }

    private static void assertNotRoot(Result r) {
        assertEquals(125, r.status, r.output);
        assertTrue(r.output.contains("needs root"), r.output);
    }

    private Result run(List<String> command, String stdin) throws IOException, InterruptedException {
        List<String> full = new ArrayList<>();
        full.add(script.toString());
        full.addAll(command);
        Process p = new ProcessBuilder(full).directory(work.toFile()).redirectErrorStream(true).start();
        p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "bin/netns-exec ended");
        return new Result(p.exitValue(), out);
    }

    private static List<String> namespaces() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("ip", "netns", "list").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        List<String> names = new ArrayList<>();
        for (String line : out.split("\n")) {
            if (!line.isBlank()) {
                names.add(line.split(" ")[0]);
            }
        }
        return names;
    }

    private record Result(int status, String output) {
    }
}
