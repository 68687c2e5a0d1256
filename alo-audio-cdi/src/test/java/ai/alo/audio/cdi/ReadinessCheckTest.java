package ai.alo.audio.cdi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.alo.audio.AloAudio;
import ai.alo.audio.AudioUser;
import ai.alo.audio.ConnectionState;
import ai.alo.audio.DisconnectReason;
import ai.alo.audio.event.ConnectionChangeEvent;
import ai.alo.audio.event.DisconnectEvent;
import jakarta.enterprise.inject.se.SeContainer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponse.Status;
import org.eclipse.microprofile.health.Readiness;
import org.junit.jupiter.api.Test;

/**
 * The MicroProfile Health readiness check: DOWN exactly while a client that is meant to be connected (from {@code
 * connect()} until {@code disconnect()} / {@code close()}) is not; its data holds per client only the name, the state
 * and the typed reason of the last disconnect.
 */
class ReadinessCheckTest extends ServerBackedTest {

    private static final Set<String> ALLOWED_SUFFIXES = Set.of(".state", ".lastDisconnectReason");

    @Test
    void readiness_neverConnected_connected_lost_intentionallyDisconnected() throws Exception {
        String userId = configureDefaultClient();
        setProperty("alo.audio.reconnect.enabled", "false"); // the loss stays in ERROR until disconnect()
        SeContainer container = boot(DefaultClientTest.Dispatch.class, RecordingObserver.class,
                ReadinessCheck.class);
        AloAudio audio = container.select(DefaultClientTest.Dispatch.class).get().audio();
        RecordingObserver observer = container.select(RecordingObserver.class).get();
        HealthCheck check = container.select(HealthCheck.class, Readiness.Literal.INSTANCE).get();

        HealthCheckResponse unused = check.call();
        assertEquals("alo-audio", unused.getName());
        assertEquals(Status.UP, unused.getStatus(), "no client used yet: ready");
        assertTrue(data(unused).isEmpty(), "the default client is created on first use: " + data(unused));

        assertEquals(ConnectionState.NOT_CONNECTED, audio.state());
        HealthCheckResponse never = check.call();
        assertEquals(Status.UP, never.getStatus(), "never asked to connect: ready");
        assertEquals(Map.of("default.state", "NOT_CONNECTED"), data(never));

        audio.connect(CHANNEL).get(10, TimeUnit.SECONDS);
        HealthCheckResponse connected = check.call();
        assertEquals(Status.UP, connected.getStatus());
        assertEquals(Map.of("default.state", "CONNECTED"), data(connected));

        assertTrue(server.dropConnection(userId));
        assertEquals(ConnectionState.ERROR, ((DisconnectEvent) observer.disconnects().next().event()).state());
        HealthCheckResponse lost = check.call();
        assertEquals(Status.DOWN, lost.getStatus(), "meant to be connected, and lost: not ready");
        assertEquals(Map.of("default.state", "ERROR", "default.lastDisconnectReason", "CONNECTION_LOST"), data(lost));

        audio.disconnect(); // the application gives up on the lost connection: ERROR -> DISCONNECTED
        assertEquals(ConnectionState.DISCONNECTED, audio.state());
        assertEquals(Status.UP, check.call().getStatus(), "no longer meant to be connected: ready");

        audio.connect(CHANNEL).get(10, TimeUnit.SECONDS);
        assertEquals(Status.UP, check.call().getStatus(), "connected again: ready");

        audio.disconnect();
        DisconnectEvent left = (DisconnectEvent) observer.disconnects().next().event();
        assertEquals(DisconnectReason.CLIENT_INITIATED, left.reason());
        HealthCheckResponse disconnected = check.call();
        assertEquals(Status.UP, disconnected.getStatus(), "an intentional disconnect is not a fault");
        assertEquals(Map.of("default.state", "DISCONNECTED", "default.lastDisconnectReason", "CLIENT_INITIATED"),
                data(disconnected));
    }

