package ai.alo.audio.cdi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.alo.audio.AloAudio;
import ai.alo.audio.ConnectionState;
import ai.alo.audio.event.DisconnectEvent;
import jakarta.enterprise.inject.se.SeContainer;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import org.junit.jupiter.api.Test;

/** The MicroProfile Health readiness check registered when the Health API is present. */
class ReadinessCheckTest extends ServerBackedTest {

    @Test
    void readiness_followsTheClientsState_andNamesTheLastDisconnect() throws Exception {
        String userId = configureDefaultClient();
        SeContainer container = boot(DefaultClientTest.Dispatch.class, RecordingObserver.class,
                ReadinessCheck.class);
        AloAudio audio = container.select(DefaultClientTest.Dispatch.class).get().audio();
        RecordingObserver observer = container.select(RecordingObserver.class).get();
        HealthCheck check = container.select(HealthCheck.class, Readiness.Literal.INSTANCE).get();

        HealthCheckResponse unused = check.call();
        assertEquals("alo-audio", unused.getName());
        assertEquals(HealthCheckResponse.Status.UP, unused.getStatus(), "no client used yet: ready");
        assertTrue(data(unused).isEmpty(), "the default client is created on first use: " + data(unused));

        assertEquals(ConnectionState.NOT_CONNECTED, audio.state());
        HealthCheckResponse never = check.call();
        assertEquals(HealthCheckResponse.Status.UP, never.getStatus(), "never asked to connect: ready");
        assertEquals("NOT_CONNECTED", data(never).get("default.state"));

        audio.connect(CHANNEL).get(10, TimeUnit.SECONDS);
        HealthCheckResponse connected = check.call();
        assertEquals(HealthCheckResponse.Status.UP, connected.getStatus());
        assertEquals("CONNECTED", data(connected).get("default.state"));
        assertEquals(CHANNEL.id(), data(connected).get("default.channel"));

        assertTrue(server.dropConnection(userId));
        observer.disconnects().next();
        HealthCheckResponse lost = check.call();
        assertEquals(HealthCheckResponse.Status.DOWN, lost.getStatus(), "lost connection: not ready");
        assertEquals("ERROR", data(lost).get("default.state"));
        assertEquals("Lost connection to the server", data(lost).get("default.lastDisconnectMessage"));
        assertEquals(CHANNEL.id(), data(lost).get("default.channel"));

        audio.connect(CHANNEL).get(10, TimeUnit.SECONDS);
        assertEquals(HealthCheckResponse.Status.UP, check.call().getStatus(), "connected again: ready");

        audio.disconnect();
        DisconnectEvent left = (DisconnectEvent) observer.disconnects().next().event();
        assertEquals(ConnectionState.DISCONNECTED, left.state());
        HealthCheckResponse disconnected = check.call();
        assertEquals(HealthCheckResponse.Status.DOWN, disconnected.getStatus(), "disconnected: not ready");
        assertEquals("", data(disconnected).get("default.lastDisconnectMessage"));
        assertFalse(data(disconnected).isEmpty());
    }

    private static Map<String, Object> data(HealthCheckResponse response) {
        return response.getData().orElse(Map.of());
    }
}
