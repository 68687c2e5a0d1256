package ai.alo.audio.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.alo.audio.server.AloAudioServer;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Scope.TEST (builder), the builder's server customizer, and the builder's bad arguments. */
class ScopeTest {

    @RegisterExtension
    static final AloAudioTestKit KIT = AloAudioTestKit.builder()
            .scope(AloAudioTestKit.Scope.TEST)
            .server(builder -> builder.heartbeatTimeout(Duration.ofMillis(300), Duration.ofSeconds(60)))
            .tokenLifetime(Duration.ofMinutes(5))
            .build();

    private static final Set<AloAudioServer> SERVERS = ConcurrentHashMap.newKeySet();

    @RepeatedTest(2)
    void builderKit_perTest_accessorsWork() {
        AloAudioServer server = KIT.server();
        assertTrue(server.isRunning());
        assertTrue(SERVERS.add(server), "the service of an earlier test was reused");
        for (AloAudioServer earlier : SERVERS) {
            if (earlier != server) {
                assertFalse(earlier.isRunning(), "an earlier test's service still runs");
            }
        }
        assertEquals(KIT.proxy().uri(server.uri()), KIT.uri());
        assertEquals(KIT.uri(), KIT.user("x").serviceUri());
    }

    @Test
    void builder_refusesBadArguments() {
        assertThrows(IllegalArgumentException.class, () -> AloAudioTestKit.builder().tokenLifetime(Duration.ZERO));
        assertThrows(IllegalArgumentException.class,
                () -> AloAudioTestKit.builder().tokenLifetime(Duration.ofSeconds(-1)));
        assertThrows(NullPointerException.class, () -> AloAudioTestKit.builder().scope(null));
        assertThrows(NullPointerException.class, () -> AloAudioTestKit.builder().server(null));
    }

    @AfterAll
    static void everyServiceStopped() {
        assertEquals(2, SERVERS.size());
        for (AloAudioServer server : SERVERS) {
            assertFalse(server.isRunning());
        }
    }
}
