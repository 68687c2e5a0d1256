package ai.alo.audio.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import ai.alo.audio.server.AloAudioServer;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * The kit's accessors used from another extension's {@code beforeAll} that JUnit runs before the kit's own, as
 * Arquillian's does when it calls a {@code @Deployment} method: the first accessor starts the class's service, the
 * kit's {@code beforeAll} adopts it (the tests see that same service, no second one starts), and it stops after the
 * class.
 */
class EarlyAccessTest {

    /** What the sample saw: the URI in the early extension's beforeAll, then the server and proxy in its tests. */
    static final List<Object> SEEN = new CopyOnWriteArrayList<>();

    @Test
    void accessor_beforeTheKitsBeforeAll_startsTheClassService_whichTheKitAdoptsAndStops() throws Exception {
        SEEN.clear();
        int threadsBefore = ProcessResources.threadsNamed("alo-testkit-proxy-").size();
        SummaryGeneratingListener listener = new SummaryGeneratingListener();
        Launcher launcher = LauncherFactory.create();
        launcher.execute(LauncherDiscoveryRequestBuilder.request().selectors(selectClass(DeployingSample.class))
                .build(), listener);
        TestExecutionSummary summary = listener.getSummary();
        summary.getFailures().forEach(failure -> failure.getException().printStackTrace());
        assertEquals(0, summary.getTotalFailureCount(), "sample tests failed");
        assertEquals(2, summary.getTestsSucceededCount());

        // [uri from beforeAll, server of test 1, proxy of test 1, server of test 2, proxy of test 2]
        assertEquals(5, SEEN.size(), SEEN::toString);
        URI early = (URI) SEEN.get(0);
        AloAudioServer server = (AloAudioServer) SEEN.get(1);
        FaultProxy proxy = (FaultProxy) SEEN.get(2);
        assertEquals(proxy.port(), early.getPort(), "the URI handed out early is the proxy the tests use");
        assertSame(server, SEEN.get(3), "one service for the class");
        assertSame(proxy, SEEN.get(4), "one proxy for the class");
        assertTrue(!server.isRunning() && !proxy.isRunning(), "stopped after the class");
        assertTrue(ProcessResources.await(5_000,
                () -> ProcessResources.threadsNamed("alo-testkit-proxy-").size() <= threadsBefore),
                "proxy threads left: " + ProcessResources.threadsNamed("alo-testkit-proxy-"));
    }

    /** Stands for Arquillian's extension: registered first, uses the kit in its beforeAll (the deployment). */
    static final class EarlyUser implements BeforeAllCallback {
        @Override
        public void beforeAll(ExtensionContext context) {
            SEEN.add(DeployingSample.KIT.uri());
        }
    }

    @ExtendWith(EarlyUser.class)
    static class DeployingSample {
        @RegisterExtension
        static final AloAudioTestKit KIT = AloAudioTestKit.builder().build();

        @Test
        void one(AloAudioServer server, FaultProxy proxy) {
            record(server, proxy);
        }

        @Test
        void two(AloAudioServer server, FaultProxy proxy) {
            record(server, proxy);
        }

        private static void record(AloAudioServer server, FaultProxy proxy) {
            assertNotNull(server);
            assertSame(server, KIT.server());
            assertTrue(server.isRunning() && proxy.isRunning());
            SEEN.add(server);
            SEEN.add(proxy);
        }
    }
}
