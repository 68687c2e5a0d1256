package ai.alo.audio.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import ai.alo.audio.protocol.Capability;
import ai.alo.audio.protocol.CloseCodes;
import ai.alo.audio.protocol.End;
import ai.alo.audio.protocol.HeartbeatInfo;
import ai.alo.audio.protocol.Hello;
import ai.alo.audio.protocol.Left;
import ai.alo.audio.protocol.ParticipantInfo;
import ai.alo.audio.protocol.ParticipantJoined;
import ai.alo.audio.protocol.ParticipantLeft;
import ai.alo.audio.protocol.Pong;
import ai.alo.audio.protocol.ProtocolVersion;
import ai.alo.audio.protocol.ResumeInfo;
import ai.alo.audio.protocol.UserInfo;
import ai.alo.audio.protocol.Welcome;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import java.util.logging.LogRecord;
import org.glassfish.tyrus.client.ClientManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Capability {@code session.resume} of the reference service (docs/protocol.md, "Session resume"), against real
 * WebSockets on loopback; connections are lost through the server's fault-injection relay (a reset, or a black hole
 * that ends in the server's heartbeat timeout).
 */
class SessionResumeTest {

    private static final String CHANNEL = "dispatch";

    private AloAudioServer server;
    private ClientManager client;
    private final RecordingServerListener events = new RecordingServerListener();
    private final List<TestPeer> peers = new ArrayList<>();
    private final List<AloAudioServer> others = new ArrayList<>();

    /** A welcomed peer with what its welcome said. */
    private record Peer(TestPeer ws, Welcome welcome) {

        ResumeInfo resume() {
            return new ResumeInfo(welcome.sessionId(), welcome.resumeSecret());
        }
    }

