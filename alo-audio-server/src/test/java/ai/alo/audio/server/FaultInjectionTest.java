package ai.alo.audio.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.alo.audio.protocol.CloseCodes;
import ai.alo.audio.protocol.HeartbeatInfo;
import ai.alo.audio.protocol.ParticipantInfo;
import ai.alo.audio.protocol.ParticipantJoined;
import ai.alo.audio.protocol.ParticipantLeft;
import ai.alo.audio.protocol.Pong;
import ai.alo.audio.protocol.Welcome;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.glassfish.tyrus.client.ClientManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** The fault-injection relay: connection resets and silent network loss. */
class FaultInjectionTest {

    private AloAudioServer server;
    private ClientManager client;
    private final RecordingServerListener events = new RecordingServerListener();
    private final List<TestPeer> peers = new ArrayList<>();

    @BeforeEach
    void startServer() {
        server = AloAudioServer.builder().stopTimeout(Duration.ofSeconds(2)).build();
        server.addListener(events);
        server.start();
        client = ClientManager.createClient();
    }

    @AfterEach
    void stopServer() {
        peers.forEach(TestPeer::close);
        client.shutdown();
        server.stop();
    }

    @Test
    void dropConnection_ofASession_clientSees1006AndOthersAreToldLost() throws Exception {
        TestPeer ann = welcomed("u-1", TestPeer.RELAXED);
        TestPeer bob = welcomed("u-2", TestPeer.RELAXED);
        ParticipantInfo bobInfo = bothInChannel(ann, bob);

        assertTrue(server.dropConnection("u-2"));
        bob.assertClosedWith(CloseCodes.ABNORMAL);
        assertEquals(new ParticipantLeft("dispatch", bobInfo, "lost"), ann.next(ParticipantLeft.class));
        assertEquals(CloseCodes.ABNORMAL, events.awaitClosed("u-2").code());
        assertTrue(ann.isOpen());
    }

    @Test
    void dropConnection_bySessionId_dropsThatSession() throws Exception {
        TestPeer ann = welcomed("u-1", TestPeer.RELAXED);
        String sessionId = server.sessions().get(0).sessionId();
        assertTrue(server.dropConnection(sessionId));
        ann.assertClosedWith(CloseCodes.ABNORMAL);
        assertFalse(server.dropConnection(sessionId), "the session is gone");
        assertFalse(server.dropConnection("nobody"));
    }

    @Test
    void dropAllConnections_withTwoClients_resetsBoth() throws Exception {
        TestPeer ann = welcomed("u-1", TestPeer.RELAXED);
        TestPeer bob = welcomed("u-2", TestPeer.RELAXED);
        assertEquals(2, server.dropAllConnections());
        ann.assertClosedWith(CloseCodes.ABNORMAL);
        bob.assertClosedWith(CloseCodes.ABNORMAL);
        events.awaitClosed("u-1");
        events.awaitClosed("u-2");
    }

    @Test
    void freeze_ofASession_clientHearsNothingAndServerDropsItWith4008AfterTheHeartbeatTimeout() throws Exception {
        TestPeer ann = welcomed("u-1", TestPeer.RELAXED);
        TestPeer bob = welcomed("u-2", new HeartbeatInfo(300, 1000));
        ParticipantInfo bobInfo = bothInChannel(ann, bob);
        bob.ping(1);
        assertEquals(new Pong(1), bob.next(Pong.class));

        assertTrue(server.freeze("u-2"));
        bob.ping(2);
        RecordingServerListener.Closed closed = events.awaitClosed("u-2");
        assertEquals(CloseCodes.HEARTBEAT_TIMEOUT, closed.code());
        assertEquals(new ParticipantLeft("dispatch", bobInfo, "lost"), ann.next(ParticipantLeft.class));
        assertTrue(bob.pending().isEmpty(), () -> "a frozen client hears nothing, got " + bob.pending());
        assertTrue(bob.isOpen(), () -> "the frozen client's socket stays open, closed: " + bob.closeReasonNow());
        assertTrue(ann.isOpen());
    }

