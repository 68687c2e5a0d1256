package ai.alo.audio.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.alo.audio.testing.Chromium;
import ai.alo.audio.testing.ChromiumPage;
import ai.alo.audio.testing.NetworkNamespace;
import jakarta.json.JsonObject;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The demo that {@code bin/demo} runs still works, audio included: run in its own JVM, as {@code bin/demo} does,
 * from inside the network namespace of the surefire execution {@code media-tests} (WebRTC ignores loopback), which
 * the demo's JVM inherits. A second test holds the channel open and has headless Chromium listen on the web console,
 * with the address and token the demo printed, as a person would.
 */
class DemoApplicationMediaTest {

    /** "   Field unit 3 hears: 440 Hz, level -9.0 dBFS (RMS 0.354 of full scale), 0.50 s of audio; first ..." */
    private static final Pattern HEARS = Pattern.compile(
            "Field unit 3 hears: (\\d+) Hz, level (-?[\\d.]+) dBFS \\(RMS ([\\d.]+) of full scale\\)");
    /** "   Field unit 3 hears: silence, ...; the 440 Hz tone at RMS 0.0001" (or a frequency, from noise) */
    private static final Pattern AFTER = Pattern.compile("Field unit 3 hears: .*; the 440 Hz tone at RMS ([\\d.]+)");
    /** "   Field unit 3 hears the tone no more: last audible frame 80 ms after disconnect() returned" (or "before") */
    private static final Pattern QUIET_AFTER_DISCONNECT = Pattern.compile("Field unit 3 hears the tone no more: "
            + "last audible frame (?:(\\d+) ms after |before )disconnect\\(\\) returned");
    private static final Pattern CONSOLE = Pattern.compile("(http://127\\.0\\.0\\.1:\\d+/console/#\\S+)");

    @BeforeAll
    static void insideTheNamespace() {
        assertTrue(NetworkNamespace.isInside(), NetworkNamespace.describe());
    }

    @Test
    void demo_speaksATone_theSecondClientHearsIt_everyDisconnectIsReported_exitsWithZero() throws Exception {
        Demo demo = Demo.start();
        String text;
        try {
            text = demo.finish(Duration.ofSeconds(90));
        } finally {
            demo.kill();
        }
        System.out.println(text);
        assertEquals(0, demo.exitValue(), text);
        assertTrue(text.contains("media runs inside network namespace"), text);
        assertTrue(text.contains("Web console (a browser joins a channel there with its own WebRTC): "
                + "http://127.0.0.1:"), text);
        assertTrue(text.contains("bin/demo --hold 60"), "how to listen is mentioned: " + text);
        assertTrue(!text.contains("token="), "no token without --hold: " + text);
        assertTrue(text.contains("state=ERROR message=\"Lost connection to the server\""), text);
        assertTrue(text.contains("willReconnect=true"), "the loss will be reconnected: " + text);
        assertTrue(text.contains("@Observes ReconnectedEvent        resumed=true"), "reconnected on its own: " + text);
        assertTrue(text.contains("state=DISCONNECTED message=\"\""), text);
        assertTrue(text.contains("Demo finished"), text);

        // heard after the connect and after the reconnect: the 440 Hz tone, sent at RMS 0.354; heard between -16 and
        // -6 dBFS (Opus keeps the level; a few lost ticks on a loaded machine take some of it, never all)
        Matcher heard = HEARS.matcher(text);
        int times = 0;
        while (heard.find()) {
            times++;
            assertEquals(440, Integer.parseInt(heard.group(1)), 5, heard.group());
            double level = Double.parseDouble(heard.group(3));
            assertTrue(level > 0.16 && level < 0.5, heard.group());
        }
        assertEquals(2, times, text);
        Matcher after = AFTER.matcher(text);
        assertTrue(after.find(), text);
        assertTrue(Double.parseDouble(after.group(1)) < 0.01, after.group());
        // after disconnect() returned, what was in flight plays out (network, relay, jitter buffer), then nothing more
        Matcher quiet = QUIET_AFTER_DISCONNECT.matcher(text);
        assertTrue(quiet.find(), text);
        assertTrue(quiet.group(1) == null || Integer.parseInt(quiet.group(1)) < 500, quiet.group());
    }

    @Test
    void hold_aBrowserOpensThePrintedConsoleAddress_andHearsTheTone() throws Exception {
        Demo demo = Demo.start("--hold", "30");
        try {
            String url = demo.awaitLine(CONSOLE, Duration.ofSeconds(60));
            assertNotNull(url, "the demo printed the console's address with a token: " + demo.output());
            try (Chromium chromium = Chromium.launch();
                 ChromiumPage page = chromium.open(URI.create(url))) {
                page.awaitTrue("window.aloConsole.status().state === 'CONNECTED'", Duration.ofSeconds(15));
                page.awaitTrue("(s => s.receivedLevel > 0.05 && Math.abs(s.receivedPeakHz - 440) < 8)"
                        + "(window.aloConsole.status())", Duration.ofSeconds(10));
                JsonObject status = page.evaluateObject("window.aloConsole.status()");
                System.out.println("The browser hears: receivedLevel " + status.get("receivedLevel")
                        + ", receivedPeakHz " + status.get("receivedPeakHz"));
                assertEquals("dispatch", status.getString("channelId"));
            }
            String text = demo.finish(Duration.ofSeconds(90));
            assertEquals(0, demo.exitValue(), text);
            assertTrue(text.contains("Listener"), "the browser's user is listed among the participants: " + text);
            assertTrue(text.contains("ip netns exec alo-"), "how to open the address from the namespace: " + text);
            assertTrue(text.contains("Demo finished"), text);
        } finally {
            demo.kill();
        }
    }

    /** The demo's JVM, its output read line by line as it comes. */
    private static final class Demo {
        private final Process process;
        private final List<String> lines = new ArrayList<>();
        private final LinkedBlockingQueue<String> fresh = new LinkedBlockingQueue<>();
        private final Thread reader;

        private Demo(Process process) {
            this.process = process;
            this.reader = new Thread(this::read, "demo-output");
            reader.setDaemon(true);
            reader.start();
        }

        static Demo start(String... args) throws IOException {
            String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
            List<String> command = new ArrayList<>(List.of(java, "-Dorg.jboss.weld.executor.threadPoolType=FIXED",
                    "-cp", System.getProperty("java.class.path"), DemoApplication.class.getName()));
            command.addAll(List.of(args));
            return new Demo(new ProcessBuilder(command).redirectErrorStream(true).start());
        }

        private void read() {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    synchronized (lines) {
                        lines.add(line);
                    }
                    fresh.add(line);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        String awaitLine(Pattern pattern, Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                String line = fresh.poll(100, TimeUnit.MILLISECONDS);
                if (line != null) {
                    Matcher m = pattern.matcher(line);
                    if (m.find()) {
                        return m.group(1);
                    }
                }
            }
            return null;
        }

        String finish(Duration timeout) throws InterruptedException {
            assertTrue(process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS), () -> "the demo did not end: "
                    + output());
            reader.join(5000);
            return output();
        }

        int exitValue() {
            return process.exitValue();
        }

        /** Everything printed so far, with the listener's token (printed with --hold) left out. */
        String output() {
            synchronized (lines) {
                return String.join("\n", lines).replaceAll("token=[^&\\s']+", "token=<left out>");
            }
        }

        void kill() {
            process.destroyForcibly();
        }
    }
}
