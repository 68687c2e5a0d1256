package ai.alo.audio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class AloAudioRuntimeConfigTest {

    @Test
    void defaults_areWithinTheirBounds() {
        AloAudioRuntimeConfig config = AloAudioRuntimeConfig.defaults();
        assertEquals(AloAudioRuntimeConfig.DEFAULT_NAME, config.name());
        assertTrue(config.ioThreads() >= 1 && config.ioThreads() <= 4);
        assertTrue(config.eventThreads() >= 2 && config.eventThreads() <= 8);
        assertEquals(4, config.connectThreads());
        assertEquals(10_000, config.eventQueueCapacity());
        assertTrue(config.threadFactory().isEmpty());
    }

    @Test
    void invalidValues_nameTheirProperty() {
        assertEquals(Optional.of("ioThreads"), assertThrows(AloAudioConfigException.class,
                () -> AloAudioRuntimeConfig.builder().ioThreads(0).build()).property());
        assertEquals(Optional.of("eventThreads"), assertThrows(AloAudioConfigException.class,
                () -> AloAudioRuntimeConfig.builder().eventThreads(65).build()).property());
        assertEquals(Optional.of("connectThreads"), assertThrows(AloAudioConfigException.class,
                () -> AloAudioRuntimeConfig.builder().connectThreads(-1).build()).property());
        assertEquals(Optional.of("eventQueueCapacity"), assertThrows(AloAudioConfigException.class,
                () -> AloAudioRuntimeConfig.builder().eventQueueCapacity(3).build()).property());
        assertEquals(Optional.of("name"), assertThrows(AloAudioConfigException.class,
                () -> AloAudioRuntimeConfig.builder().name("has space").build()).property());
    }
}