    @Test
    void readiness_whileConnecting_isDown_untilDisconnected() throws Exception {
        configureDefaultClient();
        SeContainer container = boot(RecordingObserver.class, ReadinessCheck.class);
        HealthCheck check = container.select(HealthCheck.class, Readiness.Literal.INSTANCE).get();
        RecordingObserver observer = container.select(RecordingObserver.class).get();
        AloAudioFactory factory = container.select(AloAudioFactory.class).get();
        // accepts TCP connections (in its backlog) and never answers the WebSocket handshake
        try (ServerSocket silent = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            String userId = newUserId("silent");
            AloAudio client = factory.create(factory.configuration("silent")
                    .serverUri("ws://127.0.0.1:" + silent.getLocalPort() + "/audio")
                    .user(AudioUser.of(userId, "Silent"))
                    .userAuthToken(server.tokens().issue(userId, Duration.ofHours(1)))
                    .connectTimeout(Duration.ofMinutes(1))
                    .build());
            assertEquals(Status.UP, check.call().getStatus());

            client.connect(CHANNEL);
            assertEquals(ConnectionState.CONNECTING, client.state());
            HealthCheckResponse connecting = check.call();
            assertEquals(Status.DOWN, connecting.getStatus(), "meant to be connected, still connecting: not ready");
            assertEquals(Map.of("silent.state", "CONNECTING"), data(connecting));

            client.disconnect();
            assertEquals(Status.UP, check.call().getStatus(), "the application cancelled the connect: ready");
            // the reason is recorded from the DisconnectEvent, which is delivered after disconnect() returns
            assertEquals(DisconnectReason.CLIENT_INITIATED,
                    ((DisconnectEvent) observer.disconnects().next().event()).reason());
            HealthCheckResponse cancelled = check.call();
            assertEquals(Status.UP, cancelled.getStatus());
            assertEquals(Map.of("silent.state", "DISCONNECTED", "silent.lastDisconnectReason", "CLIENT_INITIATED"),
                    data(cancelled));
        }
    }

    @Test
    void readiness_afterServerEndsOrRefuses_isDown_andShowsNoServerTextUriUserOrToken() throws Exception {
        String userId = configureDefaultClient();
        String token = System.getProperty("alo.audio.user-auth-token");
        SeContainer container = boot(DefaultClientTest.Dispatch.class, RecordingObserver.class,
                ReadinessCheck.class);
        AloAudio audio = container.select(DefaultClientTest.Dispatch.class).get().audio();
        RecordingObserver observer = container.select(RecordingObserver.class).get();
        HealthCheck check = container.select(HealthCheck.class, Readiness.Literal.INSTANCE).get();
        AloAudioFactory factory = container.select(AloAudioFactory.class).get();

        audio.connect(CHANNEL).get(10, TimeUnit.SECONDS);
        String serverText = "Operator note: call extension 4711 about the dispatch desk";
        assertTrue(server.endSession(userId, "kicked", serverText, 4009));
        DisconnectEvent kicked = (DisconnectEvent) observer.disconnects().next().event();
        assertEquals(ConnectionState.ERROR, kicked.state());
        assertTrue(kicked.message().contains("extension 4711"), "the event carries the server's words, so the check "
                + "below could leak them: " + kicked.message());

        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        String refusedUser = newUserId("refused");
        AloAudio refused = factory.create(factory.configuration("refused")
                .serverUri("ws://127.0.0.1:" + closedPort + "/audio")
                .user(AudioUser.of(refusedUser, "Refused"))
                .userAuthToken(server.tokens().issue(refusedUser, Duration.ofHours(1)))
                .build());
        try {
            refused.connect(CHANNEL).get(10, TimeUnit.SECONDS);
            throw new AssertionError("connected to a closed port");
        } catch (ExecutionException expected) {
            assertEquals(ConnectionState.ERROR, refused.state());
        }
        observer.disconnects().next(s -> s.event().clientName().equals("refused"));

        HealthCheckResponse down = check.call();
        assertEquals(Status.DOWN, down.getStatus());
        Map<String, Object> data = data(down);
        assertEquals(kicked.reason().name(), data.get("default.lastDisconnectReason"));
        assertEquals("CONNECT_FAILED", data.get("refused.lastDisconnectReason"));
        assertEquals("ERROR", data.get("default.state"));
        assertEquals("ERROR", data.get("refused.state"));
        for (Map.Entry<String, Object> entry : data.entrySet()) {
            assertTrue(ALLOWED_SUFFIXES.stream().anyMatch(entry.getKey()::endsWith), "unexpected key " + entry);
        }
        String all = data.toString();
        List<String> secrets = List.of("4711", "Operator", server.uri().toString(), "127.0.0.1",
                String.valueOf(server.port()), String.valueOf(closedPort), token, userId, refusedUser);
        for (String secret : secrets) {
            assertFalse(all.contains(secret), "the health data shows '" + secret + "': " + all);
        }

        refused.disconnect();
        audio.disconnect();
        assertEquals(Status.UP, check.call().getStatus(), "both given up on purpose: ready");
    }

