package ai.alo.audio.cdi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.alo.audio.AloAudio;
import ai.alo.audio.AloAudioRuntime;
import ai.alo.audio.AloAudioStateException;
import ai.alo.audio.media.AudioDevices;
import jakarta.enterprise.inject.se.SeContainer;
import org.junit.jupiter.api.Test;

/**
 * {@link AloAudioFactory#devices()}: the media devices of the deployment's runtime, reachable before any client
 * exists, shared by the injected client and those of the factory, refused once the application stops.
 */
class FactoryDevicesTest extends ServerBackedTest {

    @Test
    void devices_areTheDeploymentRuntimes_beforeAnyClient_andRefusedAfterShutdown() {
        configureDefaultClient();
        SeContainer container = boot(DefaultClientTest.Dispatch.class);
        ClientRegistry registry = container.select(ClientRegistry.class).get();
        assertTrue(registry.runtime().isEmpty(), "no runtime before the first use");

        AudioDevices devices = container.select(AloAudioFactory.class).get().devices();
        devices.addToneInput("announcement", "Announcement tone", 440, 0.5);
        AloAudioRuntime runtime = registry.runtime().orElseThrow();
        assertTrue(runtime.devices().list().audioInputs().containsKey("announcement"), "on the deployment's runtime");

        AloAudio audio = container.select(DefaultClientTest.Dispatch.class).get().audio();
        assertTrue(audio.getMediaList().audioInputs().containsKey("announcement"), "the injected client sees it");
        assertEquals(1, runtime.clients().size(), "the default client runs on that runtime");

        container.close();
        AloAudioStateException refused = assertThrows(AloAudioStateException.class, registry::devices);
        assertTrue(refused.getMessage().contains("shutting down"), refused.getMessage());
    }
}
