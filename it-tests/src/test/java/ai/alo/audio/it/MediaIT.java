package ai.alo.audio.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import ai.alo.audio.AloAudio;
import ai.alo.audio.AloAudioConfig;
import ai.alo.audio.AloAudioRuntime;
import ai.alo.audio.AloAudioRuntimeConfig;
import ai.alo.audio.AudioChannel;
import ai.alo.audio.AudioUser;
import ai.alo.audio.it.app.MediaEars;
import ai.alo.audio.testing.NetworkNamespace;
import ai.alo.audio.testing.ToneDetector;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.logging.Logger;
import java.util.stream.Stream;
import org.jboss.arquillian.container.test.api.Deployer;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Real audio between an application in the server and a client outside it: the deployed application's injected {@code
 * AloAudio} joins a full-duplex channel of the reference service (in the test JVM) with media and speaks a 440 Hz tone
 * (a tone input it adds to its runtime's devices); a client of the test JVM ({@code AloAudio} on a runtime of its own,
 * speaking 660 Hz) hears it, and the application hears the client (its PCM output, read back through {@code
 * /media?op=heard}). Then three redeploys with media in one server JVM: the native library stays mapped once (one
 * distinct {@code libwebrtc-java-*.so} in {@code /proc/<server pid>/maps}, no copy left in the server's {@code
 * java.io.tmpdir}) and the server's thread count (native threads included, {@code /proc/<pid>/task}) stays flat but
 * for the two native threads webrtc-java 0.14.0 leaves per closed engine, one engine per deployment ({@link
 * #ENGINE_LEFTOVERS}).
 *
 * <p>The application bundles neither alo-audio-rtc nor webrtc-java: the server provides them once (WildFly module
 * {@code ai.alo.audio.rtc}, Payara domain {@code lib/}; see {@link Deployments#mediaWar}).
 *
 * <p>A media test: runs only in the failsafe executions {@code wildfly-media} and {@code payara-media}, whose JVM (and
 * with it the managed server) runs inside the network namespace of {@code bin/netns-exec}: WebRTC ignores loopback;
 * signalling and HTTP use 127.0.0.1, the media the namespace's veth pair. Figures of each run: {@code
 * target/media-<server>.txt}.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MediaIT {

    private static final Logger LOG = Logger.getLogger(MediaIT.class.getName());

    private static final String NAME = "media-app";
    private static final String APP_USER = "it-media-app";
    private static final String OUTSIDE_USER = "it-media-outside";
    private static final String OUTSIDE_INPUT = "outside-tone";
    private static final String OUTSIDE_OUTPUT = "outside-ears";
    private static final int APP_HZ = 440;
    private static final int OUTSIDE_HZ = 660;
    private static final int SAMPLE_RATE = 48_000;
    private static final long WAIT_SECONDS = 30;
    private static final int ROUNDS = 3;
    /**
     * How many more tasks (threads, native ones included; {@link #ENGINE_LEFTOVERS} aside) the server may have after a
     * redeploy than after the first: request and executor pools of the server grow and shrink on their own by a few; a
     * leak of a whole engine's native threads (about 6) or of the runtime's threads would exceed it.
     */
    private static final int THREAD_TOLERANCE = 3;
    /**
     * The native threads that webrtc-java 0.14.0 leaves behind when an engine (headless audio module + factory) is
     * disposed, one of each per engine (docs/media.md, "Threads"). Each application runtime has its own engine, closed
     * at undeploy, so every redeploy with media leaves these two: counted and bounded here, not hidden in the
     * tolerance (docs/app-servers.md, "Media on WildFly and Payara").
     */
    private static final Set<String> ENGINE_LEFTOVERS = Set.of("AudioDeviceBuff", "rtc-low-prio");
    /**
     * The servers' own threads for administration commands, whose number grows with the commands run (Arquillian's
     * deploy and undeploy, the test's thread dumps through {@code jboss-cli} and {@code asadmin}): Payara's {@code
     * kernel.jar} "Executor-Service-..." and "Job Cleanup Service" (measured +2 "Job Cleanup Service" per round and up
     * to +7 executor threads), WildFly's "management task-..." pool. The servers', not the module's: recorded, left out
     * of the flat check. (Names as {@code comm} shows them: at most 15 characters.)
     */
    private static final Set<String> SERVER_COMMAND_THREADS = Set.of("Executor-Servic", "Job Cleanup Ser",
            "management task");
    /**
     * Payara's Hazelcast data grid names its threads {@code hz.<random instance name>.<pool>}: its cached pool grows
     * and shrinks with the cluster events of deploy and undeploy (a CI run on 2026-11-30 saw +3 after three
     * redeploys at load average 15, with every module thread gone). The server's, not the module's: recorded, left
     * out of the flat check like the command threads.
     */
    private static final String PAYARA_GRID_THREADS = "hz.";

    private static AloAudioRuntime outside;
    private static final MediaEars OUTSIDE_EARS = new MediaEars();
    private static final List<String> RECORD = new ArrayList<>();

    @Deployment(name = NAME, managed = false, testable = false)
    static WebArchive deployment() {
        return Deployments.mediaWar(NAME, APP_USER);
    }

    @ArquillianResource
    Deployer deployer;

    @BeforeAll
    static void insideTheNamespace() {
        assertTrue(NetworkNamespace.isInside(), "media ITs run inside bin/netns-exec (failsafe executions "
                + "wildfly-media, payara-media): " + NetworkNamespace.describe());
        outside = AloAudioRuntime.create(AloAudioRuntimeConfig.builder().name("it-media-outside").build());
        outside.devices().addToneInput(OUTSIDE_INPUT, "Outside tone " + OUTSIDE_HZ + " Hz", OUTSIDE_HZ, 0.5);
        outside.devices().addPcmOutput(OUTSIDE_OUTPUT, "What the outside client hears", OUTSIDE_EARS);
    }

    @AfterAll
    static void closeAndRecord() throws IOException {
        if (outside != null) {
            outside.close();
        }
        Files.writeString(Path.of("target", "media-" + AppServer.current().name() + ".txt"),
                String.join("\n", RECORD) + "\n");
    }

    @Test
    @Order(1)
    void injectedClient_speaksToAClientOutsideTheServer_andHearsIt() throws Exception {
        AppServer server = AppServer.current();
        String channel = "media-both-ways";
        deployer.deploy(NAME);
        AloAudio client = outsideClient();
        try {
            AppControl app = new AppControl(server.httpPort(), NAME);
            String[] loaders = app.get("media", "native-loader").split("\n");
            record("class loaders: " + String.join("; ", loaders));
            assertNotEquals(loaders[1], loaders[0], "webrtc-java comes from the server, not from the application");

            long t0 = System.nanoTime();
            assertEquals("CONNECTED", app.get("media", "connect", "channel", channel, "hz", String.valueOf(APP_HZ)));
            long appConnected = System.nanoTime();
            client.connect(AudioChannel.fullDuplex(channel, channel)).get(WAIT_SECONDS, TimeUnit.SECONDS);
            long clientConnected = System.nanoTime();

            Heard byOutside = awaitTone("the outside client hears the application", APP_HZ, MediaIT::outsideHeard);
            long outsideHears = System.nanoTime();
            Heard byApp = awaitTone("the application hears the outside client", OUTSIDE_HZ, () -> appHeard(app));
            record(String.format(Locale.ROOT, "%s: app connect %.0f ms, outside connect %.0f ms, outside hears the "
                    + "app %.0f ms after its connect", server.name(), ms(appConnected - t0),
                    ms(clientConnected - appConnected), ms(outsideHears - clientConnected)));
            record("outside client hears: " + byOutside);
            record("application hears: " + byApp);

            assertEquals(APP_HZ, byOutside.dominantHz, 20, () -> "the outside client hears the app's tone: "
                    + byOutside);
            assertTrue(byOutside.level > 0.05, () -> "at a useful level: " + byOutside);
            assertTrue(byOutside.fractionAt(OUTSIDE_HZ) < 0.05, () -> "never its own tone: " + byOutside);
            assertEquals(OUTSIDE_HZ, byApp.dominantHz, 20, () -> "the app hears the outside client's tone: " + byApp);
            assertTrue(byApp.level > 0.05, () -> "at a useful level: " + byApp);
            assertTrue(byApp.fractionAt(APP_HZ) < 0.05, () -> "never its own tone: " + byApp);
        } finally {
            client.close();
            deployer.undeploy(NAME);
        }
        ReferenceService.await("left " + APP_USER + " " + channel);
        assertEquals(List.of(), server.moduleThreads(), "module threads after undeploy");
    }

    @Test
    @Order(2)
    void threeRedeploysWithMedia_mapTheNativeLibraryOnce_andKeepTheServerThreadsFlat() throws Exception {
        AppServer server = AppServer.current();
        long pid = -1;
        Path tmpdir = null;
        int baseline = -1;
        Map<String, Integer> baselineNames = Map.of();
        for (int round = 1; round <= ROUNDS; round++) {
            String channel = "media-redeploy-" + round;
            deployer.deploy(NAME);
            AloAudio client = outsideClient();
            try {
                AppControl app = new AppControl(server.httpPort(), NAME);
                if (pid < 0) {
                    String[] process = app.get("media", "process").split("\n");
                    pid = Long.parseLong(process[0].trim());
                    tmpdir = Path.of(process[1].trim());
                    String expected = System.getProperty("media.tmpdir");
                    if (expected != null) { // the build's: no other build's copies in there
                        assertEquals(Path.of(expected), tmpdir, "the server's java.io.tmpdir (JAVA_TOOL_OPTIONS)");
                    }
                }
                assertEquals("CONNECTED", app.get("media", "connect", "channel", channel, "hz",
                        String.valueOf(APP_HZ)), "round " + round);
                client.connect(AudioChannel.fullDuplex(channel, channel)).get(WAIT_SECONDS, TimeUnit.SECONDS);
                Heard byOutside = awaitTone("round " + round + ": the outside client hears the application", APP_HZ,
                        MediaIT::outsideHeard);
                Heard byApp = awaitTone("round " + round + ": the application hears the outside client", OUTSIDE_HZ,
                        () -> appHeard(app));
                assertEquals(APP_HZ, byOutside.dominantHz, 20, "round " + round + ": " + byOutside);
                assertEquals(OUTSIDE_HZ, byApp.dominantHz, 20, "round " + round + ": " + byApp);
                assertEquals(1, webrtcMappings(pid).size(), "round " + round + ", while connected: "
                        + webrtcMappings(pid));
            } finally {
                client.close();
                deployer.undeploy(NAME);
            }
            ReferenceService.await("left " + APP_USER + " " + channel);
            assertEquals(List.of(), server.moduleThreads(), "module threads after undeploy " + round);

            Set<String> mapped = webrtcMappings(pid);
            List<String> copies = tempCopies(tmpdir);
            int tasks = settledTasks(pid, baseline < 0 ? Integer.MAX_VALUE
                    : baseline + THREAD_TOLERANCE + ENGINE_LEFTOVERS.size() * (round - 1), SERVER_COMMAND_THREADS);
            Map<String, Integer> names = taskNames(pid);
            tasks = names.values().stream().mapToInt(Integer::intValue).sum();
            if (baseline < 0) {
                baseline = tasks;
                baselineNames = names;
            }
            String changed = difference(baselineNames, names);
            record(String.format(Locale.ROOT, "%s round %d after undeploy: server tasks %d (since round 1: %s), "
                    + "webrtc libraries mapped %s, copies in %s: %s", server.name(), round, tasks,
                    changed, mapped, tmpdir, copies));
            assertEquals(1, mapped.size(), "the native library is mapped once in the server JVM after round " + round
                    + ": " + mapped);
            assertEquals(List.of(), copies, "copies of the native library left in the server's java.io.tmpdir");
            int leftovers = 0;
            for (String name : ENGINE_LEFTOVERS) {
                int more = names.getOrDefault(name, 0) - baselineNames.getOrDefault(name, 0);
                int closedEngines = round - 1;
                assertTrue(more <= closedEngines, "'" + name + "' threads: " + more + " more than after round 1, "
                        + "at most one per engine closed since (" + closedEngines + "): " + changed);
                leftovers += more;
            }
            int commandThreads = 0;
            for (String name : SERVER_COMMAND_THREADS) {
                commandThreads += names.getOrDefault(name, 0) - baselineNames.getOrDefault(name, 0);
            }
            for (Map.Entry<String, Integer> entry : names.entrySet()) {
                if (entry.getKey().startsWith(PAYARA_GRID_THREADS)) {
                    commandThreads += entry.getValue() - baselineNames.getOrDefault(entry.getKey(), 0);
                }
            }
            int growth = tasks - baseline - leftovers - commandThreads;
            assertTrue(growth <= THREAD_TOLERANCE, () -> "server threads (webrtc-java's known leftovers and the "
                    + "server's command and data-grid threads aside) grew by " + growth + " since round 1 (tolerance "
                    + THREAD_TOLERANCE + "): " + changed);
        }
    }

    // ------------------------------------------------------------------------------------------------------------

    private static AloAudio outsideClient() {
        OUTSIDE_EARS.reset();
        return outside.newClient(AloAudioConfig.builder()
                .name("outside")
                .serverUri(ReferenceService.get().uri())
                .user(new AudioUser(OUTSIDE_USER, "Outside the server", "test-jvm"))
                .userAuthToken(ReferenceService.token(OUTSIDE_USER))
                .mediaEnabled(true)
                .audioInputDeviceId(OUTSIDE_INPUT)
                .audioOutputDeviceId(OUTSIDE_OUTPUT)
                .build());
    }

    private static Heard outsideHeard() {
        return new Heard(OUTSIDE_EARS.frames(), OUTSIDE_EARS.lastSecond());
    }

    private static Heard appHeard(AppControl app) {
        try {
            String[] answer = app.get("media", "heard").split("\n", 2);
            long frames = Long.parseLong(answer[0].replaceFirst("^frames=(\\d+).*$", "$1"));
            byte[] pcm = answer.length > 1 ? Base64.getDecoder().decode(answer[1].trim()) : new byte[0];
            return new Heard(frames, pcm);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Waits until a full second was heard in which the tone holds most of the energy (the first frames of a session
     * are silence while the other side starts), then returns that second.
     */
    private static Heard awaitTone(String what, int hz, Supplier<Heard> ears) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        Heard heard = ears.get();
        while (heard.frames < MediaEars.KEPT || heard.fractionAt(hz) < 0.5) {
            if (System.nanoTime() > deadline) {
                fail("timed out waiting until " + what + " (" + hz + " Hz); last second heard: " + heard);
            }
            Thread.sleep(100);
            heard = ears.get();
        }
        return heard;
    }

    /** The distinct files of webrtc-java's native library mapped into the process ({@code /proc/<pid>/maps}). */
    private static Set<String> webrtcMappings(long pid) throws IOException {
        Set<String> paths = new TreeSet<>();
        for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "maps"))) {
            int slash = line.indexOf('/');
            if (slash >= 0 && line.contains("libwebrtc-java")) {
                paths.add(line.substring(slash));
            }
        }
        return paths;
    }

    /** Copies of the native library in a directory (webrtc-java names them libwebrtc-java-*.so). */
    private static List<String> tempCopies(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString())
                    .filter(n -> n.startsWith("libwebrtc-java") && n.contains(".so")).sorted().toList();
        }
    }

    /**
     * The process's task count ({@code ignored} names aside) once it settled: waits (bounded) until it is at most
     * {@code atMost}, then a second more, since native threads of a closed engine and idle pool threads end a moment
     * after undeploy. The caller counts again by name afterwards; this only waits.
     */
    private static int settledTasks(long pid, int atMost, Set<String> ignored) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        int tasks = tasksBut(pid, ignored);
        while (tasks > atMost && System.nanoTime() < deadline) {
            Thread.sleep(200);
            tasks = tasksBut(pid, ignored);
        }
        Thread.sleep(1000);
        return Math.min(tasks, tasksBut(pid, ignored));
    }

    private static int tasksBut(long pid, Set<String> ignored) {
        int count = 0;
        for (Map.Entry<String, Integer> entry : taskNames(pid).entrySet()) {
            if (!ignored.contains(entry.getKey())) {
                count += entry.getValue();
            }
        }
        return count;
    }

    /** The process's tasks by name ({@code /proc/<pid>/task/<tid>/comm}, digits as {@code #}), counted. */
    private static Map<String, Integer> taskNames(long pid) {
        Map<String, Integer> names = new TreeMap<>();
        File[] tasks = new File("/proc/" + pid + "/task").listFiles();
        if (tasks == null) {
            throw new IllegalStateException("no process " + pid + ": the server JVM is gone");
        }
        for (File task : tasks) {
            try {
                String name = Files.readString(task.toPath().resolve("comm")).strip().replaceAll("\\d+", "#");
                names.merge(name, 1, Integer::sum);
            } catch (IOException e) {
                // the task ended meanwhile
            }
        }
        return names;
    }

    /** What changed from one count of task names to another: {@code name +n} or {@code name -n}. */
    private static String difference(Map<String, Integer> before, Map<String, Integer> after) {
        Set<String> all = new TreeSet<>(before.keySet());
        all.addAll(after.keySet());
        List<String> out = new ArrayList<>();
        for (String name : all) {
            int change = after.getOrDefault(name, 0) - before.getOrDefault(name, 0);
            if (change != 0) {
                out.add("'" + name + "' " + (change > 0 ? "+" : "") + change);
            }
        }
        return out.isEmpty() ? "no change" : String.join(", ", out);
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }

    private static void record(String line) {
        RECORD.add(line);
        LOG.info(line);
    }

    /** One second of 48 kHz mono 16-bit PCM, analysed. */
    private static final class Heard {
        final long frames;
        final byte[] pcm;
        final double level;
        final double dominantHz;

        Heard(long frames, byte[] pcm) {
            this.frames = frames;
            this.pcm = pcm;
            this.level = pcm.length == 0 ? 0 : ToneDetector.level(pcm);
            this.dominantHz = pcm.length == 0 ? 0 : ToneDetector.dominantFrequency(pcm, SAMPLE_RATE);
        }

        double fractionAt(int hz) {
            return pcm.length == 0 ? 0 : ToneDetector.energyFraction(pcm, hz - 15, hz + 15, SAMPLE_RATE);
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%d frames, last second: level %.3f, dominant %.0f Hz, %d Hz: %.2f, "
                    + "%d Hz: %.2f", frames, level, dominantHz, APP_HZ, fractionAt(APP_HZ), OUTSIDE_HZ,
                    fractionAt(OUTSIDE_HZ));
        }
    }
}