    @Test
    void readiness_whileWaitingToReconnect_isDown_untilDisconnected() throws Exception {
        String userId = configureDefaultClient();
        // the reconnect keys, end to end: the first reconnect attempt waits a minute
        setProperty("alo.audio.reconnect.immediate-attempts", "0");
        setProperty("alo.audio.reconnect.initial-delay", "1m");
        setProperty("alo.audio.reconnect.max-delay", "1m");
        setProperty("alo.audio.reconnect.jitter", "0");
        SeContainer container = boot(DefaultClientTest.Dispatch.class, RecordingObserver.class,
                ReadinessCheck.class);
        AloAudio audio = container.select(DefaultClientTest.Dispatch.class).get().audio();
        RecordingObserver observer = container.select(RecordingObserver.class).get();
        HealthCheck check = container.select(HealthCheck.class, Readiness.Literal.INSTANCE).get();
        audio.connect(CHANNEL).get(10, TimeUnit.SECONDS);
        assertEquals(Status.UP, check.call().getStatus());

        assertTrue(server.dropConnection(userId));
        DisconnectEvent lost = (DisconnectEvent) observer.disconnects().next().event();
        assertTrue(lost.willReconnect());
        ConnectionChangeEvent pending = (ConnectionChangeEvent) observer.changes()
                .next(s -> ((ConnectionChangeEvent) s.event()).state() == ConnectionState.RECONNECT_PENDING).event();
        assertTrue(pending.pendingRestartSeconds() > 30, "the configured initial delay: " + pending);
        assertEquals(ConnectionState.RECONNECT_PENDING, audio.state());
        HealthCheckResponse waiting = check.call();
        assertEquals(Status.DOWN, waiting.getStatus(), "meant to be connected, waiting to reconnect: not ready");
        assertEquals(Map.of("default.state", "RECONNECT_PENDING", "default.lastDisconnectReason", "CONNECTION_LOST"),
                data(waiting));

        audio.disconnect(); // stops reconnecting
        assertEquals(ConnectionState.DISCONNECTED, audio.state());
        assertEquals(Status.UP, check.call().getStatus(), "no longer meant to be connected: ready");
    }

    @Test
    void meantToBeConnectedButIsNot_coversEveryState() {
        for (ConnectionState state : ConnectionState.values()) {
            boolean down = state == ConnectionState.CONNECTING || state == ConnectionState.ACQUIRING_ACCESS
                    || state == ConnectionState.RECONNECT_PENDING || state == ConnectionState.ERROR;
            assertEquals(down, ReadinessCheck.meantToBeConnectedButIsNot(state), state.name());
        }
    }

    private static Map<String, Object> data(HealthCheckResponse response) {
        return response.getData().orElse(Map.of());
    }
}
