package ai.alo.audio.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.io.StringReader;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The readiness check through the server's own MicroProfile Health endpoint: {@code UP} before any connect, while
 * connected and after an intentional {@code disconnect()}; {@code DOWN} after a lost connection, until the application
 * reconnects. Its data is exactly {@code default.state} and, once the client has disconnected, {@code
 * default.lastDisconnectReason}: never the server's text, the service URI, the user, the channel or the token (health
 * endpoints are often reachable without authentication).
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class HealthIT {

    private static final String USER = "it-health";
    /** Distinctive, so that its absence from the report means something. */
    private static final String CHANNEL = "health-channel-3f9c";

    @Deployment(testable = false)
    static WebArchive deployment() {
        // not "health": Payara serves MicroProfile Health at /health on the same port
        return Deployments.war("readiness-app", USER);
    }

    @ArquillianResource
    URL contextRoot;

    @Test
    void readiness_upWhileConnectedOrDisconnectedOnPurpose_downAfterALostConnection_dataHoldsNoServerText()
            throws Exception {
        AppServer server = AppServer.current();
        AppControl app = new AppControl(contextRoot);

        assertEquals("NOT_CONNECTED", app.state());
        assertReport(server, 200, "UP", Map.of("default.state", "NOT_CONNECTED"));

        assertEquals("CONNECTED", app.connect(CHANNEL));
        assertReport(server, 200, "UP", Map.of("default.state", "CONNECTED"));

        ReferenceService.get().dropConnection(USER);
        app.awaitEvents("the lost connection", lines ->
                !AppControl.matching(lines, "sync-disconnect", "state=ERROR",
                        "message=Lost connection to the server;").isEmpty());
        // the event carries the server-side text; the report must not
        assertReport(server, 503, "DOWN",
                Map.of("default.state", "ERROR", "default.lastDisconnectReason", "CONNECTION_LOST"));

        assertEquals("CONNECTED", app.connect(CHANNEL));
        assertReport(server, 200, "UP",
                Map.of("default.state", "CONNECTED", "default.lastDisconnectReason", "CONNECTION_LOST"));

        // changed by design: an intentional disconnect is not a fault, so the check stays UP
        assertEquals("DISCONNECTED", app.disconnect());
        app.awaitEvents("the intentional disconnect", lines ->
                !AppControl.matching(lines, "sync-disconnect", "state=DISCONNECTED").isEmpty());
        assertReport(server, 200, "UP",
                Map.of("default.state", "DISCONNECTED", "default.lastDisconnectReason", "CLIENT_INITIATED"));
    }

    /**
     * Asserts the HTTP status, the {@code alo-audio} check's status and its data, exactly; and that nothing the
     * client knows about its server or user appears anywhere in the report. The reason is recorded when the
     * {@code DisconnectEvent} is delivered, so the data is polled (bounded) until it matches.
     */
    private static void assertReport(AppServer server, int status, String checkStatus, Map<String, String> data)
            throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(ReferenceService.WAIT_SECONDS);
        HttpResponse<String> report = server.readinessReport();
        while (!matches(report, status, checkStatus, data) && System.nanoTime() < deadline) {
            synchronized (HealthIT.class) {
                HealthIT.class.wait(100);
            }
            report = server.readinessReport();
        }
        String body = report.body();
        assertEquals(status, report.statusCode(), body);
        JsonObject check = check(body);
        assertNotNull(check, "no alo-audio check in " + body);
        assertEquals(checkStatus, check.getString("status"), body);
        assertEquals(data, data(check), body);

        URI service = ReferenceService.get().uri();
        for (String secret : List.of(service.toString(), service.getAuthority(), USER, CHANNEL,
                "eyJ" /* how every JWT, so the token, starts */, "Lost connection")) {
            assertFalse(body.contains(secret), () -> "the report contains '" + secret + "': " + body);
        }
    }

    private static boolean matches(HttpResponse<String> report, int status, String checkStatus,
                                   Map<String, String> data) {
        JsonObject check = check(report.body());
        return report.statusCode() == status && check != null && checkStatus.equals(check.getString("status", ""))
                && data.equals(data(check));
    }

    /** The {@code alo-audio} entry of the report's {@code checks}, or null. */
    private static JsonObject check(String body) {
        try (JsonReader reader = Json.createReader(new StringReader(body))) {
            for (JsonValue value : reader.readObject().getJsonArray("checks")) {
                JsonObject check = value.asJsonObject();
                if ("alo-audio".equals(check.getString("name", ""))) {
                    return check;
                }
            }
            return null;
        } catch (RuntimeException e) {
            return null; // not JSON (an error page): the status assertion reports it
        }
    }

    private static Map<String, String> data(JsonObject check) {
        Map<String, String> data = new LinkedHashMap<>();
        JsonObject object = check.getJsonObject("data");
        if (object != null) {
            object.forEach((key, value) -> data.put(key, value instanceof JsonString text ? text.getString()
                    : value.toString()));
        }
        return data;
    }
}