    @BeforeEach
    void startServer() {
        server = AloAudioServer.builder().media(false).build();
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

    // ---------------------------------------------------------------- welcome

    @Test
    void welcome_withTheCapability_enablesItAndCarriesAFreshSecretOfAtLeast128Bits() throws Exception {
        Peer ann = hello(server, "u-1", "d-1", null);
        Peer bob = hello(server, "u-2", "d-2", null);
        assertEquals(List.of(Capability.SESSION_RESUME), ann.welcome().capabilities());
        assertFalse(ann.welcome().resumed());
        for (Peer peer : List.of(ann, bob)) {
            String secret = peer.welcome().resumeSecret();
            assertNotNull(secret);
            assertTrue(Base64.getUrlDecoder().decode(secret).length >= 16, "at least 128 random bits: " + secret);
        }
        assertNotEquals(ann.welcome().resumeSecret(), bob.welcome().resumeSecret());
    }

    @Test
    void welcome_withoutTheCapability_hasNoSecret() throws Exception {
        TestPeer plain = connect(server, "u-1");
        plain.hello("u-1", "d-1", TestPeer.RELAXED);
        String text = plain.nextText();
        assertFalse(text.contains("resumeSecret"), text);
        Welcome welcome = (Welcome) TestPeer.decode(text);
        assertNull(welcome.resumeSecret());
        assertEquals(List.of(), welcome.capabilities());

        // a server with the switch off enables it for nobody, whatever its capabilities say
        AloAudioServer off = AloAudioServer.builder().media(false).sessionResume(false)
                .capabilities(Set.of(Capability.SESSION_RESUME, "ptt")).build().start();
        others.add(off);
        Peer offered = hello(off, "u-2", "d-2", null);
        assertEquals(List.of(), offered.welcome().capabilities());
        assertNull(offered.welcome().resumeSecret());
    }

    // ---------------------------------------------------------------- resume

    @Test
    void resume_afterAReset_withinTheWindow_keepsTheSessionIdAndTheConnectionId() throws Exception {
        Peer ann = hello(server, "u-1", "d-1", null);
        Peer bob = hello(server, "u-2", "d-2", null);
        ParticipantInfo bobInfo = bothInChannel(ann, bob);

        assertTrue(server.dropConnection(bob.welcome().sessionId()));
        bob.ws().assertClosedWith(CloseCodes.ABNORMAL);
        // presence is truthful: the others are told at once that bob was lost
        assertEquals(new ParticipantLeft(CHANNEL, bobInfo, "lost"), ann.ws().next(ParticipantLeft.class));
        awaitCount(server::resumableSessions, 1);

        Peer again = hello(server, "u-2", "d-2", bob.resume());
        assertTrue(again.welcome().resumed());
        assertEquals(bob.welcome().sessionId(), again.welcome().sessionId());
        assertNotNull(again.welcome().resumeSecret());
        assertNotEquals(bob.welcome().resumeSecret(), again.welcome().resumeSecret(), "a new secret");
        assertEquals(0, server.resumableSessions(), "the record is used up");
        assertEquals(bob.welcome().sessionId(), server.sessions().stream()
                .filter(s -> s.userId().equals("u-2")).findFirst().orElseThrow().sessionId());

        again.ws().join(CHANNEL, "j2");
        TestPeer.JoinAnswer answer = again.ws().awaitJoin();
        assertEquals(bobInfo.connectionId(), answer.joined().connectionId(), "the same connection id");
        assertEquals(new ParticipantJoined(CHANNEL, bobInfo), ann.ws().next(ParticipantJoined.class));
        assertEquals(2, server.participants(CHANNEL).size());

        // the same connection id is offered once: a later join gets a fresh one
        again.ws().join(CHANNEL, "j3");
        assertNotEquals(bobInfo.connectionId(), again.ws().awaitJoin().joined().connectionId());
    }

    @Test
    void resume_afterTheServersHeartbeatTimeout_keepsTheSessionId() throws Exception {
        Peer ann = hello(server, "u-1", "d-1", null, new HeartbeatInfo(200, 600));
        ann.ws().join(CHANNEL);
        String connectionId = ann.ws().awaitJoin().joined().connectionId();
        assertTrue(server.freeze("u-1"));
        assertEquals(CloseCodes.HEARTBEAT_TIMEOUT, events.awaitClosed("u-1").code());
        awaitCount(server::resumableSessions, 1);

        Peer again = hello(server, "u-1", "d-1", ann.resume());
        assertTrue(again.welcome().resumed());
        assertEquals(ann.welcome().sessionId(), again.welcome().sessionId());
        again.ws().join(CHANNEL);
        assertEquals(connectionId, again.ws().awaitJoin().joined().connectionId());
    }

    @Test
    void resume_ofASessionTheServerStillHolds_endsItAsLostAndResumesIt() throws Exception {
        Peer ann = hello(server, "u-1", "d-1", null);
        Peer bob = hello(server, "u-2", "d-2", null);
        ParticipantInfo bobInfo = bothInChannel(ann, bob);
        // a black hole the client noticed first: the server (heartbeat timeout 120 s) still holds bob's session
        assertTrue(server.freeze(bob.welcome().sessionId()));

        Peer again = hello(server, "u-2", "d-2", bob.resume());
        assertTrue(again.welcome().resumed());
        assertEquals(bob.welcome().sessionId(), again.welcome().sessionId());
        assertEquals(new ParticipantLeft(CHANNEL, bobInfo, "lost"), ann.ws().next(ParticipantLeft.class));
        RecordingServerListener.Closed old = events.await(RecordingServerListener.Closed.class,
                c -> c.session().sessionId().equals(bob.welcome().sessionId()));
        assertEquals(CloseCodes.ABNORMAL, old.code());
        assertEquals(0, server.resumableSessions(), "the record made for the takeover is used up");
        assertEquals(2, server.sessions().size());

        again.ws().join(CHANNEL);
        assertEquals(bobInfo.connectionId(), again.ws().awaitJoin().joined().connectionId());
        assertEquals(new ParticipantJoined(CHANNEL, bobInfo), ann.ws().next(ParticipantJoined.class));
    }

    @Test
    void resume_ofALiveSession_withoutItsSecretOrDevice_leavesItAlone() throws Exception {
        Peer ann = hello(server, "u-1", "d-1", null);
        String wrong = ann.welcome().resumeSecret().substring(1) + "A";
        Peer guess = hello(server, "u-1", "d-2", new ResumeInfo(ann.welcome().sessionId(), wrong));
        assertFalse(guess.welcome().resumed());
        Peer otherDevice = hello(server, "u-1", "d-3", ann.resume());
        assertFalse(otherDevice.welcome().resumed());
        Peer otherUser = hello(server, "u-2", "d-1", ann.resume());
        assertFalse(otherUser.welcome().resumed());
        ann.ws().ping(1);
        assertEquals(new Pong(1), ann.ws().next(Pong.class), "the live session goes on");
        assertEquals(4, server.sessions().size());
    }

    @Test
    void resume_ofAResumedSession_needsItsNewSecret_theOldOneIsUsedUp() throws Exception {
        Peer ann = hello(server, "u-1", "d-1", null);
        assertTrue(server.dropConnection("u-1"));
        awaitCount(server::resumableSessions, 1);
        Peer second = hello(server, "u-1", "d-1", ann.resume());
        assertTrue(second.welcome().resumed());

        assertTrue(server.dropConnection("u-1"));
        awaitCount(server::resumableSessions, 1);
        Peer withOldSecret = hello(server, "u-1", "d-1", ann.resume());
        assertFalse(withOldSecret.welcome().resumed(), "the first secret was for one use");
        assertNotEquals(ann.welcome().sessionId(), withOldSecret.welcome().sessionId());
        withOldSecret.ws().close();
        awaitCount(() -> server.sessions().size(), 0);

        Peer withNewSecret = hello(server, "u-1", "d-1", second.resume());
        assertTrue(withNewSecret.welcome().resumed());
        assertEquals(ann.welcome().sessionId(), withNewSecret.welcome().sessionId());
    }

    @Test
    void resume_usedTwice_givesANewSessionTheSecondTime() throws Exception {
        Peer ann = hello(server, "u-1", "d-1", null);
        assertTrue(server.dropConnection("u-1"));
        awaitCount(server::resumableSessions, 1);
        assertTrue(hello(server, "u-1", "d-1", ann.resume()).welcome().resumed());
        Peer twice = hello(server, "u-1", "d-2", ann.resume());
        assertFalse(twice.welcome().resumed());
        assertNotEquals(ann.welcome().sessionId(), twice.welcome().sessionId());
    }

    @Test
    void resume_withAWrongSecret_givesANewSession_andKeepsTheRecordForItsOwner() throws Exception {
        Peer ann = hello(server, "u-1", "d-1", null);
        assertTrue(server.dropConnection("u-1"));
        awaitCount(server::resumableSessions, 1);

        String wrong = ann.welcome().resumeSecret().substring(1) + "A";
        Peer guess = hello(server, "u-1", "d-1", new ResumeInfo(ann.welcome().sessionId(), wrong));
        assertFalse(guess.welcome().resumed());
        assertNotEquals(ann.welcome().sessionId(), guess.welcome().sessionId());
        assertNotNull(guess.welcome().resumeSecret(), "a new session with a secret of its own");
        guess.ws().close();
        awaitCount(() -> server.sessions().size(), 0);

        assertTrue(hello(server, "u-1", "d-1", ann.resume()).welcome().resumed());
    }

    @Test
    void resume_byAnotherUserWithTheRightSecret_givesANewSession() throws Exception {
        Peer ann = hello(server, "u-1", "d-1", null);
        ann.ws().join(CHANNEL);
        ann.ws().awaitJoin();
        assertTrue(server.dropConnection("u-1"));
        awaitCount(server::resumableSessions, 1);

        Peer mallory = hello(server, "u-2", "d-1", ann.resume());
        assertFalse(mallory.welcome().resumed());
        assertNotEquals(ann.welcome().sessionId(), mallory.welcome().sessionId());
        mallory.ws().join(CHANNEL);
        ParticipantInfo self = mallory.ws().awaitJoin().self();
        assertEquals("u-2", self.userId(), "the user id always comes from the token");
        assertEquals(1, server.resumableSessions(), "the record stays for its owner");
    }

    @Test
    void resume_fromAnotherDevice_givesANewSession() throws Exception {
        Peer ann = hello(server, "u-1", "d-1", null);
        assertTrue(server.dropConnection("u-1"));
        awaitCount(server::resumableSessions, 1);
        Peer other = hello(server, "u-1", "d-2", ann.resume());
        assertFalse(other.welcome().resumed());
        assertNotEquals(ann.welcome().sessionId(), other.welcome().sessionId());
    }

    @Test
    void resume_ofAnUnknownSession_givesANewSession() throws Exception {
        Peer stranger = hello(server, "u-1", "d-1", new ResumeInfo("s-0123456789abcdef", "x".repeat(43)));
        assertFalse(stranger.welcome().resumed());
        assertNotEquals("s-0123456789abcdef", stranger.welcome().sessionId());
    }

    @Test
    void resume_withoutOfferingTheCapability_isIgnored() throws Exception {
        Peer ann = hello(server, "u-1", "d-1", null);
        assertTrue(server.dropConnection("u-1"));
        awaitCount(server::resumableSessions, 1);
        TestPeer peer = connect(server, "u-1");
        peer.send(TestPeer.encode(new Hello(ProtocolVersion.MAX, ProtocolVersion.MIN, "test-peer/1",
                new UserInfo("u-1", "Ann", "d-1"), false, TestPeer.RELAXED, List.of(), ann.resume())));
        Welcome welcome = peer.next(Welcome.class);
        assertFalse(welcome.resumed());
        assertNull(welcome.resumeSecret());
        assertNotEquals(ann.welcome().sessionId(), welcome.sessionId());
    }

    @Test
    void resume_afterTheWindow_givesANewSession_andTheExpiryFreesTheRecord() throws Exception {
        Duration window = Duration.ofSeconds(3);
        AloAudioServer shortWindow = AloAudioServer.builder().media(false).resumeWindow(window).build().start();
        others.add(shortWindow);
        Peer ann = hello(shortWindow, "u-1", "d-1", null);
        long before = System.nanoTime();
        assertTrue(shortWindow.dropConnection("u-1"));
        awaitCount(shortWindow::resumableSessions, 1);
        awaitCount(shortWindow::resumableSessions, 0);
        long heldMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - before);
        assertTrue(heldMillis >= window.toMillis(), "the record was kept for the window, not less: " + heldMillis);

        Peer late = hello(shortWindow, "u-1", "d-1", ann.resume());
        assertFalse(late.welcome().resumed());
        assertNotEquals(ann.welcome().sessionId(), late.welcome().sessionId());
    }

