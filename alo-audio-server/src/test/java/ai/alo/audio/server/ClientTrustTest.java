package ai.alo.audio.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.alo.audio.protocol.ChannelInfo;
import ai.alo.audio.protocol.CloseCodes;
import ai.alo.audio.protocol.End;
import ai.alo.audio.protocol.ErrorMessage;
import ai.alo.audio.protocol.Joined;
import ai.alo.audio.protocol.Left;
import ai.alo.audio.protocol.ParticipantInfo;
import ai.alo.audio.protocol.ParticipantJoined;
import ai.alo.audio.protocol.ParticipantLeft;
import ai.alo.audio.protocol.Pong;
import ai.alo.audio.protocol.Roster;
import ai.alo.audio.protocol.UserInfo;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import jakarta.websocket.CloseReason;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.glassfish.tyrus.client.ClientManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The service never lets a client act outside its token and never trusts what a client says about someone else:
 * channels its token does not allow, channels it has not joined, participant ids, connection ids and names of others.
 * Real WebSockets on loopback against the reference service (media off: the checks come before any media work).
 */
class ClientTrustTest {

    private AloAudioServer server;
    private ClientManager client;
    private final RecordingServerListener events = new RecordingServerListener();
    private final List<TestPeer> peers = new ArrayList<>();

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
    }

    // ---------------------------------------------------------------- channels the token allows

    @Test
    void join_ofAChannelTheTokenDoesNotList_isRefusedWithJoinForbidden_andTheSessionStaysWhereItIs()
            throws Exception {
        TestPeer bob = welcomed("u-2", server.tokens().issue("u-2", Duration.ofHours(1)));
        bob.join("secret-ops");
        bob.awaitJoin();
        TestPeer ann = welcomed("u-1", server.tokens().issue("u-1", Duration.ofHours(1), List.of("dispatch")));
        ann.join("dispatch", "j1");
        ParticipantInfo annInfo = ann.awaitJoin().self();

        ann.join("secret-ops", "j2");
        ErrorMessage refused = ann.next(ErrorMessage.class);
        assertEquals("join.forbidden", refused.code());
        assertEquals("j2", refused.requestId());
        assertEquals("join", refused.ref());
        assertTrue(refused.message().contains("'secret-ops'") && refused.message().contains("token"),
                refused.message());

        assertEquals(List.of(annInfo.connectionId()), connectionIds("dispatch"), "still in its channel");
        assertEquals(1, server.participants("secret-ops").size(), "never in the forbidden one");
        assertHearsNothingMore(bob, 1);
        ann.ping(2);
        assertEquals(new Pong(2), ann.next(Pong.class), "the session goes on");
    }

    @Test
    void join_ofAChannelTheTokenLists_isJoined_andATokenWithoutTheClaimMayJoinAny() throws Exception {
        TestPeer ann = welcomed("u-1", server.tokens().issue("u-1", Duration.ofHours(1), List.of("a", "b")));
        ann.join("a");
        ann.awaitJoin();
        ann.join("b");
        assertEquals("b", ann.awaitJoin().joined().channel().id());

        TestPeer bob = welcomed("u-2", server.tokens().issue("u-2", Duration.ofHours(1)));
        bob.join("anything");
        assertEquals("anything", bob.awaitJoin().joined().channel().id());
    }

    @Test
    void join_withAnEmptyChannelsClaim_isRefusedForEveryChannel() throws Exception {
        TestPeer ann = welcomed("u-1", server.tokens().issue("u-1", Duration.ofHours(1), List.of()));
        ann.join("a");
        assertEquals("join.forbidden", ann.next(ErrorMessage.class).code());
        assertTrue(server.participants("a").isEmpty());
    }

    @Test
    void token_withAChannelsClaimThatIsNotAListOfIds_isRejected4002_withoutEchoingIt() throws Exception {
        for (Object claim : List.of("dispatch", List.of("ok", 7), List.of(""), List.of("x".repeat(129)),
                Map.of("id", "dispatch"))) {
            String token = sign(new JWTClaimsSet.Builder().claim("user", Map.of("id", "u-1"))
                    .issueTime(new Date()).expirationTime(Date.from(Instant.now().plusSeconds(300)))
                    .claim("channels", claim).build());
            TestPeer peer = TestPeer.connect(client, server.uri(), token);
            peers.add(peer);
            CloseReason reason = peer.awaitClose();
            assertEquals(CloseCodes.TOKEN_INVALID, reason.getCloseCode().getCode(), () -> claim + ": " + reason);
            assertTrue(reason.getReasonPhrase().contains("channels"), reason::getReasonPhrase);
            assertFalse(reason.getReasonPhrase().contains("dispatch"), reason::getReasonPhrase);
        }
    }

    @Test
    void tokenIssuer_refusesChannelIdsTheServerWouldReject() {
        TokenIssuer tokens = server.tokens();
        assertThrows(IllegalArgumentException.class, () -> tokens.issue("u-1", Duration.ofHours(1), List.of(" ")));
        assertThrows(IllegalArgumentException.class,
                () -> tokens.issue("u-1", Duration.ofHours(1), List.of("x".repeat(129))));
    }

    // ---------------------------------------------------------------- only the joined channel

    @Test
    void leave_namingAnotherChannel_isRefused_andNobodyThereHearsOfIt() throws Exception {
        TestPeer bob = welcomed("u-2");
        bob.join("b");
        bob.awaitJoin();
        TestPeer ann = welcomed("u-1");
        ann.join("a");
        ParticipantInfo annInfo = ann.awaitJoin().self();

        ann.leave("b", "l1");
        ErrorMessage refused = ann.next(ErrorMessage.class);
        assertEquals("leave.rejected", refused.code());
        assertEquals("l1", refused.requestId());
        assertEquals(List.of(annInfo.connectionId()), connectionIds("a"), "still in its own channel");
        assertEquals(1, server.participants("b").size());
        assertHearsNothingMore(bob, 1);
    }

    // ---------------------------------------------------------------- what a client says about others

    @Test
    void serverMessagesSentByAClient_namingSomeoneElse_areNeverRelayed() throws Exception {
        TestPeer ann = welcomed("u-1");
        ann.join("a");
        ann.awaitJoin();
        TestPeer bob = welcomed("u-2");
        bob.join("a");
        ParticipantInfo bobInfo = bob.awaitJoin().self();
        assertEquals(bobInfo, ann.next(ParticipantJoined.class).participant());
        TestPeer carl = welcomed("u-3");
        carl.join("a");
        carl.awaitJoin();
        ann.next(ParticipantJoined.class);
        bob.next(ParticipantJoined.class);

        // carl claims that bob left, that a fake bob joined, that he is bob, and rewrites the roster
        ParticipantInfo fake = new ParticipantInfo(bobInfo.connectionId(), "u-2", "Bob (evil twin)", false);
        carl.send(TestPeer.encode(new ParticipantLeft("a", bobInfo, "kicked")));
        carl.send(TestPeer.encode(new ParticipantJoined("a", fake)));
        carl.send(TestPeer.encode(new Roster(null, "a", List.of(fake), true)));
        carl.send(TestPeer.encode(new Joined(null, new ChannelInfo("a", "", false), bobInfo.connectionId(), 1)));
        carl.send(TestPeer.encode(new Left(null, "a")));
        carl.send(TestPeer.encode(new End("kicked", "by carl")));
        carl.send("{\"type\":\"leave\",\"channelId\":\"a\",\"connectionId\":\"" + bobInfo.connectionId()
                + "\",\"userId\":\"u-2\"}");
        // the last one is carl's own leave (the unknown members are ignored): only carl leaves
        Left left = carl.next(Left.class);
        assertEquals("a", left.channelId());

        ParticipantLeft seen = ann.next(ParticipantLeft.class);
        assertEquals("u-3", seen.participant().userId(), "only carl's own leave is relayed: " + seen);
        assertEquals("left", seen.reason());
        assertEquals(seen, bob.next(ParticipantLeft.class));
        assertHearsNothingMore(ann, 1);
        assertHearsNothingMore(bob, 2);
        List<ChannelMember> members = server.participants("a");
        assertEquals(2, members.size());
        assertTrue(members.stream().anyMatch(m -> m.connectionId().equals(bobInfo.connectionId())
                && m.name().equals("Name u-2")), members::toString);
    }

    @Test
    void hello_withAnotherUsersId_isRefused4004_andThatUserIsUntouched() throws Exception {
        TestPeer bob = welcomed("u-2");
        bob.join("a");
        bob.awaitJoin();
        TestPeer mallory = TestPeer.connect(client, server.uri(), server.tokens().issue("u-1", Duration.ofHours(1)));
        peers.add(mallory);
        mallory.sendExpectingClose(TestPeer.encode(TestPeer.helloOf("u-2", "", TestPeer.RELAXED)));
        mallory.assertClosedWith(CloseCodes.FORBIDDEN);
        assertHearsNothingMore(bob, 1);
        assertEquals(1, server.sessions().size());
    }

    @Test
    void secondHello_cannotRenameTheSessionOrTakeAnotherIdentity() throws Exception {
        TestPeer ann = welcomed("u-1");
        ann.join("a");
        ann.awaitJoin();
        TestPeer bob = welcomed("u-2");
        bob.join("a");
        bob.awaitJoin();
        ann.next(ParticipantJoined.class);

        bob.sendExpectingClose(TestPeer.encode(new ai.alo.audio.protocol.Hello(2, 2, "x",
                new UserInfo("u-2", "Name u-1", ""), false, TestPeer.RELAXED, List.of(), null)));
        bob.assertClosedWith(CloseCodes.PROTOCOL_ERROR);
        ParticipantLeft left = ann.next(ParticipantLeft.class);
        assertEquals("Name u-2", left.participant().name(), "bob never got another name");
        assertEquals(List.of("Name u-1"), server.participants("a").stream().map(ChannelMember::name).toList());
    }

    // ---------------------------------------------------------------- helpers

    private TestPeer welcomed(String userId) throws Exception {
        return welcomed(userId, server.tokens().issue(userId, Duration.ofHours(1)));
    }

    private TestPeer welcomed(String userId, String token) throws Exception {
        TestPeer peer = TestPeer.connect(client, server.uri(), token);
        peers.add(peer);
        peer.hello(userId, "", TestPeer.RELAXED);
        peer.next(ai.alo.audio.protocol.Welcome.class);
        return peer;
    }

    private List<String> connectionIds(String channelId) {
        return server.participants(channelId).stream().map(ChannelMember::connectionId).toList();
    }

    /** A ping's pong is the next thing the peer hears: nothing else was sent to it before. */
    private static void assertHearsNothingMore(TestPeer peer, long seq) throws Exception {
        peer.ping(seq);
        assertEquals(new Pong(seq), peer.next(Pong.class));
    }

    private String sign(JWTClaimsSet claims) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).type(JOSEObjectType.JWT).build(),
                claims);
        jwt.sign(new MACSigner(server.tokens().secret()));
        return jwt.serialize();
    }
}
