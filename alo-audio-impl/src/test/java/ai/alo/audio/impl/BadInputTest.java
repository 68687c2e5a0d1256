package ai.alo.audio.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.alo.audio.AloAudio;
import ai.alo.audio.AloConnectException;
import ai.alo.audio.ConnectionState;
import ai.alo.audio.DisconnectReason;
import ai.alo.audio.Initiator;
import ai.alo.audio.event.AloAudioEvent;
import ai.alo.audio.event.DisconnectEvent;
import ai.alo.audio.event.ParticipantsChangedEvent;
import ai.alo.audio.server.ServerListener;
import ai.alo.audio.server.SessionInfo;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Contract item 8: bad input from the server, the token or the network gets a clear error, never a hang. */
class BadInputTest extends ServerBackedTest {

    @Test
    void malformedFrame_endsWithProtocolError1002() throws Exception {
        String user = ServerFixture.newUserId();
        RecordingListener events = new RecordingListener();
        AloAudio audio = connected(user, events);

        fixture.server.sendRaw(user, "{\"type\":\"participant.joined\",");

        DisconnectEvent event = events.nextDisconnect();
        assertEquals(ConnectionState.ERROR, event.state());
        assertEquals(DisconnectReason.PROTOCOL_ERROR, event.reason());
        assertEquals(Initiator.CLIENT, event.initiator());
        assertEquals(1002, event.closeCode());
        assertTrue(event.message().startsWith("The audio service sent an invalid message: malformed JSON"),
                event.message());
        fixture.events.await("closed " + user + " 1002");
        audio.close();
        assertEquals(1, events.disconnects().size());
    }

    @Test
    void wrongShapeOfKnownType_endsWithProtocolError() throws Exception {
        String user = ServerFixture.newUserId();
        RecordingListener events = new RecordingListener();
        connected(user, events);

        fixture.server.sendRaw(user, "{\"type\":\"participant.left\",\"channelId\":7}");

        DisconnectEvent event = events.nextDisconnect();
        assertEquals(DisconnectReason.PROTOCOL_ERROR, event.reason());
        assertTrue(event.message().contains("participant.left"), event.message());
    }

    @Test
    void oversizedFrame_endsWithProtocolError1009() throws Exception {
        String user = ServerFixture.newUserId();
        RecordingListener events = new RecordingListener();
        AloAudio audio = fixture.client(fixture.config(user).name(user).maxMessageSize(4096).build(), events);
        audio.connect(ServerFixture.CHANNEL).get(10, TimeUnit.SECONDS);

        fixture.server.sendRaw(user, "{\"type\":\"pong\",\"seq\":1,\"pad\":\"" + "x".repeat(10_000) + "\"}");

        DisconnectEvent event = events.nextDisconnect();
        assertEquals(ConnectionState.ERROR, event.state());
        assertEquals(DisconnectReason.PROTOCOL_ERROR, event.reason());
        assertEquals(1009, event.closeCode());
        assertFalse(event.message().contains("xxxx"), event.message());
    }

    @Test
    void unknownMessageType_isIgnoredAndTheSessionGoesOn() throws Exception {
        String user = ServerFixture.newUserId();
        RecordingListener events = new RecordingListener();
        AloAudio audio = connected(user, events);

        fixture.server.sendRaw(user, "{\"type\":\"media.offer\",\"sdp\":\"v=0\"}");
        fixture.server.sendRaw(user, "{\"type\":\"participant.joined\",\"channelId\":\"dispatch\",\"participant\":"
                + "{\"connectionId\":\"p-marker\",\"userId\":\"marker\",\"name\":\"M\",\"muted\":true}}");

        events.await("the marker participant", all -> ConnectDisconnectTest.lastParticipants(all).size() == 2);
        assertEquals(ConnectionState.CONNECTED, audio.state());
        assertTrue(events.disconnects().isEmpty());
    }

    @Test
    void tamperedToken_failsConnectWithTokenRejected() throws Exception {
        String user = ServerFixture.newUserId();
        String token = fixture.server.tokens().issue(user, Duration.ofHours(1));
        String tampered = token.substring(0, token.length() - 4) + (token.endsWith("AAAA") ? "BBBB" : "AAAA");
        assertRefused(user, tampered, DisconnectReason.TOKEN_REJECTED, 4002);
    }

    @Test
    void notAJwt_failsConnectWithTokenRejected() throws Exception {
        assertRefused(ServerFixture.newUserId(), "not-a-jwt", DisconnectReason.TOKEN_REJECTED, 4002);
    }