    // ---------------------------------------------------------------- not resumable

    @Test
    void resume_afterAGoodbye_givesANewSession() throws Exception {
        Peer ann = hello(server, "u-1", "d-1", null);
        ann.ws().join(CHANNEL, "j1");
        ann.ws().awaitJoin();
        ann.ws().leave(CHANNEL, "l1");
        ann.ws().next(Left.class);
        ann.ws().close();
        assertEquals(CloseCodes.NORMAL, events.awaitClosed("u-1").code());

        Peer bob = hello(server, "u-2", "d-2", null);
        bob.ws().close(CloseCodes.GOING_AWAY, "going away");
        assertEquals(CloseCodes.GOING_AWAY, events.awaitClosed("u-2").code());
        assertEquals(0, server.resumableSessions());

        assertFalse(hello(server, "u-1", "d-1", ann.resume()).welcome().resumed());
        assertFalse(hello(server, "u-2", "d-2", bob.resume()).welcome().resumed());
    }

    @Test
    void resume_afterAKick_givesANewSession() throws Exception {
        Peer ann = hello(server, "u-1", "d-1", null);
        assertTrue(server.endSession(ann.welcome().sessionId(), "kicked", "Removed by an operator",
                CloseCodes.KICKED));
        assertEquals("kicked", ann.ws().next(End.class).reason());
        ann.ws().assertClosedWith(CloseCodes.KICKED);
        events.awaitClosed("u-1");
        assertEquals(0, server.resumableSessions());
        assertFalse(hello(server, "u-1", "d-1", ann.resume()).welcome().resumed());
    }

