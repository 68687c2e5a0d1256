package ai.alo.audio.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The browser harness itself: launch, pages on loopback, evaluation, the page log, and a complete release. */
class ChromiumTest {

    private static final String PAGE = """
            <!doctype html><html><head><title>harness</title></head><body>
            <script>
              window.answer = 42;
              console.log('page says', 7);
              window.later = new Promise(resolve => setTimeout(() => resolve('resolved'), 50));
            </script></body></html>""";

    private static HttpServer http;
    private static Chromium chromium;

    @BeforeAll
    static void start() throws Exception {
        http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        http.createContext("/page", exchange -> {
            byte[] body = PAGE.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/html;charset=utf-8");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        http.start();
        chromium = Chromium.launch();
    }

    @AfterAll
    static void stop() {
        if (chromium != null) {
            chromium.close();
        }
        http.stop(0);
    }

    private static URI page() {
        return URI.create("http://127.0.0.1:" + http.getAddress().getPort() + "/page");
    }

    @Test
    void evaluate_onADataPage_returnsTheValue() {
        try (ChromiumPage page = chromium.open(URI.create("data:text/html,%3Ctitle%3Edata%3C/title%3E"))) {
            assertEquals(2, page.evaluateNumber("1 + 1"));
            assertEquals("data", page.evaluateString("document.title"));
        }
    }

    @Test
    void open_aPageServedOnLoopback_runsItsScript_andRecordsItsConsole() {
        try (ChromiumPage page = chromium.open(page())) {
            assertEquals(42, page.evaluateNumber("window.answer"));
            assertEquals("resolved", page.evaluateString("window.later"), "promises are awaited");
            JsonObject object = page.evaluateObject("({a: 1, b: 'two', c: [true, null]})");
            assertEquals(1, object.getInt("a"));
            assertEquals("two", object.getString("b"));
            page.awaitTrue("true", Duration.ofSeconds(5));
            byte[] png = page.screenshot();
            assertTrue(png.length > 100 && png[1] == 'P' && png[2] == 'N' && png[3] == 'G', "a PNG");
            assertTrue(page.log().contains("console.log: page says 7"), () -> "log: " + page.log());
        }
    }

    @Test
    void evaluate_aThrowingExpression_throwsTheJavaScriptError() {
        try (ChromiumPage page = chromium.open(URI.create("about:blank"))) {
            ChromiumException e = assertThrows(ChromiumException.class,
                    () -> page.evaluate("(() => { throw new TypeError('bad thing'); })()"));
            assertTrue(e.getMessage().contains("TypeError: bad thing"), e.getMessage());
            assertThrows(ChromiumException.class, () -> page.evaluateNumber("'not a number'"));
            assertEquals(3, page.evaluateNumber("1 + 2"), "the page still works");
        }
    }

    @Test
    void awaitTrue_thatNeverHolds_failsAfterItsTimeout_withTheLastValue() {
        try (ChromiumPage page = chromium.open(URI.create("about:blank"))) {
            long start = System.nanoTime();
            ChromiumException e = assertThrows(ChromiumException.class,
                    () -> page.awaitTrue("window.never === 1", Duration.ofMillis(300)));
            assertTrue(System.nanoTime() - start >= Duration.ofMillis(300).toNanos());
            assertTrue(e.getMessage().contains("window.never === 1"), e.getMessage());
        }
    }

    @Test
    void open_anAddressOffLoopback_isRefused_withoutResolvingIt() {
        for (String url : List.of("http://192.0.2.1/", "https://example.com/", "http://10.77.0.1:8080/",
                "file:///etc/passwd", "ftp://127.0.0.1/")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> chromium.open(URI.create(url)), url);
            assertTrue(e.getMessage().contains("loopback") || e.getMessage().contains("Only http"), e.getMessage());
        }
    }

    @Test
    void open_anAddressWithAFragment_keepsTheFragmentOutOfErrors() {
        // nothing listens on port 9 of loopback: the navigation fails
        ChromiumException e = assertThrows(ChromiumException.class,
                () -> chromium.open(URI.create("http://127.0.0.1:9/x#token=secret-value")));
        assertFalse(e.getMessage().contains("secret-value"), e.getMessage());
    }

    @Test
    void close_leavesNoProcessAndNoDirectoryBehind() throws Exception {
        // What one JVM opens once and keeps (the shared DevTools HttpClient's selector) is made before counting.
        Class.forName(DevToolsConnection.class.getName(), true, ChromiumTest.class.getClassLoader());
        long fdsBefore = openFileDescriptors();
        Chromium own = Chromium.launch();
        Path profile;
        List<Long> pids;
        try (ChromiumPage page = own.open(page())) {
            assertEquals(42, page.evaluateNumber("window.answer"));
            assertTrue(own.version().contains("Chrome"), own.version());
            pids = own.processIds();
            assertTrue(pids.size() >= 3, () -> "a browser, its helpers and a renderer: " + pids);
            profile = userDataDir(own.pid());
            assertTrue(Files.isDirectory(profile), profile::toString);
        } finally {
            own.close();
        }
        for (long pid : pids) {
            assertFalse(Chromium.isRunning(pid), () -> "process " + pid + " still runs after close()");
        }
        assertEquals(List.of(), own.processIds());
        assertFalse(Files.exists(profile.getParent()), "the temporary directory is deleted");
        // the DevTools socket and the process's pipes are closed (the socket's close may finish a moment later)
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (openFileDescriptors() > fdsBefore && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(fdsBefore, openFileDescriptors(), "file descriptors of this JVM after close()");
        own.close(); // idempotent
        assertThrows(ChromiumException.class, () -> own.open(URI.create("about:blank")));
    }

    @Test
    void launch_withoutChromium_saysHowToInstallIt() {
        String previous = System.getProperty(Chromium.EXECUTABLE_PROPERTY);
        System.setProperty(Chromium.EXECUTABLE_PROPERTY, "/nonexistent/chromium");
        try {
            assertFalse(Chromium.isInstalled());
            ChromiumException e = assertThrows(ChromiumException.class, Chromium::launch);
            assertTrue(e.getMessage().contains("run bin/setup"), e.getMessage());
        } finally {
            if (previous == null) {
                System.clearProperty(Chromium.EXECUTABLE_PROPERTY);
            } else {
                System.setProperty(Chromium.EXECUTABLE_PROPERTY, previous);
            }
        }
    }

    /** Open file descriptors, not counting jar files (the class loader opens each on first use and keeps it). */
    private static long openFileDescriptors() throws Exception {
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.filter(fd -> !target(fd).endsWith(".jar")).count();
        }
    }

    private static String target(Path fd) {
        try {
            return Files.readSymbolicLink(fd).toString();
        } catch (IOException e) {
            return ""; // closed while listing, or the listing's own descriptor
        }
    }

    /** The browser process's {@code --user-data-dir}, from its command line. */
    private static Path userDataDir(long pid) throws Exception {
        String cmdline = new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline")),
                StandardCharsets.UTF_8).replace('\0', ' ');
        Matcher matcher = Pattern.compile("--user-data-dir=(\\S+)").matcher(cmdline);
        assertTrue(matcher.find(), cmdline);
        return Path.of(matcher.group(1));
    }
}
