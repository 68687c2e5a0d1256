package ai.alo.audio.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.alo.audio.protocol.ChannelInfo;
import ai.alo.audio.protocol.CloseCodes;
import ai.alo.audio.protocol.End;
import ai.alo.audio.protocol.ErrorMessage;
import ai.alo.audio.protocol.HeartbeatInfo;
import ai.alo.audio.protocol.Hello;
import ai.alo.audio.protocol.Join;
import ai.alo.audio.protocol.Joined;
import ai.alo.audio.protocol.Left;
import ai.alo.audio.protocol.ParticipantInfo;
import ai.alo.audio.protocol.ParticipantJoined;
import ai.alo.audio.protocol.ParticipantLeft;
import ai.alo.audio.protocol.Pong;
import ai.alo.audio.protocol.UserInfo;
import ai.alo.audio.protocol.Welcome;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.glassfish.tyrus.client.ClientManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The signalling protocol of docs/protocol.md, against real WebSockets on loopback. */
class SessionProtocolTest {

    private AloAudioServer server;
    private ClientManager client;
    private final RecordingServerListener events = new RecordingServerListener();
    private final List<TestPeer> peers = new ArrayList<>();

    @BeforeEach
    void startServer() {
        server = AloAudioServer.builder().helloTimeout(Duration.ofMillis(500)).build();
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
    void hello_withValidToken_isAnsweredWithWelcome() throws Exception {
        TestPeer peer = connect("u-1");
        peer.hello("u-1", "d-1", new HeartbeatInfo(1000, 2500));
        Welcome welcome = peer.next(Welcome.class);
        assertEquals(1, welcome.protocol());
        assertTrue(welcome.sessionId().startsWith("s-"), welcome.sessionId());
        assertEquals(new HeartbeatInfo(1000, 2500), welcome.heartbeat());
        assertEquals(AloAudioServer.SERVER_NAME, welcome.server());
        SessionInfo session = events.await(RecordingServerListener.Welcomed.class, w -> true).session();
        assertEquals(welcome.sessionId(), session.sessionId());
        assertEquals(SessionInfo.Phase.ACTIVE, session.phase());
        assertEquals("d-1", session.deviceId());
    }

    @Test
    void hello_withHeartbeatOutsideLimits_isClamped() throws Exception {
        TestPeer fast = connect("u-1");
        fast.hello("u-1", "", new HeartbeatInfo(10, 20));
        assertEquals(new HeartbeatInfo(50, 150), fast.next(Welcome.class).heartbeat());

        TestPeer slow = connect("u-2");
        slow.hello("u-2", "", new HeartbeatInfo(60_000, 600_000));
        assertEquals(new HeartbeatInfo(30_000, 120_000), slow.next(Welcome.class).heartbeat());

        TestPeer inverted = connect("u-3");
        inverted.hello("u-3", "", new HeartbeatInfo(20_000, 21_000));
        HeartbeatInfo granted = inverted.next(Welcome.class).heartbeat();
        assertTrue(granted.timeoutMs() > granted.intervalMs(), granted::toString);
    }

    @Test
    void hello_withOtherProtocolVersion_closes4005() throws Exception {
        TestPeer peer = connect("u-1");
        peer.send(TestPeer.encode(new Hello(2, "future", new UserInfo("u-1", "Ann", "d"), false,
                TestPeer.RELAXED)));
        peer.assertClosedWith(CloseCodes.UNSUPPORTED_PROTOCOL);
    }

    @Test
    void open_withoutHello_closes4006AfterHelloTimeout() throws Exception {
        TestPeer peer = connect("u-1");
        peer.assertClosedWith(CloseCodes.HELLO_TIMEOUT);
        assertTrue(peer.pending().isEmpty(), () -> "nothing before the close: " + peer.pending());
    }

    @Test
    void join_beforeHello_closes1002() throws Exception {
        TestPeer peer = connect("u-1");
        peer.join("dispatch");
        peer.assertClosedWith(CloseCodes.PROTOCOL_ERROR);
    }

    @Test
    void join_afterWelcome_answersJoinedWithTheJoinerMuted() throws Exception {
        TestPeer ann = welcomed("u-1");
        ann.join("dispatch");
        Joined joined = ann.next(Joined.class);
        assertEquals(new ChannelInfo("dispatch", "Channel dispatch", false), joined.channel());
        assertEquals(1, joined.participants().size());
        ParticipantInfo self = joined.participants().get(0);
        assertEquals(joined.connectionId(), self.connectionId());
        assertEquals("u-1", self.userId());
        assertEquals("Name u-1", self.name());
        assertTrue(self.muted());
        assertEquals(List.of(self), server.participants("dispatch"));
        SessionInfo session = server.sessions().get(0);
        assertEquals("dispatch", session.channelId());
        assertEquals(joined.connectionId(), session.connectionId());
    }

    @Test
    void join_bySecondClient_isAnnouncedToTheFirstAndListsBoth() throws Exception {
        TestPeer ann = welcomed("u-1");
        ann.join("dispatch");
        ParticipantInfo annInfo = ann.next(Joined.class).participants().get(0);
        TestPeer bob = welcomed("u-2");
        bob.join("dispatch");
        Joined bobJoined = bob.next(Joined.class);
        assertEquals(2, bobJoined.participants().size());
        assertEquals(annInfo, bobJoined.participants().get(0));
        ParticipantJoined announced = ann.next(ParticipantJoined.class);
        assertEquals("dispatch", announced.channelId());
        assertEquals(bobJoined.connectionId(), announced.participant().connectionId());
        assertEquals("u-2", announced.participant().userId());
        assertTrue(announced.participant().muted());
    }

    @Test
    void leave_inAChannel_isAnsweredWithLeftAndTheOthersAreToldLeft() throws Exception {
        TestPeer ann = welcomed("u-1");
        TestPeer bob = welcomed("u-2");
        ann.join("dispatch");
        ann.next(Joined.class);
        bob.join("dispatch");
        ParticipantInfo bobInfo = self(bob.next(Joined.class));
        ann.next(ParticipantJoined.class);

        bob.leave("dispatch");
        assertEquals(new Left("dispatch"), bob.next(Left.class));
        ParticipantLeft left = ann.next(ParticipantLeft.class);
        assertEquals(new ParticipantLeft("dispatch", bobInfo, "left"), left);
        assertEquals(1, server.participants("dispatch").size());
    }

    @Test
    void leave_thenClose1000_isSeenByTheServerInThatOrder() throws Exception {
        TestPeer ann = welcomed("u-1");
        ann.join("dispatch");
        ann.next(Joined.class);
        ann.leave("dispatch");
        ann.close(CloseCodes.NORMAL, "bye");
        RecordingServerListener.Closed closed = events.awaitClosed("u-1");
        assertEquals(CloseCodes.NORMAL, closed.code());
        List<RecordingServerListener.Event> all = events.events();
        int leave = indexOf(all, e -> e instanceof RecordingServerListener.Received r && r.type().equals("leave"));
        int left = indexOf(all, e -> e instanceof RecordingServerListener.Left l && l.reason().equals("left"));
        int close = all.indexOf(closed);
        assertTrue(leave >= 0 && leave < left && left < close, () -> "events: " + all);
    }

    @Test
    void close_withoutLeave_othersAreToldClosed() throws Exception {
        TestPeer ann = welcomed("u-1");
        TestPeer bob = welcomed("u-2");
        ann.join("dispatch");
        ann.next(Joined.class);
        bob.join("dispatch");
        ParticipantInfo bobInfo = self(bob.next(Joined.class));
        ann.next(ParticipantJoined.class);

        bob.close(CloseCodes.NORMAL, "bye");
        assertEquals(new ParticipantLeft("dispatch", bobInfo, "closed"), ann.next(ParticipantLeft.class));
        assertEquals("closed", events.await(RecordingServerListener.Left.class, l -> true).reason());
    }

    @Test
    void join_whileInAChannel_leavesTheOldOneFirst() throws Exception {
        TestPeer ann = welcomed("u-1");
        TestPeer bob = welcomed("u-2");
        ann.join("a");
        ann.next(Joined.class);
        bob.join("a");
        ParticipantInfo bobInA = self(bob.next(Joined.class));
        ann.next(ParticipantJoined.class);

        bob.join("b");
        Joined inB = bob.next(Joined.class);
        assertEquals("b", inB.channel().id());
        assertEquals(new ParticipantLeft("a", bobInA, "left"), ann.next(ParticipantLeft.class));
        assertEquals(1, server.participants("a").size());
        assertEquals(1, server.participants("b").size());
    }

    @Test
    void join_withBlankChannelId_isRejectedAndTheSessionGoesOn() throws Exception {
        TestPeer ann = welcomed("u-1");
        ann.send("{\"type\":\"join\",\"channel\":{\"id\":\"  \",\"name\":\"x\",\"fullDuplex\":false}}");
        ErrorMessage error = ann.next(ErrorMessage.class);
        assertEquals("join.rejected", error.code());
        assertEquals("join", error.ref());
        ann.ping(7);
        assertEquals(new Pong(7), ann.next(Pong.class));
    }

    @Test
    void join_withTooLongChannelId_isRejected() throws Exception {
        TestPeer ann = welcomed("u-1");
        ann.send(TestPeer.encode(new Join(new ChannelInfo("c".repeat(129), "long", false))));
        ErrorMessage error = ann.next(ErrorMessage.class);
        assertEquals("join.rejected", error.code());
        assertEquals("join", error.ref());
        ann.send(TestPeer.encode(new Join(new ChannelInfo("c".repeat(128), "long", false))));
        assertEquals(128, ann.next(Joined.class).channel().id().length());
    }

    @Test
    void ping_afterWelcome_isAnsweredWithPongOfTheSameSeq() throws Exception {
        TestPeer ann = welcomed("u-1");
        ann.ping(Long.MAX_VALUE);
        ann.ping(1);
        assertEquals(new Pong(Long.MAX_VALUE), ann.next(Pong.class));
        assertEquals(new Pong(1), ann.next(Pong.class));
    }

    @Test
    void message_withMalformedJson_closes1002() throws Exception {
        TestPeer ann = welcomed("u-1");
        ann.send("{\"type\":\"ping\",");
        ann.assertClosedWith(CloseCodes.PROTOCOL_ERROR);
    }

    @Test
    void message_ofKnownTypeWithWrongShape_closes1002() throws Exception {
        TestPeer ann = welcomed("u-1");
        ann.send("{\"type\":\"ping\",\"seq\":\"one\"}");
        ann.assertClosedWith(CloseCodes.PROTOCOL_ERROR);
    }

    @Test
    void frame_whenBinary_closes1002() throws Exception {
        TestPeer ann = welcomed("u-1");
        ann.sendBinary(new byte[] {1, 2, 3});
        ann.assertClosedWith(CloseCodes.PROTOCOL_ERROR);
    }

    @Test
    void message_overTheSizeLimit_closes1009() throws Exception {
        TestPeer ann = welcomed("u-1");
        ann.send("{\"type\":\"ping\",\"seq\":1,\"pad\":\"" + "x".repeat(64 * 1024) + "\"}");
        ann.assertClosedWith(CloseCodes.TOO_BIG);
    }

    @Test
    void message_ofUnknownType_isIgnoredAndTheSessionGoesOn() throws Exception {
        TestPeer ann = welcomed("u-1");
        ann.send("{\"type\":\"media.offer\",\"sdp\":\"v=0\"}");
        ann.ping(3);
        assertEquals(new Pong(3), ann.next(Pong.class));
        events.await(RecordingServerListener.Received.class, r -> r.type().equals("media.offer"));
        assertTrue(ann.isOpen());
    }

    @Test
    void message_ofServerOnlyType_closes1002() throws Exception {
        TestPeer ann = welcomed("u-1");
        ann.send(TestPeer.encode(new End("kicked", "no")));
        ann.assertClosedWith(CloseCodes.PROTOCOL_ERROR);
    }

    @Test
    void hello_bySameUserAndDevice_replacesTheOldSessionWith4010() throws Exception {
        TestPeer first = welcomed("u-1", "console-3");
        TestPeer other = welcomed("u-2", "console-9");
        first.join("dispatch");
        ParticipantInfo firstInfo = self(first.next(Joined.class));
        other.join("dispatch");
        other.next(Joined.class);
        first.next(ParticipantJoined.class);

        TestPeer second = welcomed("u-1", "console-3");
        assertEquals(new End("replaced", "Replaced by a newer session on the same device"), first.next(End.class));
        first.assertClosedWith(CloseCodes.DUPLICATE_SESSION);
        assertEquals(new ParticipantLeft("dispatch", firstInfo, "replaced"), other.next(ParticipantLeft.class));
        assertTrue(second.isOpen());
        assertEquals(2, server.sessions().size());
    }

    @Test
    void hello_bySameUserOnOtherDevice_keepsBothSessions() throws Exception {
        TestPeer first = welcomed("u-1", "phone");
        TestPeer second = welcomed("u-1", "desk");
        first.ping(1);
        assertEquals(new Pong(1), first.next(Pong.class));
        assertTrue(second.isOpen());
        assertEquals(2, server.sessions().size());
    }

    @Test
    void endSession_kick_sendsEndThenCloses4009AndTellsOthersKicked() throws Exception {
        TestPeer ann = welcomed("u-1");
        TestPeer bob = welcomed("u-2");
        ann.join("dispatch");
        ann.next(Joined.class);
        bob.join("dispatch");
        ParticipantInfo bobInfo = self(bob.next(Joined.class));
        ann.next(ParticipantJoined.class);

        assertTrue(server.endSession("u-2", "kicked", "Removed by an operator", CloseCodes.KICKED));
        assertEquals(new End("kicked", "Removed by an operator"), bob.next(End.class));
        bob.assertClosedWith(CloseCodes.KICKED);
        assertEquals(new ParticipantLeft("dispatch", bobInfo, "kicked"), ann.next(ParticipantLeft.class));
        assertFalse(server.endSession("u-2", "kicked", "again", CloseCodes.KICKED));
        assertThrows(IllegalArgumentException.class, () -> server.endSession("u-1", "ended", "", 1006));
    }

    @Test
    void sendRaw_toALiveSession_deliversTheTextAsIs() throws Exception {
        TestPeer ann = welcomed("u-1");
        String sessionId = server.sessions().get(0).sessionId();
        assertTrue(server.sendRaw(sessionId, "{not json"));
        assertEquals("{not json", ann.nextText());
        assertFalse(server.sendRaw("nobody", "x"));
    }

    @Test
    void sendRaw_byUserId_picksTheNewestSession() throws Exception {
        TestPeer older = welcomed("u-1", "a");
        TestPeer newer = welcomed("u-1", "b");
        assertTrue(server.sendRaw("u-1", "{\"type\":\"x.newest\"}"));
        assertEquals("{\"type\":\"x.newest\"}", newer.nextText());
        older.ping(1);
        assertEquals(new Pong(1), older.next(Pong.class));
    }

    @Test
    void snapshots_whenModified_throw() throws Exception {
        TestPeer ann = welcomed("u-1");
        ann.join("dispatch");
        ann.next(Joined.class);
        assertThrows(UnsupportedOperationException.class, () -> server.sessions().clear());
        assertThrows(UnsupportedOperationException.class, () -> server.participants("dispatch").clear());
        assertTrue(server.participants("nowhere").isEmpty());
    }

    @Test
    void join_again_givesAFreshConnectionId() throws Exception {
        TestPeer ann = welcomed("u-1");
        ann.join("a");
        String first = ann.next(Joined.class).connectionId();
        ann.join("a");
        String second = ann.next(Joined.class).connectionId();
        assertNotEquals(first, second);
    }

    private TestPeer connect(String userId) throws Exception {
        TestPeer peer = TestPeer.connect(client, server.uri(), server.tokens().issue(userId, Duration.ofHours(1)));
        peers.add(peer);
        return peer;
    }

    private TestPeer welcomed(String userId) throws Exception {
        return welcomed(userId, "");
    }

    private TestPeer welcomed(String userId, String deviceId) throws Exception {
        TestPeer peer = TestPeer.welcomed(client, server, userId, deviceId);
        peers.add(peer);
        return peer;
    }

    private static ParticipantInfo self(Joined joined) {
        return joined.participants().stream().filter(p -> p.connectionId().equals(joined.connectionId()))
                .findFirst().orElseThrow();
    }

    private static int indexOf(List<RecordingServerListener.Event> events,
                               Predicate<RecordingServerListener.Event> condition) {
        for (int i = 0; i < events.size(); i++) {
            if (condition.test(events.get(i))) {
                return i;
            }
        }
        return -1;
    }
}
