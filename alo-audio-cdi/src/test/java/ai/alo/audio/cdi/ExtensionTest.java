package ai.alo.audio.cdi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.alo.audio.AloAudio;
import ai.alo.audio.AloAudioConfig;
import ai.alo.audio.AloAudioStateException;
import ai.alo.audio.AudioUser;
import ai.alo.audio.ConnectionState;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.se.SeContainer;
import jakarta.enterprise.inject.se.SeContainerInitializer;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** How the extension is found and registers its beans, and the factory's name rules. */
class ExtensionTest extends ServerBackedTest {

    @Test
    void serviceFile_withBeanDiscovery_loadsTheExtension() {
        configureDefaultClient();
        SeContainer container = SeContainerInitializer.newInstance()
                .addBeanClasses(DefaultClientTest.Dispatch.class)
                .addProperty("org.jboss.weld.executor.threadPoolType", "FIXED")
                .addProperty("org.jboss.weld.se.shutdownHook", false)
                .initialize();
        closeAfterTest(container);
        assertTrue(container.select(AloAudioFactory.class).isResolvable());
        assertEquals(ConnectionState.NOT_CONNECTED,
                container.select(DefaultClientTest.Dispatch.class).get().audio().state());
    }

    @Test
    void scannedCopiesOfTheModuleBeans_areVetoed_noAmbiguity() {
        configureDefaultClient();
        SeContainer container = boot(DefaultClientTest.Dispatch.class, AloAudioFactory.class, ClientRegistry.class,
                AloAudioProducer.class);
        assertTrue(container.select(AloAudioFactory.class).isResolvable());
        assertTrue(container.select(AloAudio.class).isResolvable());
        assertEquals("default", container.select(DefaultClientTest.Dispatch.class).get().audio().config().name());
    }

    @ApplicationScoped
    static class Unused {
    }

    @Test
    void factory_refusesTheDefaultNameAndDuplicateLiveNames_untilClosed() {
        SeContainer container = boot(Unused.class);
        AloAudioFactory factory = container.select(AloAudioFactory.class).get();
        String userId = newUserId("dup");
        AloAudioConfig config = AloAudioConfig.builder()
                .name("dup")
                .serverUri(server.uri())
                .mediaEnabled(false)
                .user(AudioUser.of(userId, "Duplicate"))
                .userAuthToken(server.tokens().issue(userId, Duration.ofHours(1)))
                .build();

        IllegalArgumentException reserved = assertThrows(IllegalArgumentException.class,
                () -> factory.create(config.toBuilder().name(AloAudioConfig.DEFAULT_NAME).build()));
        assertTrue(reserved.getMessage().contains("reserved"), reserved.getMessage());

        AloAudio first = factory.create(config);
        AloAudioStateException duplicate = assertThrows(AloAudioStateException.class, () -> factory.create(config));
        assertTrue(duplicate.getMessage().contains("'dup' already exists"), duplicate.getMessage());

        first.close();
        AloAudio second = factory.create(config);
        assertNotSame(first, second);
        assertEquals(ConnectionState.NOT_CONNECTED, second.state());
        first.close(); // twice is fine
    }
}