    @Test
    void resume_ofAReplacedSession_isNotPossible() throws Exception {
        Peer first = hello(server, "u-1", "d-1", null);
        Peer second = hello(server, "u-1", "d-1", null);
        first.ws().assertClosedWith(CloseCodes.DUPLICATE_SESSION);
        events.await(RecordingServerListener.Closed.class,
                c -> c.session().sessionId().equals(first.welcome().sessionId()));
        assertEquals(0, server.resumableSessions());
        second.ws().close();
        events.await(RecordingServerListener.Closed.class,
                c -> c.session().sessionId().equals(second.welcome().sessionId()));
        assertFalse(hello(server, "u-1", "d-1", first.resume()).welcome().resumed());
    }

    @Test
    void resume_afterAProtocolErrorClose_givesANewSession() throws Exception {
        Peer ann = hello(server, "u-1", "d-1", null);
        ann.ws().sendExpectingClose("{\"type\":\"join\"}");
        ann.ws().assertClosedWith(CloseCodes.PROTOCOL_ERROR);
        events.awaitClosed("u-1");
        assertEquals(0, server.resumableSessions());
    }

    // ---------------------------------------------------------------- the store

    @Test
    void store_isBounded_theOldestRecordsGoFirst() throws Exception {
        AloAudioServer small = AloAudioServer.builder().media(false).resumeRecordLimit(3).build().start();
        others.add(small);
        List<Peer> dropped = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            Peer peer = hello(small, "u-" + i, "d", null);
            assertTrue(small.dropConnection(peer.welcome().sessionId()));
            awaitCount(small::resumableSessions, Math.min(i, 3));
            dropped.add(peer);
        }
        assertEquals(3, small.resumableSessions());
        assertFalse(hello(small, "u-1", "d", dropped.get(0).resume()).welcome().resumed(), "evicted");
        assertFalse(hello(small, "u-2", "d", dropped.get(1).resume()).welcome().resumed(), "evicted");
        for (int i = 2; i < 5; i++) {
            assertTrue(hello(small, "u-" + (i + 1), "d", dropped.get(i).resume()).welcome().resumed());
        }
        assertEquals(0, small.resumableSessions());
    }

    @Test
    void stop_releasesTheStore() throws Exception {
        AloAudioServer own = AloAudioServer.builder().media(false).build().start();
        others.add(own);
        hello(own, "u-1", "d-1", null);
        assertTrue(own.dropConnection("u-1"));
        awaitCount(own::resumableSessions, 1);
        own.stop();
        assertEquals(0, own.resumableSessions());
    }

    @Test
    void theSecret_neverReachesALogLine_andTheDecisionIsLoggedWithTheSessionId() throws Exception {
        List<String> secrets = new ArrayList<>();
        String sessionId;
        try (LogCapture logs = new LogCapture()) {
            Peer ann = hello(server, "u-1", "d-1", null);
            secrets.add(ann.welcome().resumeSecret());
            sessionId = ann.welcome().sessionId();
            assertTrue(server.dropConnection("u-1"));
            awaitCount(server::resumableSessions, 1);
            Peer again = hello(server, "u-1", "d-1", ann.resume());
            assertTrue(again.welcome().resumed());
            secrets.add(again.welcome().resumeSecret());
            again.ws().ping(1);
            assertEquals(new Pong(1), again.ws().next(Pong.class));

            List<LogRecord> records = logs.records();
            assertTrue(records.stream().anyMatch(r -> "org.glassfish.tyrus.core.TyrusRemoteEndpoint"
                    .equals(r.getLoggerName())), "Tyrus's frame log was on, or this check proves nothing");
            List<String> leaks = new ArrayList<>();
            for (LogRecord record : records) {
                String text = LogCapture.everything(record);
                if (text.contains("Sending text message: {\"type\":\"hello\"")) {
                    // the test peer's own hello (a Tyrus client in this JVM sending with its basic remote, which
                    // logs every frame at FINEST): the server never sends a hello
                    continue;
                }
                for (String secret : secrets) {
                    if (text.contains(secret)) {
                        String head = text.replace(secret, "<secret>");
                        leaks.add(record.getLoggerName() + " at " + record.getLevel() + " in "
                                + record.getSourceMethodName() + ": " + head.substring(0, Math.min(120,
                                head.length())));
                    }
                }
            }
            assertEquals(List.of(), leaks, "log records that contain a resume secret");
            assertTrue(records.stream().map(LogCapture::everything)
                    .anyMatch(t -> t.contains("Session " + sessionId + " resumed")), "the decision is logged");
        }
    }

    // ---------------------------------------------------------------- helpers

    private Peer hello(AloAudioServer target, String userId, String deviceId, ResumeInfo resume) throws Exception {
        return hello(target, userId, deviceId, resume, TestPeer.RELAXED);
    }

    /** Connects with a token for userId and says hello offering session.resume (and resuming, if given). */
    private Peer hello(AloAudioServer target, String userId, String deviceId, ResumeInfo resume,
                       HeartbeatInfo heartbeat) throws Exception {
        TestPeer peer = connect(target, userId);
        peer.send(TestPeer.encode(new Hello(ProtocolVersion.MAX, ProtocolVersion.MIN, "test-peer/1",
                new UserInfo(userId, "Name " + userId, deviceId), false, heartbeat,
                List.of(Capability.SESSION_RESUME), resume)));
        return new Peer(peer, peer.next(Welcome.class));
    }

    private TestPeer connect(AloAudioServer target, String userId) throws Exception {
        TestPeer peer = TestPeer.connect(client, target.uri(), target.tokens().issue(userId, Duration.ofHours(1)));
        peers.add(peer);
        return peer;
    }

    /** Both join the channel, the first one first; returns the second's participant as the first saw it. */
    private static ParticipantInfo bothInChannel(Peer first, Peer second) throws Exception {
        first.ws().join(CHANNEL);
        first.ws().awaitJoin();
        second.ws().join(CHANNEL);
        second.ws().awaitJoin();
        return first.ws().next(ParticipantJoined.class).participant();
    }

    /** Waits (bounded) until the count is the expected one. */
    private static void awaitCount(IntSupplier count, int expected) throws InterruptedException {
        long deadline = System.nanoTime() + TestPeer.WAIT.toNanos();
        while (count.getAsInt() != expected) {
            if (System.nanoTime() - deadline > 0) {
                fail("timed out waiting for " + expected + ", is " + count.getAsInt());
            }
            Thread.sleep(10);
        }
    }
}
