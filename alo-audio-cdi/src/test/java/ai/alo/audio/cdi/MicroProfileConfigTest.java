package ai.alo.audio.cdi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.alo.audio.AloAudio;
import ai.alo.audio.AloAudioConfig;
import ai.alo.audio.AloAudioConfigException;
import ai.alo.audio.AudioUser;
import ai.alo.audio.ReconnectBackoff;
import ai.alo.audio.server.SessionInfo;
import jakarta.enterprise.inject.se.SeContainer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * With MicroProfile Config on the class path (smallrye-config in test scope), configuration comes from it: here from
 * the test resource {@code META-INF/microprofile-config.properties} and from system properties it also reads.
 */
class MicroProfileConfigTest extends ServerBackedTest {

    @Test
    void source_isMicroProfileConfig() {
        assertEquals("MicroProfile Config", ConfigResolver.forApplication().source());
    }

    @Test
    void factoryConfiguration_readsMicroProfileConfigProperties_andConnects() throws Exception {
        setProperty("alo.audio.server-uri", server.uri().toString()); // a system property, seen by MP Config
        SeContainer container = boot(RecordingObserver.class);
        AloAudioFactory factory = container.select(AloAudioFactory.class).get();

        AloAudioConfig config = factory.configuration("mp-only")
                .userAuthToken(server.tokens().issue("mp-user", Duration.ofHours(1)))
                .build();
        assertEquals(new AudioUser("mp-user", "Configured in microprofile-config.properties", ""), config.user());
        assertTrue(config.ttsEnabled());
        assertEquals(Duration.ofMillis(500), config.heartbeatInterval());
        assertEquals(Duration.ofMillis(300), config.closeGrace());
        assertEquals(ReconnectBackoff.defaults().withMaxAttempts(3).withMaxDelay(Duration.ofSeconds(30)),
                config.reconnectPolicy(), "the reconnect keys, read through MicroProfile Config");
        assertEquals(server.uri(), config.serverUri());

        AloAudio client = factory.create(config);
        client.connect(CHANNEL).get(10, TimeUnit.SECONDS);
        SessionInfo session = server.sessions().stream().filter(s -> s.userId().equals("mp-user")).findFirst()
                .orElseThrow();
        assertEquals("Configured in microprofile-config.properties", session.name());
        client.close();
        assertEquals("mp-only", container.select(RecordingObserver.class).get().disconnects().next().event()
                .clientName());
    }

    @Test
    void factoryConfiguration_badValueInMicroProfileConfig_namesKeyAndSource() {
        SeContainer container = boot(RecordingObserver.class);
        AloAudioFactory factory = container.select(AloAudioFactory.class).get();
        AloAudioConfigException e = assertThrows(AloAudioConfigException.class,
                () -> factory.configuration("mp-bad"));
        assertTrue(e.getMessage().contains("alo.audio.client.mp-bad.connect-timeout has an invalid value 'forever' "
                + "(from MicroProfile Config"), e.getMessage());
        assertTrue(e.getMessage().contains("microprofile-config.properties"), e.getMessage());
    }

    @Test
    void defaultClient_configuredThroughMicroProfileConfig_connects() throws Exception {
        configureDefaultClient(); // system properties, read through MicroProfile Config's system-property source
        SeContainer container = boot(DefaultClientTest.Dispatch.class);
        AloAudio audio = container.select(DefaultClientTest.Dispatch.class).get().audio();
        audio.connect(CHANNEL).get(10, TimeUnit.SECONDS);
        audio.disconnect();
    }
}