    @Test
    void unsignedAlgNoneToken_failsConnectWithTokenRejected() throws Exception {
        String user = ServerFixture.newUserId();
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String none = b64.encodeToString("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes()) + "."
                + b64.encodeToString(("{\"user\":{\"id\":\"" + user + "\"},\"exp\":"
                + (Instant.now().getEpochSecond() + 3600) + "}").getBytes()) + ".";
        assertRefused(user, none, DisconnectReason.TOKEN_REJECTED, 4002);
    }

    @Test
    void expiredToken_failsConnectWithTokenExpired() throws Exception {
        String user = ServerFixture.newUserId();
        String expired = fixture.server.tokens().issue(user, Instant.now().minusSeconds(60));
        assertRefused(user, expired, DisconnectReason.TOKEN_EXPIRED, 4003);
    }

    @Test
    void tokenOfAnotherUser_failsConnectWithForbidden() throws Exception {
        String other = fixture.server.tokens().issue("someone-else", Duration.ofHours(1));
        assertRefused(ServerFixture.newUserId(), other, DisconnectReason.FORBIDDEN, 4004);
    }

    @Test
    void unreachableServer_failsConnectReadably() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        String user = ServerFixture.newUserId();
        RecordingListener events = new RecordingListener();
        AloAudio audio = fixture.client(fixture.config(user).name(user)
                .serverUri(URI.create("ws://127.0.0.1:" + closedPort + "/audio")).build(), events);

        AloConnectException failure = connectFailure(audio.connect(ServerFixture.CHANNEL));

        assertEquals(DisconnectReason.CONNECT_FAILED, failure.reason());
        assertEquals(0, failure.closeCode());
        assertTrue(failure.getMessage().contains("ws://127.0.0.1:" + closedPort + "/audio")
                && failure.getMessage().contains("connection refused"), failure.getMessage());
        DisconnectEvent event = events.nextDisconnect();
        assertEquals(ConnectionState.ERROR, event.state());
        assertEquals(failure.getMessage(), event.message());
        assertEquals(Initiator.NETWORK, event.initiator());
        assertFalse(event.wasConnected());
        audio.close();
        fixture.awaitNothingHeld();
    }

    @Test
    void wrongPath_failsConnectWithHttpStatus() throws Exception {
        String user = ServerFixture.newUserId();
        RecordingListener events = new RecordingListener();
        URI wrong = URI.create(fixture.server.uri().toString().replace("/audio", "/nope"));
        AloAudio audio = fixture.client(fixture.config(user).name(user).serverUri(wrong).build(), events);

        AloConnectException failure = connectFailure(audio.connect(ServerFixture.CHANNEL));

        assertEquals(DisconnectReason.CONNECT_FAILED, failure.reason());
        assertTrue(failure.getMessage().contains("HTTP 404"), failure.getMessage());
    }

    @Test
    void silentTcpServer_failsWithConnectTimeout() throws Exception {
        try (SilentTcpServer silent = new SilentTcpServer()) {
            String user = ServerFixture.newUserId();
            RecordingListener events = new RecordingListener();
            AloAudio audio = fixture.client(fixture.config(user).name(user).serverUri(silent.uri())
                    .connectTimeout(Duration.ofMillis(500)).build(), events);

            long start = System.nanoTime();
            AloConnectException failure = connectFailure(audio.connect(ServerFixture.CHANNEL));
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

            assertEquals(DisconnectReason.CONNECT_TIMEOUT, failure.reason());
            assertTrue(failure.getMessage().startsWith("Timed out after 500 ms connecting"), failure.getMessage());
            assertTrue(millis >= 450 && millis < 5000, "timed out after " + millis + " ms");
            assertEquals(ConnectionState.ERROR, audio.state());
            assertEquals(DisconnectReason.CONNECT_TIMEOUT, events.nextDisconnect().reason());
            assertTrue(silent.allClosedByPeer(), "the half-open socket was closed");
            fixture.awaitNothingHeld();
        }
    }

    @Test
    void serverThatNeverWelcomes_failsWithConnectTimeout() throws Exception {
        fixture.server.addListener(new ServerListener() {
            @Override
            public void onMessage(SessionInfo session, String type) {
                // freezing at hello, not when the session opens: the handshake's 101 must have reached the client
                if ("hello".equals(type)) {
                    fixture.server.freeze(session.sessionId());
                }
            }
        });
        String user = ServerFixture.newUserId();
        RecordingListener events = new RecordingListener();
        AloAudio audio = fixture.client(fixture.config(user).name(user).connectTimeout(Duration.ofMillis(600))
                .build(), events);

        AloConnectException failure = connectFailure(audio.connect(ServerFixture.CHANNEL));

        assertEquals(DisconnectReason.CONNECT_TIMEOUT, failure.reason());
        assertTrue(failure.getMessage().endsWith("the service did not welcome the client"), failure.getMessage());
        assertEquals(1001, events.nextDisconnect().closeCode());
    }

