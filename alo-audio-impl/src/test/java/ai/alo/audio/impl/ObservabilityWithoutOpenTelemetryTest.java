package ai.alo.audio.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.alo.audio.AloAudio;
import ai.alo.audio.AloAudioConfig;
import ai.alo.audio.AloAudioRuntimeConfig;
import ai.alo.audio.AudioUser;
import ai.alo.audio.impl.observe.OpenTelemetryMetrics;
import ai.alo.audio.impl.runtime.ClientRuntime;
import java.io.File;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The OpenTelemetry API is optional: the module links against it in one class only, and a client works, with its
 * in-memory metrics, in a class loader that has every jar of the test class path except OpenTelemetry's.
 */
class ObservabilityWithoutOpenTelemetryTest extends ServerBackedTest {

    private static final String BRIDGE = "ai/alo/audio/impl/observe/OtelBridge";

    @Test
    void onlyTheBridgeLinksAgainstOpenTelemetry() throws Exception {
        Path classes = Paths.get(OpenTelemetryMetrics.class.getProtectionDomain().getCodeSource().getLocation()
                .toURI());
        TreeSet<String> linking = new TreeSet<>();
        int scanned;
        try (Stream<Path> files = Files.walk(classes)) {
            List<Path> classFiles = files.filter(f -> f.toString().endsWith(".class")).toList();
            scanned = classFiles.size();
            for (Path file : classFiles) {
                // a class that links against a type names it in its constant pool, in internal (slash) form
                if (new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1).contains("io/opentelemetry/")) {
                    // OtelBridge and its nested classes count as one
                    linking.add(classes.relativize(file).toString().replace(File.separatorChar, '/')
                            .replaceFirst("\\$.*\\.class$", ".class"));
                }
            }
        }
        assertTrue(scanned > 50, "scanned " + scanned + " classes in " + classes);
        assertEquals(new TreeSet<>(List.of(BRIDGE + ".class")), linking, "classes that link against OpenTelemetry");
    }

    @Test
    void clientWorks_inAClassLoaderWithoutOpenTelemetry() throws Throwable {
        List<URL> urls = new ArrayList<>();
        List<String> hidden = new ArrayList<>();
        for (String entry : testClassPath()) {
            if (entry.contains("opentelemetry")) {
                hidden.add(entry);
            } else {
                urls.add(Paths.get(entry).toUri().toURL());
            }
        }
        assertFalse(hidden.isEmpty(), "the test class path has OpenTelemetry; nothing was hidden");
        String user = ServerFixture.newUserId();
        String token = fixture.server.tokens().issue(user, Duration.ofHours(1));
        Thread thread = Thread.currentThread();
        ClassLoader context = thread.getContextClassLoader();
        try (URLClassLoader isolated = new URLClassLoader("no-opentelemetry", urls.toArray(new URL[0]),
                ClassLoader.getPlatformClassLoader())) {
            thread.setContextClassLoader(isolated);
            Class<?> probe = Class.forName(Probe.class.getName(), true, isolated);
            assertTrue(probe.getClassLoader() == isolated, "the probe must run in the isolated loader");
            Object report = probe.getMethod("run", String.class, String.class, String.class)
                    .invoke(null, fixture.server.uri().toString(), user, token);
            assertEquals("{DISCONNECTED/CLIENT_INITIATED=1}", report);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        } finally {
            thread.setContextClassLoader(context);
        }
    }

    private static List<String> testClassPath() throws IOException {
        // Surefire runs a manifest-only jar; it reports the real test class path in java.class.path
        String path = System.getProperty("java.class.path");
        List<String> entries = new ArrayList<>();
        for (String entry : path.split(File.pathSeparator)) {
            if (!entry.isEmpty()) {
                entries.add(entry);
            }
        }
        assertTrue(entries.stream().anyMatch(e -> e.replace(File.separatorChar, '/').endsWith("target/classes")),
                () -> "unexpected test class path: " + path);
        return entries;
    }

    /**
     * Runs in the isolated class loader: everything it touches is loaded there, so a stray link to OpenTelemetry would
     * fail with a {@code NoClassDefFoundError}. Plain checks, no JUnit.
     */
    public static final class Probe {

        private Probe() {
        }

        /**
         * Checks that OpenTelemetry is absent and that a client connects and disconnects anyway.
         *
         * @param uri   the server
         * @param user  a user id
         * @param token its token
         * @return the runtime's disconnect counts
         * @throws Exception when a check fails
         */
        public static String run(String uri, String user, String token) throws Exception {
            try {
                Class.forName("io.opentelemetry.api.OpenTelemetry");
                throw new AssertionError("the OpenTelemetry API is visible to the isolated loader");
            } catch (ClassNotFoundException expected) {
                // hidden, as wanted
            }
            check(!OpenTelemetryMetrics.isApiPresent(), "isApiPresent() is true without the API");
            ClientRuntime runtime = (ClientRuntime) new DefaultAloAudioProvider().createRuntime(
                    AloAudioRuntimeConfig.builder().name("alo-no-otel").build());
            try {
                check(OpenTelemetryMetrics.attachGlobalIfPresent(runtime) == OpenTelemetryMetrics.Handle.NONE,
                        "attachGlobalIfPresent attached something");
                try {
                    OpenTelemetryMetrics.attach(runtime, new Object());
                    throw new AssertionError("attach() without the API did not fail");
                } catch (IllegalStateException e) {
                    check(e.getMessage().contains("io.opentelemetry:opentelemetry-api"), e.getMessage());
                }
                AloAudio client = runtime.newClient(AloAudioConfig.builder().serverUri(uri).mediaEnabled(false)
                        .user(new AudioUser(user, "User " + user, "device-" + user)).userAuthToken(token).name(user)
                        .build());
                client.connect(ServerFixture.CHANNEL).get(10, TimeUnit.SECONDS);
                client.disconnect();
                check(runtime.metrics().connectsStarted() == 1 && runtime.metrics().connects() == 1,
                        "connects " + runtime.metrics().connects());
                Map<String, Long> disconnects = runtime.metrics().disconnects();
                check(runtime.metrics().disconnectCall().count() == 1, "disconnect() time not measured");
                return disconnects.toString();
            } finally {
                runtime.close();
            }
        }

        private static void check(boolean condition, String message) {
            if (!condition) {
                throw new AssertionError(message);
            }
        }
    }
}
