package ai.alo.audio.testkit;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.alo.audio.server.AloAudioServer;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code @TestKitSettings(scope = TEST)} on an {@code @ExtendWith} kit: every test its own service and proxy. */
@ExtendWith(AloAudioTestKit.class)
@TestKitSettings(scope = AloAudioTestKit.Scope.TEST)
class PerTestSettingsTest {

    private static final Set<AloAudioServer> SERVERS = ConcurrentHashMap.newKeySet();

    @RepeatedTest(3)
    void everyTestGetsItsOwnService(AloAudioServer server, FaultProxy proxy) {
        assertTrue(server.isRunning());
        assertTrue(proxy.isRunning());
        assertTrue(SERVERS.add(server), "a service was reused");
        for (AloAudioServer earlier : SERVERS) {
            assertTrue(earlier == server || !earlier.isRunning(), "an earlier test's service still runs");
        }
    }
}
