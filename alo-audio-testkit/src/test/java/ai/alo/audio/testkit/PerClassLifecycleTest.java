package ai.alo.audio.testkit;

import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.alo.audio.server.AloAudioServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code @TestInstance(PER_CLASS)}: JUnit creates the instance (and resolves the constructor's parameters) before the
 * class-level callbacks; the kit starts the class's service then, once, and the lifecycle methods get the same one.
 */
@ExtendWith(AloAudioTestKit.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PerClassLifecycleTest {

    private final AloAudioServer server;

    PerClassLifecycleTest(AloAudioServer server) {
        this.server = server;
    }

    @BeforeAll
    void beforeAll(AloAudioServer fromBeforeAll, FaultProxy proxy) {
        assertSame(server, fromBeforeAll);
        assertTrue(proxy.isRunning());
    }

    @Test
    void sameServiceEverywhere(AloAudioServer fromTest) {
        assertSame(server, fromTest);
        assertTrue(server.isRunning());
    }

    @AfterAll
    void afterAll(AloAudioServer fromAfterAll) {
        assertSame(server, fromAfterAll);
    }
}
