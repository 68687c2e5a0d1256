package ai.alo.audio.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.alo.audio.protocol.ChannelInfo;
import ai.alo.audio.protocol.CloseCodes;
import ai.alo.audio.protocol.End;
import ai.alo.audio.protocol.ErrorMessage;
import ai.alo.audio.protocol.HeartbeatInfo;
import ai.alo.audio.protocol.Hello;
import ai.alo.audio.protocol.Join;
import ai.alo.audio.protocol.Left;
import ai.alo.audio.protocol.ParticipantInfo;
import ai.alo.audio.protocol.ParticipantJoined;
import ai.alo.audio.protocol.ParticipantLeft;
import ai.alo.audio.protocol.Pong;
import ai.alo.audio.protocol.ProtocolVersion;
import ai.alo.audio.protocol.UserInfo;
import ai.alo.audio.protocol.Welcome;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import org.glassfish.tyrus.client.ClientManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The signalling protocol of docs/protocol.md (version 2), against real WebSockets on loopback. */
class SessionProtocolTest {

    private AloAudioServer server;
    private ClientManager client;
    private final RecordingServerListener events = new RecordingServerListener();
    private final List<TestPeer> peers = new ArrayList<>();
    private final List<AloAudioServer> others = new ArrayList<>();

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
        others.forEach(AloAudioServer::stop);
    }

    @Test
    void hello_withValidToken_isAnsweredWithWelcome() throws Exception {
        TestPeer peer = connect("u-1");
        peer.hello("u-1", "d-1", new HeartbeatInfo(1000, 2500));
        Welcome welcome = peer.next(Welcome.class);
        assertEquals(ProtocolVersion.MAX, welcome.protocol());
        assertTrue(welcome.sessionId().startsWith("s-"), welcome.sessionId());
        assertEquals(new HeartbeatInfo(1000, 2500), welcome.heartbeat());
        assertEquals(AloAudioServer.SERVER_NAME, welcome.server());
        assertEquals(List.of(), welcome.capabilities());
        SessionInfo session = events.await(RecordingServerListener.Welcomed.class, w -> true).session();
        assertEquals(welcome.sessionId(), session.sessionId());
        assertEquals(SessionInfo.Phase.ACTIVE, session.phase());
        assertEquals("d-1", session.deviceId());
        assertEquals(ProtocolVersion.MAX, session.protocol());
        assertEquals(Duration.ofMillis(2500), session.heartbeatTimeout());
        assertEquals("127.0.0.1", session.remoteAddress());
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
    void hello_withAVersionRangeAroundTheServers_picksTheHighestCommonVersion() throws Exception {
        TestPeer wide = connect("u-1");
        wide.send(TestPeer.encode(hello("u-1", 1, ProtocolVersion.MAX + 5, List.of())));
        assertEquals(ProtocolVersion.MAX, wide.next(Welcome.class).protocol());

        TestPeer exact = connect("u-2");
        exact.send(TestPeer.encode(hello("u-2", ProtocolVersion.MIN, ProtocolVersion.MIN, List.of())));
        assertEquals(ProtocolVersion.MIN, exact.next(Welcome.class).protocol());

        TestPeer noMin = connect("u-3");
        noMin.send("{\"type\":\"hello\",\"protocol\":" + ProtocolVersion.MAX + ",\"client\":\"c\",\"user\":{\"id\":"
                + "\"u-3\"},\"ttsEnabled\":false,\"heartbeat\":{\"intervalMs\":10000,\"timeoutMs\":30000}}");
        assertEquals(ProtocolVersion.MAX, noMin.next(Welcome.class).protocol());
    }

    @Test
    void hello_withARangeAboveTheServers_closes4005NamingBothRanges() throws Exception {
        TestPeer peer = connect("u-1");
        int min = ProtocolVersion.MAX + 1;
        int max = ProtocolVersion.MAX + 3;
        peer.sendExpectingClose(TestPeer.encode(hello("u-1", min, max, List.of())));
        peer.assertClosedWith(CloseCodes.UNSUPPORTED_PROTOCOL, min + ".." + max);
        String reason = events.awaitClosed("u-1").reason();
        assertTrue(reason.contains(ProtocolVersion.MIN + ".." + ProtocolVersion.MAX), reason);
        assertTrue(reason.getBytes(StandardCharsets.UTF_8).length <= 123, reason);
    }

    @Test
    void hello_withTheRetiredVersion1Only_closes4005() throws Exception {
        TestPeer peer = connect("u-1");
        peer.sendExpectingClose(TestPeer.encode(hello("u-1", 1, 1, List.of())));
        peer.assertClosedWith(CloseCodes.UNSUPPORTED_PROTOCOL, "1..1");
    }

    @Test
    void hello_withHugeVersions_closes4005WithAShortReason() throws Exception {
        TestPeer peer = connect("u-1");
        peer.send(TestPeer.encode(hello("u-1", Integer.MAX_VALUE - 1, Integer.MAX_VALUE, List.of())));
        String reason = peer.awaitClose().getReasonPhrase();
        assertTrue(reason.contains(Integer.MAX_VALUE + ""), reason);
        assertEquals(CloseCodes.UNSUPPORTED_PROTOCOL, events.awaitClosed("u-1").code());
    }

    @Test
    void welcome_listsTheCapabilitiesBothSupport_andIgnoresUnknownNames() throws Exception {
        AloAudioServer withCaps = AloAudioServer.builder().capabilities(Set.of("ptt", "tts", "session.resume"))
                .media(false).build().start();
        others.add(withCaps);
        TestPeer peer = TestPeer.connect(client, withCaps.uri(), withCaps.tokens().issue("u-1", Duration.ofHours(1)));
        peers.add(peer);
        peer.send(TestPeer.encode(hello("u-1", ProtocolVersion.MIN, ProtocolVersion.MAX,
                List.of("tts", "x.unknown", "media.webrtc", "ptt", "tts"))));
        Welcome welcome = peer.next(Welcome.class);
        assertEquals(List.of("tts", "ptt"), welcome.capabilities(), "the client's order, only what both know, once");
        assertEquals(List.of("tts", "ptt"), withCaps.sessions().get(0).capabilities());

        TestPeer none = connect("u-2");
        none.send(TestPeer.encode(hello("u-2", ProtocolVersion.MIN, ProtocolVersion.MAX, List.of("ptt", "tts"))));
        assertEquals(List.of(), none.next(Welcome.class).capabilities(), "the default server supports none");
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
        peer.sendExpectingClose(TestPeer.encode(new Join(null, new ChannelInfo("dispatch", "Dispatch", false))));
        peer.assertClosedWith(CloseCodes.PROTOCOL_ERROR);
    }

    @Test
    void unknownType_beforeHello_closes1002() throws Exception {
        TestPeer peer = connect("u-1");
        peer.sendExpectingClose("{\"type\":\"media.ice\",\"sdp\":\"v=0\"}");
        peer.assertClosedWith(CloseCodes.PROTOCOL_ERROR, "hello");
    }

    @Test
    void hello_twice_closes1002() throws Exception {
        TestPeer ann = welcomed("u-1");
        ann.sendExpectingClose(TestPeer.encode(TestPeer.helloOf("u-1", "", TestPeer.RELAXED)));
        ann.assertClosedWith(CloseCodes.PROTOCOL_ERROR, "second hello");
    }

    @Test
    void join_afterWelcome_answersJoinedAndOneLastRosterPageWithTheJoinerMuted() throws Exception {
        TestPeer ann = welcomed("u-1");
        ann.join("dispatch", "r-1");
        TestPeer.JoinAnswer answer = ann.awaitJoin();
        assertEquals(new ChannelInfo("dispatch", "Channel dispatch", false), answer.joined().channel());
        assertEquals("r-1", answer.joined().requestId());
        assertEquals(1, answer.joined().participantCount());
        assertEquals(1, answer.pages().size());
        assertTrue(answer.pages().get(0).last());
        assertEquals("r-1", answer.pages().get(0).requestId());
        ParticipantInfo self = answer.self();
        assertEquals("u-1", self.userId());
        assertEquals("Name u-1", self.name());
        assertTrue(self.muted());
        assertEquals(List.of(new ChannelMember(self.connectionId(), "u-1", "Name u-1", true)),
                server.participants("dispatch"));
        SessionInfo session = server.sessions().get(0);
        assertEquals("dispatch", session.channelId());
        assertEquals(answer.joined().connectionId(), session.connectionId());
    }

    @Test
    void join_withoutRequestId_isAnsweredWithoutOne() throws Exception {
        TestPeer ann = welcomed("u-1");
        ann.join("dispatch");
        TestPeer.JoinAnswer answer = ann.awaitJoin();
        assertNull(answer.joined().requestId());
        assertNull(answer.pages().get(0).requestId());
        assertFalse(answer.pageTexts().get(0).contains("requestId"), "null members are left out");
    }

    @Test
    void join_bySecondClient_isAnnouncedToTheFirstAndListsBoth() throws Exception {
        TestPeer ann = welcomed("u-1");
        ann.join("dispatch");
        ParticipantInfo annInfo = ann.awaitJoin().self();
        TestPeer bob = welcomed("u-2");
        bob.join("dispatch", "b-1");
        TestPeer.JoinAnswer bobJoined = bob.awaitJoin();
        assertEquals(2, bobJoined.joined().participantCount());
        assertEquals(List.of(annInfo, bobJoined.self()), bobJoined.participants(), "join order");
        ParticipantJoined announced = ann.next(ParticipantJoined.class);
        assertEquals("dispatch", announced.channelId());
        assertEquals(bobJoined.self(), announced.participant());
        assertTrue(ann.pending().isEmpty(), () -> "one delta, never the whole list: " + ann.pending());
    }

    @Test
    void leave_inAChannel_isAnsweredWithLeftAndTheOthersAreToldLeft() throws Exception {
        TestPeer ann = welcomed("u-1");
        TestPeer bob = welcomed("u-2");
        ann.join("dispatch");
        ann.awaitJoin();
        bob.join("dispatch");
        ParticipantInfo bobInfo = bob.awaitJoin().self();
        ann.next(ParticipantJoined.class);

        bob.leave("dispatch", "bye-7");
        assertEquals(new Left("bye-7", "dispatch"), bob.next(Left.class));
        ParticipantLeft left = ann.next(ParticipantLeft.class);
        assertEquals(new ParticipantLeft("dispatch", bobInfo, "left"), left);
        assertEquals(1, server.participants("dispatch").size());
    }

    @Test
    void leave_ofAnotherChannel_isAnsweredWithAnErrorCarryingTheRequestId() throws Exception {
        TestPeer ann = welcomed("u-1");
        ann.join("a");
        ann.awaitJoin();
        ann.leave("b", "q-9");
        ErrorMessage error = ann.next(ErrorMessage.class);
        assertEquals(new ErrorMessage("q-9", "leave.rejected", "Not in that channel", "leave"), error);
        assertEquals(1, server.participants("a").size());
    }

    @Test
    void leave_thenClose1000_isSeenByTheServerInThatOrder() throws Exception {
        TestPeer ann = welcomed("u-1");
        ann.join("dispatch");
        ann.awaitJoin();
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
        ann.awaitJoin();
        bob.join("dispatch");
        ParticipantInfo bobInfo = bob.awaitJoin().self();
        ann.next(ParticipantJoined.class);

        bob.close(CloseCodes.NORMAL, "bye");
        assertEquals(new ParticipantLeft("dispatch", bobInfo, "closed"), ann.next(ParticipantLeft.class));
        RecordingServerListener.Left left = events.await(RecordingServerListener.Left.class, l -> true);
        assertEquals("closed", left.reason());
        assertEquals(new ChannelMember(bobInfo.connectionId(), "u-2", "Name u-2", true), left.member());
    }

    @Test
    void join_whileInAChannel_leavesTheOldOneFirst() throws Exception {
        TestPeer ann = welcomed("u-1");
        TestPeer bob = welcomed("u-2");
        ann.join("a");
        ann.awaitJoin();
        bob.join("a");
        ParticipantInfo bobInA = bob.awaitJoin().self();
        ann.next(ParticipantJoined.class);

        bob.join("b");
        TestPeer.JoinAnswer inB = bob.awaitJoin();
        assertEquals("b", inB.joined().channel().id());
        assertEquals(new ParticipantLeft("a", bobInA, "left"), ann.next(ParticipantLeft.class));
        assertEquals(1, server.participants("a").size());
        assertEquals(1, server.participants("b").size());
    }

    @Test
    void join_withBlankChannelId_closes1002WithAReadableReason() throws Exception {
        TestPeer ann = welcomed("u-1");
        ann.sendExpectingClose("{\"type\":\"join\",\"channel\":{\"id\":\"  \",\"name\":\"x\",\"fullDuplex\":false}}");
        ann.assertClosedWith(CloseCodes.PROTOCOL_ERROR, "channel.id");
    }

    @Test
    void join_withTooLongChannelId_isRejectedWithTheRequestIdAndTheSessionGoesOn() throws Exception {
        TestPeer ann = welcomed("u-1");
        ann.send(TestPeer.encode(new Join("long-1", new ChannelInfo("c".repeat(129), "long", false))));
        ErrorMessage error = ann.next(ErrorMessage.class);
        assertEquals("join.rejected", error.code());
        assertEquals("join", error.ref());
        assertEquals("long-1", error.requestId());
        ann.send(TestPeer.encode(new Join("long-2", new ChannelInfo("c".repeat(128), "long", false))));
        TestPeer.JoinAnswer answer = ann.awaitJoin();
        assertEquals(128, answer.joined().channel().id().length());
        assertEquals("long-2", answer.joined().requestId());
    }

    @Test
    void requests_inFlightTogether_areAnsweredInOrderWithTheirIds() throws Exception {
        TestPeer ann = welcomed("u-1");
        ann.join("a", "1");
        ann.join("b", "2");
        ann.leave("b", "3");
        ann.leave("b", "4");
        assertEquals("1", ann.awaitJoin().joined().requestId());
        assertEquals("2", ann.awaitJoin().joined().requestId());
        assertEquals(new Left("3", "b"), ann.next(Left.class));
        assertEquals("4", ann.next(ErrorMessage.class).requestId());
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
        ann.sendExpectingClose("{\"type\":\"ping\",");
        ann.assertClosedWith(CloseCodes.PROTOCOL_ERROR);
    }

    @Test
    void message_ofKnownTypeWithWrongShape_closes1002() throws Exception {
        TestPeer ann = welcomed("u-1");
        ann.sendExpectingClose("{\"type\":\"ping\",\"seq\":\"one\"}");
        ann.assertClosedWith(CloseCodes.PROTOCOL_ERROR);
    }

    @Test
    void request_withAnInvalidRequestId_closes1002() throws Exception {
        TestPeer ann = welcomed("u-1");
        ann.sendExpectingClose("{\"type\":\"leave\",\"requestId\":\"has space\",\"channelId\":\"a\"}");
        ann.assertClosedWith(CloseCodes.PROTOCOL_ERROR, "requestId");
    }

    @Test
    void frame_whenBinary_closes1002() throws Exception {
        TestPeer ann = welcomed("u-1");
        ann.sendBinaryExpectingClose(new byte[] {1, 2, 3});
        ann.assertClosedWith(CloseCodes.PROTOCOL_ERROR);
    }

    @Test
    void message_overTheSizeLimit_closes1009() throws Exception {
        TestPeer ann = welcomed("u-1");
        String big = "{\"type\":\"ping\",\"seq\":1,\"pad\":\"" + "x".repeat(64 * 1024) + "\"}";
        assertEquals(CloseCodes.TOO_BIG, ann.sendExpectingClose(big).getCloseCode().getCode());
        assertEquals(CloseCodes.TOO_BIG, events.awaitClosed("u-1").code());
    }

    @Test
    void send_afterTheServerClosedTheOnlySessionOfItsClient_isReportedAsAClosedConnection() throws Exception {
        // The peer's ClientManager shuts its executors when its last session closes; a later send must still fail
        // as "closed", not with an executor rejection.
        ClientManager own = ClientManager.createClient();
        try {
            TestPeer ann = TestPeer.welcomed(own, server, "u-1", "");
            assertTrue(server.endSession("u-1", "ended", "Bye", CloseCodes.SESSION_ENDED));
            ann.next(End.class);
            ann.assertClosedWith(CloseCodes.SESSION_ENDED);
            assertThrows(TestPeer.PeerClosedException.class, () -> ann.ping(1));
        } finally {
            own.shutdown();
        }
    }

    @Test
    void message_ofUnknownType_isIgnoredAndTheSessionGoesOn() throws Exception {
        TestPeer ann = welcomed("u-1");
        ann.send("{\"type\":\"media.ice\",\"sdp\":\"v=0\"}");
        ann.ping(3);
        assertEquals(new Pong(3), ann.next(Pong.class));
        events.await(RecordingServerListener.Received.class, r -> r.type().equals("media.ice"));
        assertTrue(ann.isOpen());
    }

    @Test
    void message_ofServerOnlyType_isUnknownToTheServerAndIgnored() throws Exception {
        TestPeer ann = welcomed("u-1");
        ann.send(TestPeer.encode(new End("kicked", "no")));
        ann.ping(4);
        assertEquals(new Pong(4), ann.next(Pong.class));
        assertTrue(ann.isOpen());
    }

    @Test
    void hello_bySameUserAndDevice_replacesTheOldSessionWith4010() throws Exception {
        TestPeer first = welcomed("u-1", "console-3");
        TestPeer other = welcomed("u-2", "console-9");
        first.join("dispatch");
        ParticipantInfo firstInfo = first.awaitJoin().self();
        other.join("dispatch");
        other.awaitJoin();
        first.next(ParticipantJoined.class);

        TestPeer second = welcomed("u-1", "console-3");
        assertEquals(new End("replaced", "Replaced by a newer session on the same device"), first.next(End.class));
        first.assertClosedWith(CloseCodes.DUPLICATE_SESSION);
        assertEquals(new ParticipantLeft("dispatch", firstInfo, "replaced"), other.next(ParticipantLeft.class));
        assertTrue(second.isOpen());
        assertEquals(2, server.sessions().size());

        TestPeer third = welcomed("u-1", "console-3");
        second.assertClosedWith(CloseCodes.DUPLICATE_SESSION);
        assertTrue(third.isOpen(), "the device index follows the newest session");
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
    void displayName_isCappedAt64CharactersAtACodePointBoundary_beforeOthersSeeIt() throws Exception {
        TestPeer ann = welcomed("u-1");
        ann.join("dispatch");
        ann.awaitJoin();
        TestPeer bob = connect("u-2");
        // 63 characters, then an emoji (a surrogate pair) that would end at 65: it is dropped whole.
        String longName = "b".repeat(63) + "\uD83D\uDE00" + "tail";
        bob.send(TestPeer.encode(new Hello(ProtocolVersion.MAX, ProtocolVersion.MIN, "t",
                new UserInfo("u-2", longName, ""), false, TestPeer.RELAXED, List.of(), null)));
        bob.next(Welcome.class);
        bob.join("dispatch");
        String expected = "b".repeat(63);
        assertEquals(expected, bob.awaitJoin().self().name());
        assertEquals(expected, ann.next(ParticipantJoined.class).participant().name());
        assertEquals(expected, server.participants("dispatch").get(1).name());
        assertEquals(expected, server.sessions().get(1).name());
    }

    @Test
    void displayName_withControlCharacters_hasThemReplacedBySpaces() throws Exception {
        TestPeer ann = welcomed("u-1");
        ann.join("dispatch");
        ann.awaitJoin();
        TestPeer bob = connect("u-2");
        bob.send(TestPeer.encode(new Hello(ProtocolVersion.MAX, ProtocolVersion.MIN, "t",
                new UserInfo("u-2", "Bob\n\u0007Evil\u009b[2J\uD83D\uDE00", ""), false, TestPeer.RELAXED,
                List.of(), null)));
        bob.next(Welcome.class);
        bob.join("dispatch");
        bob.awaitJoin();
        assertEquals("Bob  Evil [2J\uD83D\uDE00", ann.next(ParticipantJoined.class).participant().name());
    }

    @Test
    void hello_withAUserIdOver128Characters_closes1002() throws Exception {
        String longId = "u".repeat(129);
        TestPeer peer = connect("u-1");
        peer.sendExpectingClose(TestPeer.encode(TestPeer.helloOf(longId, "", TestPeer.RELAXED)));
        peer.assertClosedWith(CloseCodes.PROTOCOL_ERROR, "user.id");
    }

    @Test
    void hello_withADeviceIdOver128Characters_closes1002_and128IsAccepted() throws Exception {
        TestPeer tooLong = connect("u-1");
        tooLong.sendExpectingClose(TestPeer.encode(TestPeer.helloOf("u-1", "d".repeat(129), TestPeer.RELAXED)));
        tooLong.assertClosedWith(CloseCodes.PROTOCOL_ERROR, "deviceId");

        TestPeer fits = connect("u-2");
        fits.send(TestPeer.encode(TestPeer.helloOf("u-2", "d".repeat(128), TestPeer.RELAXED)));
        fits.next(Welcome.class);
        assertEquals(128, server.sessions().get(0).deviceId().length());
    }

    @Test
    void endSession_kick_sendsEndThenCloses4009AndTellsOthersKicked() throws Exception {
        TestPeer ann = welcomed("u-1");
        TestPeer bob = welcomed("u-2");
        ann.join("dispatch");
        ann.awaitJoin();
        bob.join("dispatch");
        ParticipantInfo bobInfo = bob.awaitJoin().self();
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
        newer.close(CloseCodes.NORMAL, "bye");
        events.await(RecordingServerListener.Closed.class, c -> c.session().deviceId().equals("b"));
        assertTrue(server.sendRaw("u-1", "{\"type\":\"x.older\"}"));
        assertEquals("{\"type\":\"x.older\"}", older.nextText());
    }

    @Test
    void snapshots_whenModified_throw() throws Exception {
        TestPeer ann = welcomed("u-1");
        ann.join("dispatch");
        ann.awaitJoin();
        assertThrows(UnsupportedOperationException.class, () -> server.sessions().clear());
        assertThrows(UnsupportedOperationException.class, () -> server.participants("dispatch").clear());
        assertTrue(server.participants("nowhere").isEmpty());
    }

    @Test
    void join_again_givesAFreshConnectionId() throws Exception {
        TestPeer ann = welcomed("u-1");
        ann.join("a");
        String first = ann.awaitJoin().joined().connectionId();
        ann.join("a");
        String second = ann.awaitJoin().joined().connectionId();
        assertNotEquals(first, second);
        assertEquals(1, server.participants("a").size());
    }

    private static Hello hello(String userId, int min, int max, List<String> capabilities) {
        return new Hello(max, min, "test-peer/1", new UserInfo(userId, "Name " + userId, ""), false,
                TestPeer.RELAXED, capabilities, null);
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
