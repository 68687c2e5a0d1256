package ai.alo.audio.cdi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.alo.audio.AloAudio;
import ai.alo.audio.ConnectionState;
import ai.alo.audio.DisconnectReason;
import ai.alo.audio.event.DisconnectEvent;
import jakarta.enterprise.inject.se.SeContainer;
import jakarta.enterprise.inject.se.SeContainerInitializer;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The module works with no MicroProfile Config on the class path. Runs only in the surefire execution {@code
 * no-microprofile}, which removes the MicroProfile Config API and smallrye-config from the class path.
 */
@Tag("no-microprofile")
class NoMicroProfileConfigTest extends ServerBackedTest {

    @Test
    void classPath_hasNoMicroProfileConfig() {
        assertThrows(ClassNotFoundException.class,
                () -> Class.forName("org.eclipse.microprofile.config.ConfigProvider"));
        assertThrows(ClassNotFoundException.class,
                () -> Class.forName("org.eclipse.microprofile.health.HealthCheck"));
        assertEquals("system properties and environment variables", ConfigResolver.forApplication().source());
    }

    @Test
    void inject_configuredFromSystemProperties_connects() throws Exception {
        configureDefaultClient();
        SeContainer container = boot(DefaultClientTest.Dispatch.class, RecordingObserver.class);
        AloAudio audio = container.select(DefaultClientTest.Dispatch.class).get().audio();
        RecordingObserver observer = container.select(RecordingObserver.class).get();

        audio.connect(CHANNEL).get(10, TimeUnit.SECONDS);
        assertEquals(ConnectionState.CONNECTED, audio.state());
        audio.disconnect();

        DisconnectEvent event = (DisconnectEvent) observer.disconnects().next().event();
        assertEquals(DisconnectReason.CLIENT_INITIATED, event.reason());
        assertEquals(event, observer.asyncDisconnects().next().event());
    }

    @Test
    void beanDiscoveryOfThisJar_skipsTheReadinessCheck_andStillInjects() throws Exception {
        configureDefaultClient();
        // discovery on: this module's bean archive is scanned; ReadinessCheck cannot load without the Health API
        SeContainer container = SeContainerInitializer.newInstance()
                .addBeanClasses(DefaultClientTest.Dispatch.class, RecordingObserver.class)
                .addProperty("org.jboss.weld.executor.threadPoolType", "FIXED")
                .addProperty("org.jboss.weld.se.shutdownHook", false)
                .initialize();
        closeAfterTest(container);
        AloAudio audio = container.select(DefaultClientTest.Dispatch.class).get().audio();
        audio.connect(CHANNEL).get(10, TimeUnit.SECONDS);
        assertEquals(ConnectionState.CONNECTED, audio.state());
        audio.disconnect();
    }

    @Test
    void deploy_withoutServerUri_failsNamingTheKeyAndSystemProperty() {
        configureDefaultClient();
        System.clearProperty("alo.audio.server-uri");
        RuntimeException e = assertThrows(RuntimeException.class,
                () -> boot(DefaultClientTest.Dispatch.class));
        String text = ConfigResolverTest.fullText(e);
        org.junit.jupiter.api.Assertions.assertTrue(text.contains("alo.audio.server-uri is not set (looked up "
                + "alo.audio.client.default.server-uri, then alo.audio.server-uri, in system property "
                + "alo.audio.server-uri or environment variable ALO_AUDIO_SERVER_URI)"), text);
    }
}