    @Test
    void freeze_thenUnfreezeWithoutTraffic_resumesTheSession() throws Exception {
        TestPeer ann = welcomed("u-1", TestPeer.RELAXED);
        assertEquals(1, server.freezeAll());
        assertTrue(server.unfreeze("u-1"));
        ann.ping(5);
        assertEquals(new Pong(5), ann.next(Pong.class));
        assertEquals(1, server.unfreezeAll());
    }

    @Test
    void frozenConnection_closedByTheClient_isOnlyNoticedByTheServerHeartbeat() throws Exception {
        TestPeer ann = welcomed("u-1", new HeartbeatInfo(200, 600));
        assertTrue(server.freeze("u-1"));
        ann.close();
        // A black hole passes neither the close frame nor the end of the TCP connection on.
        assertEquals(CloseCodes.HEARTBEAT_TIMEOUT, events.awaitClosed("u-1").code());
        assertTrue(server.sessions().isEmpty());
    }

    @Test
    void frozenConnection_droppedByTheServer_staysSilentlyOpenForTheClient() throws Exception {
        TestPeer ann = welcomed("u-1", new HeartbeatInfo(200, 600));
        assertTrue(server.freeze("u-1"));
        assertEquals(CloseCodes.HEARTBEAT_TIMEOUT, events.awaitClosed("u-1").code());
        ann.ping(1);
        assertTrue(ann.isOpen(), () -> "closed: " + ann.closeReasonNow());
        assertFalse(server.unfreeze("u-1"), "the session is gone, so it cannot be looked up");
        assertEquals(1, server.unfreezeAll(), "the relay connection is still there, half closed");
        ann.assertClosedWith(CloseCodes.ABNORMAL);
    }

    @Test
    void relayHeader_sentByAClient_isReplaced() throws Exception {
        String token = server.tokens().issue("u-1", Duration.ofHours(1));
        TestPeer peer = TestPeer.connect(client, server.uri(),
                Map.of("Authorization", "Bearer " + token, "X-Alo-Relay-Id", "999"));
        peers.add(peer);
        peer.hello("u-1", "", TestPeer.RELAXED);
        peer.next(Welcome.class);
        long relayId = server.sessions().get(0).relayId();
        assertTrue(relayId > 0);
        assertNotEquals(999, relayId);
        assertTrue(server.dropConnection("u-1"));
        peer.assertClosedWith(CloseCodes.ABNORMAL);
    }

    @Test
    void faultMethods_withoutFaultInjection_throwIllegalState() throws Exception {
        try (AloAudioServer direct = AloAudioServer.builder().faultInjection(false).build().start()) {
            TestPeer peer = TestPeer.welcomed(client, direct, "u-1", "");
            peers.add(peer);
            assertEquals(-1, direct.sessions().get(0).relayId());
            List<Executable> calls = List.of(() -> direct.dropConnection("u-1"), direct::dropAllConnections,
                    () -> direct.freeze("u-1"), direct::freezeAll, () -> direct.unfreeze("u-1"),
                    direct::unfreezeAll);
            for (Executable call : calls) {
                IllegalStateException e = assertThrows(IllegalStateException.class, call);
                assertTrue(e.getMessage().contains("Fault injection is disabled"), e.getMessage());
            }
            peer.ping(1);
            assertEquals(new Pong(1), peer.next(Pong.class));
        }
    }

    @Test
    void faultMethods_afterStop_throwIllegalState() {
        server.stop();
        assertThrows(IllegalStateException.class, () -> server.dropConnection("u-1"));
        assertThrows(IllegalStateException.class, () -> server.freezeAll());
    }

    private TestPeer welcomed(String userId, HeartbeatInfo heartbeat) throws Exception {
        TestPeer peer = TestPeer.connect(client, server.uri(), server.tokens().issue(userId, Duration.ofHours(1)));
        peers.add(peer);
        peer.hello(userId, "", heartbeat);
        peer.next(Welcome.class);
        return peer;
    }

    /** Ann joins "dispatch", then Bob; returns Bob's participant. */
    private static ParticipantInfo bothInChannel(TestPeer ann, TestPeer bob) throws Exception {
        ann.join("dispatch");
        ann.awaitJoin();
        bob.join("dispatch");
        ParticipantInfo self = bob.awaitJoin().self();
        ann.next(ParticipantJoined.class);
        return self;
    }
}
