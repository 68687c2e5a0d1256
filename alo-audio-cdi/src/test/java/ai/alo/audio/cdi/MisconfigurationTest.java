package ai.alo.audio.cdi;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.alo.audio.AloAudioConfig;
import ai.alo.audio.AloAudioConfigException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.se.SeContainer;
import jakarta.enterprise.inject.spi.DeploymentException;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

/** An application that injects the default client fails to deploy when its configuration is missing or invalid. */
class MisconfigurationTest extends ServerBackedTest {

    /** Uses only the factory: the default configuration is not needed. */
    @ApplicationScoped
    static class FactoryOnly {
        @Inject
        AloAudioFactory factory;

        AloAudioFactory factory() {
            return factory;
        }
    }

    @Test
    void deploy_withoutServerUri_failsNamingTheKey() {
        configureDefaultClient();
        System.clearProperty("alo.audio.server-uri");
        String text = deploymentFailure();
        assertTrue(text.contains("alo.audio.server-uri is not set"), text);
        assertTrue(text.contains(AloAudioConfigException.class.getName()), text);
    }

    @Test
    void deploy_withBadDuration_failsNamingTheKey() {
        configureDefaultClient();
        setProperty("alo.audio.connect-timeout", "ten seconds");
        String text = deploymentFailure();
        assertTrue(text.contains("alo.audio.connect-timeout has an invalid value 'ten seconds'"), text);
    }

    @Test
    void deploy_withDurationWithoutUnit_failsNamingTheKeyAndWhatToWrite() {
        configureDefaultClient();
        setProperty("alo.audio.connect-timeout", "10");
        String text = deploymentFailure();
        assertTrue(text.contains("alo.audio.connect-timeout has an invalid value '10' (from "), text);
        assertTrue(text.contains("a duration needs a unit: write 10ms for milliseconds or 10s for seconds"), text);
    }

    @Test
    void deploy_withValueTheBuilderRefuses_failsNamingTheKey() {
        configureDefaultClient();
        setProperty("alo.audio.max-message-size", "100");
        String text = deploymentFailure();
        assertTrue(text.contains("alo.audio.max-message-size has an invalid value '100' (from "), text);
        assertTrue(text.contains("maxMessageSize must be at least 1024 bytes"), text);
    }

    @Test
    void deploy_withBadToken_failsWithoutShowingIt() {
        configureDefaultClient();
        String secretPart = "eyJzZWNyZXQiOiJwYXJ0In0";
        setProperty("alo.audio.user-auth-token", "Bearer " + secretPart);
        String text = deploymentFailure();
        assertTrue(text.contains("alo.audio.user-auth-token has an invalid value"), text);
        assertFalse(text.contains(secretPart), text);
    }

    @Test
    void deploy_withoutDefaultClientInjection_needsNoConfiguration() {
        SeContainer container = boot(FactoryOnly.class);
        assertTrue(container.isRunning());
        AloAudioConfig.Builder builder = container.select(FactoryOnly.class).get().factory().configuration("other");
        AloAudioConfigException incomplete = assertThrows(AloAudioConfigException.class, builder::build);
        assertTrue(incomplete.getMessage().contains("serverUri is required"), incomplete.getMessage());
    }

    private String deploymentFailure() {
        RuntimeException e = assertThrows(RuntimeException.class,
                () -> boot(DefaultClientTest.Dispatch.class).close());
        assertInstanceOf(DeploymentException.class, e, () -> ConfigResolverTest.fullText(e));
        return ConfigResolverTest.fullText(e);
    }
}
