package ai.alo.audio.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.jboss.arquillian.container.test.api.Deployer;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Configuration comes from the server's MicroProfile Config: the WAR's {@code microprofile-config.properties}
 * configures the clients, and a system property of the server JVM overrides a key of it.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class ConfigurationIT {

    private static final String NAME = "config-source";
    private static final String USER = "it-config";
    private static final String SUPPORT_USER = "it-config-support";
    private static final String OVERRIDDEN_KEY = "alo.audio.client.support.user.name";

    @Deployment(name = NAME, managed = false, testable = false)
    static WebArchive deployment() {
        return Deployments.war(NAME, USER, Deployments.Discovery.ANNOTATED, Map.of(
                "alo.audio.user.name", "Name-from-the-WAR",
                "alo.audio.client.support.user.id", SUPPORT_USER,
                "alo.audio.client.support.user-auth-token", ReferenceService.token(SUPPORT_USER),
                OVERRIDDEN_KEY, "Support-name-from-the-WAR"));
    }

    @ArquillianResource
    Deployer deployer;

    @Test
    void warProperties_configureTheClients_andASystemPropertyOverridesThem() throws Exception {
        AppServer server = AppServer.current();
        server.setSystemProperty(OVERRIDDEN_KEY, "Support-name-from-a-system-property");
        try {
            deployer.deploy(NAME);
            AppControl app = new AppControl(server.httpPort(), NAME);

            // the default client: every key from the WAR's microprofile-config.properties
            assertEquals("CONNECTED", app.connect("config"));
            ReferenceService.await("joined " + USER + " config Name-from-the-WAR");

            // a factory client: its own keys from the WAR, one of them overridden by the system property
            assertEquals("CONNECTED", app.connectNamed("support", "config"));
            ReferenceService.await("joined " + SUPPORT_USER + " config Support-name-from-a-system-property");
        } finally {
            deployer.undeploy(NAME);
            server.removeSystemProperty(OVERRIDDEN_KEY);
        }
        ReferenceService.await("closed " + USER + " 1001");
        ReferenceService.await("closed " + SUPPORT_USER + " 1001");
    }
}
