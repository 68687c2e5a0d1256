package ai.alo.audio.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.net.http.HttpResponse;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The readiness check through the server's own MicroProfile Health endpoint: ready while connected or never asked to
 * connect, not ready after a lost connection, with the state, channel and last disconnect message in its data.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class HealthIT {

    private static final String USER = "it-health";

    @Deployment(testable = false)
    static WebArchive deployment() {
        // not "health": Payara serves MicroProfile Health at /health on the same port
        return Deployments.war("readiness-app", USER);
    }

    @ArquillianResource
    URL contextRoot;

    @Test
    void readiness_upWhileConnected_downAfterALostConnection() throws Exception {
        AppServer server = AppServer.current();
        AppControl app = new AppControl(contextRoot);

        assertEquals("NOT_CONNECTED", app.state());
        HttpResponse<String> never = server.readinessReport();
        assertEquals(200, never.statusCode(), never.body());
        assertTrue(never.body().contains("\"alo-audio\""), never.body());
        assertTrue(never.body().contains("NOT_CONNECTED"), never.body());

        app.connect("health");
        HttpResponse<String> connected = server.readinessReport();
        assertEquals(200, connected.statusCode(), connected.body());
        assertTrue(connected.body().contains("CONNECTED") && connected.body().contains("\"health\"") && connected.body().contains("default.channel"),
                connected.body());

        ReferenceService.get().dropConnection(USER);
        app.awaitEvents("the lost connection", lines ->
                !AppControl.matching(lines, "sync-disconnect", "state=ERROR").isEmpty());
        HttpResponse<String> lost = server.readinessReport();
        assertEquals(503, lost.statusCode(), lost.body());
        assertTrue(lost.body().contains("\"DOWN\""), lost.body());
        assertTrue(lost.body().contains("Lost connection to the server"), lost.body());
        assertTrue(lost.body().contains("ERROR"), lost.body());

        app.connect("health");
        assertEquals(200, server.readinessReport().statusCode());
        app.disconnect();
    }
}