    @Test
    void welcomeWithAVersionThisClientDoesNotSpeak_isReportedAsDetectedByTheClient_closedWith1002()
            throws Exception {
        String user = ServerFixture.newUserId();
        fixture.server.addListener(new ServerListener() {
            @Override
            public void onMessage(SessionInfo session, String type) {
                // arrives before the service's own welcome
                if ("hello".equals(type) && user.equals(session.userId())) {
                    fixture.server.sendRaw(session.sessionId(), "{\"type\":\"welcome\",\"protocol\":99,"
                            + "\"sessionId\":\"s-x\",\"heartbeat\":{\"intervalMs\":1000,\"timeoutMs\":2500}}");
                }
            }
        });
        RecordingListener events = new RecordingListener();
        AloAudio audio = fixture.client(user, events);

        AloConnectException failure = connectFailure(audio.connect(ServerFixture.CHANNEL));

        assertEquals(DisconnectReason.UNSUPPORTED_PROTOCOL, failure.reason());
        assertTrue(failure.getMessage().contains("protocol version 99"), failure.getMessage());
        DisconnectEvent event = events.nextDisconnect();
        assertEquals(Initiator.CLIENT, event.initiator(), "this client detected it, not the server");
        assertEquals(1002, event.closeCode());
        fixture.events.await("closed " + user + " 1002");
    }

    @Test
    void joinRefusedByRequestId_failsTheConnectWithJoinRejected() throws Exception {
        String user = ServerFixture.newUserId();
        fixture.server.addListener(new ServerListener() {
            @Override
            public void onMessage(SessionInfo session, String type) {
                if ("join".equals(type) && user.equals(session.userId())) {
                    // the client's first request id is "1"; this refusal arrives before the service's own answer
                    fixture.server.sendRaw(session.sessionId(), "{\"type\":\"error\",\"requestId\":\"1\","
                            + "\"code\":\"join.rejected\",\"message\":\"not allowed\",\"ref\":\"join\"}");
                }
            }
        });
        AloAudio audio = fixture.client(user, new RecordingListener());

        AloConnectException failure = connectFailure(audio.connect(ServerFixture.CHANNEL));

        assertEquals(DisconnectReason.JOIN_REJECTED, failure.reason());
        assertTrue(failure.getMessage().endsWith(": not allowed"), failure.getMessage());
    }

    @Test
    void connectionGoneBeforeTheJoinIsAnswered_failsAtOnce_notAtTheConnectTimeout() throws Exception {
        String user = ServerFixture.newUserId();
        fixture.server.addListener(new ServerListener() {
            @Override
            public void onMessage(SessionInfo session, String type) {
                if ("hello".equals(type) && user.equals(session.userId())) {
                    fixture.server.dropConnection(session.sessionId());
                }
            }
        });
        AloAudio audio = fixture.client(fixture.config(user).name(user).connectTimeout(Duration.ofSeconds(30))
                .build(), new RecordingListener());

        long start = System.nanoTime();
        AloConnectException failure = connectFailure(audio.connect(ServerFixture.CHANNEL));
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        assertEquals(DisconnectReason.CONNECTION_LOST, failure.reason());
        assertTrue(millis < 5_000, "reported after " + millis + " ms; the connect timeout is 30 s");
        fixture.awaitNothingHeld();
    }

    private AloAudio connected(String user, RecordingListener events) throws Exception {
        AloAudio audio = fixture.client(user, events);
        audio.connect(ServerFixture.CHANNEL).get(10, TimeUnit.SECONDS);
        events.await("joined", all -> all.stream().anyMatch(ParticipantsChangedEvent.class::isInstance));
        return audio;
    }

    private void assertRefused(String user, String token, DisconnectReason reason, int code) throws Exception {
        RecordingListener events = new RecordingListener();
        AloAudio audio = fixture.client(fixture.config(user).name(user).userAuthToken(token).build(), events);

        AloConnectException failure = connectFailure(audio.connect(ServerFixture.CHANNEL));

        assertEquals(reason, failure.reason());
        assertEquals(code, failure.closeCode());
        assertTrue(failure.getMessage().startsWith(reason.defaultMessage()), failure.getMessage());
        assertFalse(failure.getMessage().contains(token), "the message must not contain the token");
        DisconnectEvent event = events.nextDisconnect();
        assertEquals(ConnectionState.ERROR, event.state());
        assertEquals(reason, event.reason());
        assertEquals(Initiator.SERVER, event.initiator());
        assertEquals(code, event.closeCode());
        assertFalse(event.wasConnected());
        assertFalse(event.toString().contains(token));
        assertEquals(ConnectionState.ERROR, audio.state());
        audio.close();
        assertEquals(1, events.count(AloAudioEvent.class::isInstance) > 0 ? events.disconnects().size() : 0);
    }

    static AloConnectException connectFailure(CompletableFuture<?> future) {
        ExecutionException e = assertThrows(ExecutionException.class, () -> future.get(15, TimeUnit.SECONDS));
        return assertInstanceOf(AloConnectException.class, e.getCause());
    }
}
