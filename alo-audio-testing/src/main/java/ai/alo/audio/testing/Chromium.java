package ai.alo.audio.testing;

import jakarta.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A headless Chromium (Debian's {@code chromium} package, installed by {@code bin/setup}) started for a test and
 * driven over the Chrome DevTools Protocol.
 *
 * <pre>{@code
 * try (Chromium chromium = Chromium.launch();
 *      ChromiumPage page = chromium.open(URI.create("http://127.0.0.1:" + port + "/console/"))) {
 *     assertEquals(2, page.evaluateNumber("1 + 1"));
 * }
 * }</pre>
 *
 * <h2>The browser</h2>
 * <p>{@link #launch()} starts {@code /usr/lib/chromium/chromium} (the binary behind Debian's {@code /usr/bin/chromium}
 * wrapper, which would add Google API keys and extensions; override with the system property
 * {@value #EXECUTABLE_PROPERTY}) with the command line measured in {@code webrtc-notes.md} ("Working Chromium command
 * line": new headless mode, no sandbox because tests run as root, fake microphone and automatic media permission,
 * autoplay without a gesture, background services off, raw IP host candidates instead of mDNS names), plus: a fresh
 * temporary profile ({@code --user-data-dir}), {@code HOME} in that temporary directory too (so nothing is written to
 * the real home, and the crash handler, which Chromium starts outside its own process tree, can be found; the
 * switch that would stop it, {@code --disable-crashpad-for-testing}, breaks navigation in this version), the
 * DevTools port chosen by Chromium ({@code --remote-debugging-port=0}, read back from
 * {@code <profile>/DevToolsActivePort}), no proxy, no host name resolution but {@code localhost}, no timer throttling
 * of background pages. {@link #open(URI)} accepts only loopback addresses and {@code data:} / {@code about:blank}.
 *
 * <h2>Release</h2>
 * <p>{@link #close()} asks the browser to quit ({@code Browser.close}), waits a few seconds, then kills with SIGKILL
 * whatever is left of it: the process, its descendants, and every other process whose command line names this
 * instance's temporary directory (the crash handler, which Chromium re-parents to init). Then it deletes the
 * temporary directory. It is idempotent and runs from a JVM shutdown hook as well if a test forgets it. A JVM that
 * dies abruptly (a native abort) cannot run it: then the browser is left to the script that started the tests
 * ({@code bin/test} kills its process group; {@code bin/netns-exec} kills everything in its namespace).
 *
 * <h2>Threads</h2>
 * <p>Thread-safe. One DevTools WebSocket per browser; its messages arrive on daemon threads {@code alo-devtools-N} of
 * one JDK {@code HttpClient} shared by the JVM. No other thread is started, except the JVM shutdown hook's (only
 * at JVM exit) and the JDK's process reaper.
 */
public final class Chromium implements AutoCloseable {

    /** System property naming the Chromium executable to start instead of the default. */
    public static final String EXECUTABLE_PROPERTY = "alo.chromium";

    /** The real binary of Debian's {@code chromium} package. */
    static final Path DEBIAN_BINARY = Path.of("/usr/lib/chromium/chromium");
    /** Debian's wrapper script. */
    static final Path DEBIAN_WRAPPER = Path.of("/usr/bin/chromium");

    /** The flags of {@code webrtc-notes.md}, "Working Chromium command line", and ours (see the class comment). */
    static final List<String> FLAGS = List.of(
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--no-default-browser-check",
            "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream",
            "--autoplay-policy=no-user-gesture-required",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-default-apps",
            "--disable-extensions",
            // one --disable-features only: Chromium honours the last one it sees
            "--disable-features=WebRtcHideLocalIpsWithMdns,Translate,MediaRouter,OptimizationHints",
            "--disable-dev-shm-usage",
            "--disable-breakpad",
            "--disable-client-side-phishing-detection",
            "--disable-domain-reliability",
            "--no-pings",
            "--no-proxy-server",
            "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.*, EXCLUDE [::1]",
            "--disable-background-timer-throttling",
            "--disable-renderer-backgrounding",
            "--disable-backgrounding-occluded-windows",
            "--remote-debugging-port=0");

    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration QUIT_GRACE = Duration.ofSeconds(5);
    private static final Duration KILL_WAIT = Duration.ofSeconds(10);
    private static final int LOG_TAIL_LINES = 40;

    private final Process process;
    private final Path root;
    private final Path log;
    private final DevToolsConnection devTools;
    private final Map<String, ChromiumPage> pages = new ConcurrentHashMap<>();
    /** Page sessions by DevTools session id, for the events (shared with the connection's event listener). */
    private final Map<String, ChromiumPage> routing;
    private final Thread shutdownHook;
    private final Object closeLock = new Object();
    private volatile boolean closed;

    private Chromium(Process process, Path root, Path log, DevToolsConnection devTools,
                     Map<String, ChromiumPage> routing) {
        this.process = process;
        this.routing = routing;
        this.root = root;
        this.log = log;
        this.devTools = devTools;
        this.shutdownHook = new Thread(this::release, "alo-chromium-shutdown");
    }

    /**
     * Whether Chromium is installed where {@link #launch()} looks for it.
     *
     * @return {@code true} when the executable exists
     */
    public static boolean isInstalled() {
        return Files.isExecutable(executable());
    }

    /**
     * Starts a headless Chromium with a fresh profile and connects to its DevTools endpoint. Blocks until the browser
     * accepts DevTools calls (typically 0.5-2 s; at most 30 s).
     *
     * @return the running browser; close it
     * @throws ChromiumException if Chromium is not installed ("run bin/setup"), does not start, or its DevTools
     *                           endpoint cannot be reached
     */
    public static Chromium launch() {
        Path executable = executable();
        if (!Files.isExecutable(executable)) {
            throw new ChromiumException("Chromium is not installed (no executable " + executable
                    + "): run bin/setup, which installs Debian's chromium package (as root), or set the system "
                    + "property " + EXECUTABLE_PROPERTY + " to a Chromium executable");
        }
        Path root;
        try {
            root = Files.createTempDirectory("alo-chromium-");
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create Chromium's temporary directory", e);
        }
        Path profile = root.resolve("profile");
        Path home = root.resolve("home");
        Path log = root.resolve("chromium.log");
        Process process = null;
        try {
            Files.createDirectories(profile);
            Files.createDirectories(home);
            List<String> command = new ArrayList<>();
            command.add(executable.toString());
            command.addAll(FLAGS);
            command.add("--user-data-dir=" + profile);
            command.add("about:blank");
            ProcessBuilder builder = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            Map<String, String> environment = builder.environment();
            environment.put("HOME", home.toString());
            environment.put("XDG_CONFIG_HOME", home.resolve(".config").toString());
            environment.put("XDG_CACHE_HOME", home.resolve(".cache").toString());
            environment.remove("GOOGLE_API_KEY");
            environment.remove("GOOGLE_DEFAULT_CLIENT_ID");
            environment.remove("GOOGLE_DEFAULT_CLIENT_SECRET");
            process = builder.start();
            process.getOutputStream().close();
            URI endpoint = awaitDevToolsEndpoint(process, profile, log);
            Map<String, ChromiumPage> routing = new ConcurrentHashMap<>();
            DevToolsConnection devTools = DevToolsConnection.open(endpoint, CALL_TIMEOUT, (sessionId, event) -> {
                ChromiumPage page = sessionId == null ? null : routing.get(sessionId);
                if (page != null) {
                    page.onEvent(event);
                }
            });
            Chromium chromium = new Chromium(process, root, log, devTools, routing);
            Runtime.getRuntime().addShutdownHook(chromium.shutdownHook);
            return chromium;
        } catch (IOException | RuntimeException e) {
            String tail = tail(log);
            if (process != null) {
                killTree(process, root);
            }
            deleteTree(root);
            if (e instanceof ChromiumException chromium) {
                throw chromium;
            }
            throw new ChromiumException("Cannot start Chromium: " + e + tail, e);
        }
    }

    /**
     * Opens a new tab on {@code url} and waits until its document has loaded ({@code readyState == "complete"}).
     *
     * @param url an {@code http://} or {@code https://} address on a loopback host ({@code 127.0.0.0/8},
     *            {@code ::1}, {@code localhost}), or a {@code data:} URL, or {@code about:blank}
     * @return the page; closing it closes the tab
     * @throws IllegalArgumentException if the address is not on loopback
     * @throws ChromiumException        if the page cannot be opened or does not load within 30 s
     */
    public ChromiumPage open(URI url) {
        return open(url, false);
    }

    /**
     * Opens a page as {@link #open(URI)} does, optionally recording the text of every WebSocket frame it sends and
     * receives from the start ({@link ChromiumPage#webSocketFramesSent()}), for tests that check what a page says on
     * the wire.
     *
     * @param url                   as for {@link #open(URI)}
     * @param recordWebSocketFrames whether to record WebSocket frames
     * @return the page
     * @throws IllegalArgumentException if the address is not on loopback
     * @throws ChromiumException        if the page cannot be opened or does not load within 30 s
     */
    public ChromiumPage open(URI url, boolean recordWebSocketFrames) {
        Objects.requireNonNull(url, "url");
        requireLoopback(url);
        requireOpen();
        String targetId = devTools.call(null, "Target.createTarget",
                DevToolsConnection.object().add("url", "about:blank").build(), CALL_TIMEOUT).getString("targetId");
        String sessionId = devTools.call(null, "Target.attachToTarget",
                DevToolsConnection.object().add("targetId", targetId).add("flatten", true).build(), CALL_TIMEOUT)
                .getString("sessionId");
        ChromiumPage page = new ChromiumPage(this, targetId, sessionId);
        routing.put(sessionId, page);
        pages.put(targetId, page);
        try {
            page.call("Runtime.enable", null);
            page.call("Log.enable", null);
            page.call("Page.enable", null);
            if (recordWebSocketFrames) {
                page.call("Network.enable", null);
            }
            JsonObject navigation = page.call("Page.navigate",
                    DevToolsConnection.object().add("url", url.toString()).build());
            String error = navigation.getString("errorText", "");
            if (!error.isEmpty()) {
                throw new ChromiumException("Cannot open " + ChromiumPage.withoutFragment(url) + ": " + error);
            }
            page.awaitTrue("document.readyState === 'complete'", CALL_TIMEOUT);
            return page;
        } catch (RuntimeException e) {
            page.close();
            throw e;
        }
    }

    /**
     * The browser's process id (its descendants are the renderer, GPU, network and other helper processes).
     *
     * @return the pid
     */
    public long pid() {
        return process.pid();
    }

    /**
     * Every live process of this browser: the browser process, its descendants, and the processes re-parented away
     * from it (its crash handler), found by the temporary directory in their command line. Zombies are left out.
     *
     * @return process ids, the browser's first; empty once closed
     */
    public List<Long> processIds() {
        return List.copyOf(processesOf(process, root));
    }

    /**
     * The browser's version, as DevTools reports it (such as {@code HeadlessChrome/156.0.8078.114}).
     *
     * @return the product string
     */
    public String version() {
        requireOpen();
        return devTools.call(null, "Browser.getVersion", null, CALL_TIMEOUT).getString("product", "");
    }

    /**
     * The last lines Chromium wrote to stdout and stderr (it logs harmless D-Bus errors on this kind of machine).
     *
     * @return up to 40 lines, or empty once closed
     */
    public String logTail() {
        return tail(log).strip();
    }

    /**
     * Quits the browser and releases everything it holds: pages, the DevTools connection, every process, the
     * temporary directory. Returns when the processes are gone (bounded: about 15 s at worst). Idempotent.
     */
    @Override
    public void close() {
        release();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // the JVM is shutting down: the hook runs (or ran) release() itself
        }
    }

    private void release() {
        synchronized (closeLock) {
            if (closed) {
                return;
            }
            closed = true;
        }
        try {
            if (devTools.isOpen()) {
                try {
                    devTools.call(null, "Browser.close", null, Duration.ofSeconds(2));
                } catch (ChromiumException e) {
                    // the browser may close the connection before it answers; the kill below makes sure
                }
            }
            process.waitFor(QUIT_GRACE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            devTools.close();
            pages.clear();
            routing.clear();
            killTree(process, root);
            deleteTree(root);
        }
    }

    void requireOpen() {
        if (closed) {
            throw new ChromiumException("This Chromium is closed");
        }
    }

    DevToolsConnection devTools() {
        return devTools;
    }

    void forget(ChromiumPage page) {
        pages.remove(page.targetId());
        routing.remove(page.sessionId());
    }

    boolean isClosed() {
        return closed;
    }

    // ---------------------------------------------------------------- internals

    private static Path executable() {
        String configured = System.getProperty(EXECUTABLE_PROPERTY);
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured);
        }
        return Files.isExecutable(DEBIAN_BINARY) ? DEBIAN_BINARY : DEBIAN_WRAPPER;
    }

    static void requireLoopback(URI url) {
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if (scheme.equals("data") || url.toString().equals("about:blank")) {
            return;
        }
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException("Only http(s) pages on loopback, data: and about:blank may be opened, "
                    + "not " + ChromiumPage.withoutFragment(url));
        }
        String host = url.getHost();
        boolean loopback;
        try {
            // only literals are parsed (no resolver is asked about a name)
            loopback = host != null && (host.equalsIgnoreCase("localhost") || isLiteral(host)
                    && InetAddress.getByName(host.startsWith("[") ? host.substring(1, host.length() - 1) : host)
                    .isLoopbackAddress());
        } catch (UnknownHostException e) {
            loopback = false;
        }
        if (!loopback) {
            throw new IllegalArgumentException("Test pages may be opened only on a loopback address (127.0.0.0/8, "
                    + "::1, localhost), not " + ChromiumPage.withoutFragment(url));
        }
    }

    /** An IP literal (never a name that a resolver could map to loopback today and elsewhere tomorrow). */
    private static boolean isLiteral(String host) {
        return host.startsWith("[") || host.chars().allMatch(c -> c == '.' || Character.isDigit(c))
                || host.contains(":");
    }

    private static URI awaitDevToolsEndpoint(Process process, Path profile, Path log) throws IOException {
        Path portFile = profile.resolve("DevToolsActivePort");
        long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new ChromiumException("Chromium exited with status " + process.exitValue()
                        + " before its DevTools endpoint was ready" + tail(log));
            }
            try {
                List<String> lines = Files.readAllLines(portFile, StandardCharsets.UTF_8);
                if (lines.size() >= 2 && !lines.get(0).isBlank() && lines.get(1).startsWith("/")) {
                    int port = Integer.parseInt(lines.get(0).strip());
                    return URI.create("ws://127.0.0.1:" + port + lines.get(1).strip());
                }
            } catch (NoSuchFileException e) {
                // not yet
            } catch (NumberFormatException e) {
                // written half; read again
            }
            try {
                Thread.sleep(25);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ChromiumException("Interrupted while waiting for Chromium to start", e);
            }
        }
        throw new ChromiumException("Chromium did not open its DevTools endpoint within " + STARTUP_TIMEOUT
                + tail(log));
    }

    /** The browser, its descendants, and processes whose command line names {@code root}; no zombies. */
    private static Set<Long> processesOf(Process process, Path root) {
        Set<Long> pids = new LinkedHashSet<>();
        if (process.isAlive()) {
            pids.add(process.pid());
        }
        process.descendants().forEach(p -> pids.add(p.pid()));
        String marker = root.toString();
        try (Stream<Path> entries = Files.list(Path.of("/proc"))) {
            entries.map(p -> p.getFileName().toString()).filter(name -> name.chars().allMatch(Character::isDigit))
                    .forEach(name -> {
                        try {
                            byte[] cmdline = Files.readAllBytes(Path.of("/proc", name, "cmdline"));
                            if (new String(cmdline, StandardCharsets.UTF_8).contains(marker)) {
                                pids.add(Long.parseLong(name));
                            }
                        } catch (IOException | RuntimeException e) {
                            // gone meanwhile
                        }
                    });
        } catch (IOException e) {
            // no /proc: descendants only
        }
        pids.removeIf(pid -> !isRunning(pid));
        return pids;
    }

    /**
     * Whether a process exists and is not a zombie (this container's init does not reap re-parented children, so
     * killed helpers may stay as harmless zombies).
     *
     * @param pid a process id
     * @return {@code true} for a live process
     */
    static boolean isRunning(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.UTF_8);
            int end = stat.lastIndexOf(')');
            char state = end > 0 && end + 2 < stat.length() ? stat.charAt(end + 2) : '?';
            return state != 'Z' && state != 'X';
        } catch (IOException e) {
            return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
        }
    }

    /** SIGKILL to every process of the browser, then a bounded wait until none is running. */
    private static void killTree(Process process, Path root) {
        Set<Long> pids = processesOf(process, root);
        for (long pid : pids) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
        process.destroyForcibly();
        long deadline = System.nanoTime() + KILL_WAIT.toNanos();
        try {
            process.waitFor(KILL_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            while (System.nanoTime() < deadline && pids.stream().anyMatch(Chromium::isRunning)) {
                Thread.sleep(20);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void deleteTree(Path root) {
        for (int attempt = 0; attempt < 5 && Files.exists(root); attempt++) {
            try (Stream<Path> walk = Files.walk(root)) {
                List<Path> paths = new ArrayList<>(walk.toList());
                Collections.sort(paths, Comparator.reverseOrder());
                for (Path path : paths) {
                    Files.deleteIfExists(path);
                }
            } catch (IOException | UncheckedIOException e) {
                try {
                    Thread.sleep(50);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private static String tail(Path log) {
        try {
            List<String> lines = new String(Files.readAllBytes(log), StandardCharsets.UTF_8).lines().toList();
            List<String> last = lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size());
            return last.isEmpty() ? "" : "\nChromium's last output:\n" + String.join("\n", last);
        } catch (IOException | UncheckedIOException e) {
            return "";
        }
    }

    @Override
    public String toString() {
        return "Chromium[pid " + process.pid() + (closed ? ", closed" : "") + "]";
    }
}
