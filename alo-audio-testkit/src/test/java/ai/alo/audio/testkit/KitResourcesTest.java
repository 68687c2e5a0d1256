package ai.alo.audio.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import ai.alo.audio.server.AloAudioServer;
import java.net.Socket;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * The kit leaves no thread and no file descriptor behind: small test classes that use it (class scope, test scope,
 * builder and annotation, an instance field, a per-class test instance) run through the JUnit launcher inside this
 * test, and the process's threads and open file descriptors are counted before and after.
 */
class KitResourcesTest {

    @Test
    void kit_leavesNoThreadAndNoSocket() throws Exception {
        // first run: class loading and the JDK's one-time threads and descriptors (selector provider, loggers)
        runAll();
        int threadsBefore = ProcessResources.threads();
        int fdsBefore = ProcessResources.fileDescriptors();

        for (int i = 0; i < 3; i++) {
            runAll();
        }

        assertEquals(List.of(), ProcessResources.threadsNamed("alo-audio-server-"), "service threads left");
        assertEquals(List.of(), ProcessResources.threadsNamed("alo-testkit-proxy-"), "proxy threads left");
        assertTrue(ProcessResources.await(5_000, () -> ProcessResources.threads() <= threadsBefore),
                () -> "threads: " + threadsBefore + " before, " + ProcessResources.threads() + " after: "
                        + ProcessResources.threadsByName());
        assertTrue(ProcessResources.await(5_000, () -> ProcessResources.fileDescriptors() <= fdsBefore),
                () -> "file descriptors: " + fdsBefore + " before, " + ProcessResources.fileDescriptors() + " after");
        System.out.println("after 3 runs of 5 kit classes: threads " + ProcessResources.threads() + " (before "
                + threadsBefore + "), file descriptors " + ProcessResources.fileDescriptors() + " (before "
                + fdsBefore + ")");
    }

    private static void runAll() {
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                .selectors(selectClass(ClassScopeSample.class), selectClass(TestScopeSample.class),
                        selectClass(AnnotatedSample.class), selectClass(InstanceFieldSample.class),
                        selectClass(PerClassSample.class))
                .build();
        Launcher launcher = LauncherFactory.create();
        SummaryGeneratingListener listener = new SummaryGeneratingListener();
        launcher.execute(request, listener);
        TestExecutionSummary summary = listener.getSummary();
        summary.getFailures().forEach(failure -> failure.getException().printStackTrace());
        assertEquals(0, summary.getTotalFailureCount(), "sample tests failed");
        assertEquals(8, summary.getTestsSucceededCount());
    }

    /** Opens a TCP connection through the proxy and closes it: the kit's service and proxy are live. */
    static void touch(FaultProxy proxy, AloAudioServer server, URI uri) throws Exception {
        assertTrue(server.isRunning());
        assertEquals(proxy.port(), uri.getPort());
        try (Socket socket = new Socket(proxy.address().getAddress(), proxy.port())) {
            assertTrue(socket.isConnected());
        }
    }

    static class ClassScopeSample {
        @RegisterExtension
        static final AloAudioTestKit KIT = AloAudioTestKit.builder().build();

        @Test
        void one() throws Exception {
            touch(KIT.proxy(), KIT.server(), KIT.uri());
        }

        @Test
        void two(FaultProxy proxy, AloAudioServer server, URI uri) throws Exception {
            proxy.blackHole(true).latency(java.time.Duration.ofMillis(10));
            touch(proxy, server, uri);
        }
    }

    static class TestScopeSample {
        @RegisterExtension
        static final AloAudioTestKit KIT = AloAudioTestKit.builder().scope(AloAudioTestKit.Scope.TEST).build();

        @Test
        void one(FaultProxy proxy, AloAudioServer server, URI uri) throws Exception {
            touch(proxy, server, uri);
        }

        @Test
        void two(FaultProxy proxy, AloAudioServer server, URI uri) throws Exception {
            touch(proxy, server, uri);
        }
    }

    @ExtendWith(AloAudioTestKit.class)
    static class AnnotatedSample {
        @Test
        void one(FaultProxy proxy, AloAudioServer server, URI uri) throws Exception {
            touch(proxy, server, uri);
        }
    }

    static class InstanceFieldSample {
        @RegisterExtension
        final AloAudioTestKit kit = AloAudioTestKit.builder().build();

        @Test
        void one() throws Exception {
            touch(kit.proxy(), kit.server(), kit.uri());
        }

        @Test
        void two(FaultProxy proxy) throws Exception {
            touch(proxy, kit.server(), kit.uri());
        }
    }

    @ExtendWith(AloAudioTestKit.class)
    @org.junit.jupiter.api.TestInstance(org.junit.jupiter.api.TestInstance.Lifecycle.PER_CLASS)
    static class PerClassSample {
        private final AloAudioServer server;

        PerClassSample(AloAudioServer server) {
            this.server = server;
        }

        @Test
        void one(FaultProxy proxy, URI uri) throws Exception {
            touch(proxy, server, uri);
        }
    }
}
