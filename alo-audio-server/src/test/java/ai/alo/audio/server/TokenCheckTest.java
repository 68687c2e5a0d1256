package ai.alo.audio.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.alo.audio.protocol.CloseCodes;
import ai.alo.audio.protocol.ProtocolVersion;
import ai.alo.audio.protocol.Welcome;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import jakarta.websocket.CloseReason;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.glassfish.tyrus.client.ClientManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Every way a token can be rejected, with its close code, and the accepted case. */
class TokenCheckTest {

    /** 64 bytes, so that a test can sign HS512 with the very same secret. */
    private static final byte[] SECRET =
            "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8);

    /** The fixed "now" of the servers with an injected clock (whole seconds, as JWT times are). */
    private static final Instant NOW = Instant.parse("2026-11-30T10:00:00Z");

    private AloAudioServer server;
    private final List<AloAudioServer> others = new ArrayList<>();
    private final Set<String> seenRejections = new HashSet<>();
    private ClientManager client;
    private final RecordingServerListener events = new RecordingServerListener();

    @BeforeEach
    void startServer() {
        server = AloAudioServer.builder().tokenSecret(SECRET).build();
        server.addListener(events);
        server.start();
        client = ClientManager.createClient();
    }

    @AfterEach
    void stopServer() {
        client.shutdown();
        server.stop();
        others.forEach(AloAudioServer::stop);
    }

    @Test
    void open_withValidToken_isWelcomed() throws Exception {
        String token = server.tokens().issue("u-1", Duration.ofMinutes(5));
        try (TestPeer peer = TestPeer.connect(client, server.uri(), token)) {
            peer.hello("u-1", "d-1", TestPeer.RELAXED);
            Welcome welcome = peer.next(Welcome.class);
            assertEquals(ProtocolVersion.MAX, welcome.protocol());
            assertTrue(peer.isOpen());
        }
    }

    @Test
    void open_withoutAuthorizationHeader_closes4001() throws Exception {
        assertRejected(TestPeer.connect(client, server.uri(), (String) null), CloseCodes.TOKEN_MISSING, "");
    }

    @Test
    void open_withNonBearerAuthorization_closes4001() throws Exception {
        TestPeer peer = TestPeer.connect(client, server.uri(), Map.of("Authorization", "Basic dTpw"));
        assertRejected(peer, CloseCodes.TOKEN_MISSING, "dTpw");
    }

    @Test
    void open_withMalformedToken_closes4002() throws Exception {
        assertRejected(connect("not-a-jwt"), CloseCodes.TOKEN_INVALID, "not-a-jwt");
    }

    @Test
    void open_withTamperedPayload_closes4002() throws Exception {
        String token = server.tokens().issue("u-1", Duration.ofMinutes(5));
        String[] parts = token.split("\\.");
        String payload = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)
                .replace("u-1", "u-2");
        String tampered = parts[0] + "." + base64(payload) + "." + parts[2];
        assertRejected(connect(tampered), CloseCodes.TOKEN_INVALID, tampered);
    }

    @Test
    void open_withTamperedSignature_closes4002() throws Exception {
        String token = server.tokens().issue("u-1", Duration.ofMinutes(5));
        char last = token.charAt(token.length() - 2);
        String tampered = token.substring(0, token.length() - 2) + (last == 'A' ? 'B' : 'A')
                + token.charAt(token.length() - 1);
        assertRejected(connect(tampered), CloseCodes.TOKEN_INVALID, tampered);
    }

    @Test
    void open_withOtherSecret_closes4002() throws Exception {
        TokenIssuer other = new TokenIssuer("another secret that is long enough!!".getBytes(StandardCharsets.UTF_8));
        String token = other.issue("u-1", Duration.ofMinutes(5));
        assertRejected(connect(token), CloseCodes.TOKEN_INVALID, token);
    }

    @Test
    void open_withAlgNone_closes4002() throws Exception {
        String token = new PlainJWT(claims("u-1", Instant.now().plusSeconds(300))).serialize();
        assertRejected(connect(token), CloseCodes.TOKEN_INVALID, token);
    }

    @Test
    void open_withHandMadeAlgNoneAndSignature_closes4002() throws Exception {
        String valid = server.tokens().issue("u-1", Duration.ofMinutes(5));
        String[] parts = valid.split("\\.");
        String token = base64("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." + parts[1] + "." + parts[2];
        assertRejected(connect(token), CloseCodes.TOKEN_INVALID, token);
    }

    @Test
    void open_withHs512SameSecret_closes4002() throws Exception {
        String token = sign(JWSAlgorithm.HS512, claims("u-1", Instant.now().plusSeconds(300)));
        assertRejected(connect(token), CloseCodes.TOKEN_INVALID, token);
    }

    @Test
    void open_withExpiredToken_closes4003() throws Exception {
        String token = server.tokens().issue("u-1", Instant.now().minusSeconds(60));
        assertRejected(connect(token), CloseCodes.TOKEN_EXPIRED, token);
    }

    @Test
    void open_withoutUserClaim_closes4002() throws Exception {
        JWTClaimsSet claims = new JWTClaimsSet.Builder().expirationTime(Date.from(Instant.now().plusSeconds(300)))
                .issueTime(new Date()).subject("u-1").build();
        String token = sign(JWSAlgorithm.HS256, claims);
        assertRejected(connect(token), CloseCodes.TOKEN_INVALID, token);
    }

    @Test
    void open_withNonStringUserId_closes4002() throws Exception {
        JWTClaimsSet claims = new JWTClaimsSet.Builder().expirationTime(Date.from(Instant.now().plusSeconds(300)))
                .claim("user", Map.of("id", 42)).build();
        String token = sign(JWSAlgorithm.HS256, claims);
        assertRejected(connect(token), CloseCodes.TOKEN_INVALID, token);
    }

    @Test
    void open_withoutExp_closes4002() throws Exception {
        JWTClaimsSet claims = new JWTClaimsSet.Builder().claim("user", Map.of("id", "u-1"))
                .issueTime(new Date()).build();
        String token = sign(JWSAlgorithm.HS256, claims);
        assertRejected(connect(token), CloseCodes.TOKEN_INVALID, token);
    }

    @Test
    void hello_withOtherUserIdThanToken_closes4004() throws Exception {
        TestPeer peer = connect(server.tokens().issue("u-1", Duration.ofMinutes(5)));
        peer.sendExpectingClose(TestPeer.encode(TestPeer.helloOf("u-2", "d-1", TestPeer.RELAXED)));
        peer.assertClosedWith(CloseCodes.FORBIDDEN);
        events.await(RecordingServerListener.Closed.class, c -> c.code() == CloseCodes.FORBIDDEN);
    }

    @Test
    void exp_justInsideTheClockSkewLeeway_isAccepted() throws Exception {
        AloAudioServer fixed = fixedClockServer(Duration.ofSeconds(30));
        String token = sign(JWSAlgorithm.HS256, claimsAt("u-1", NOW.minusSeconds(29), null, null));
        assertWelcomed(fixed, token, "u-1");
    }

    @Test
    void exp_atTheEdgeOfTheClockSkewLeeway_closes4003() throws Exception {
        AloAudioServer fixed = fixedClockServer(Duration.ofSeconds(30));
        String token = sign(JWSAlgorithm.HS256, claimsAt("u-1", NOW.minusSeconds(30), null, null));
        assertRejected(TestPeer.connect(client, fixed.uri(), token), CloseCodes.TOKEN_EXPIRED, token);
    }

    @Test
    void nbf_justInsideTheLeeway_isAccepted_andJustOutside_closes4002() throws Exception {
        AloAudioServer fixed = fixedClockServer(Duration.ofSeconds(30));
        Instant exp = NOW.plusSeconds(3600);
        assertWelcomed(fixed, sign(JWSAlgorithm.HS256, claimsAt("u-1", exp, NOW.plusSeconds(30), null)), "u-1");
        String early = sign(JWSAlgorithm.HS256, claimsAt("u-2", exp, NOW.plusSeconds(31), null));
        assertRejected(TestPeer.connect(client, fixed.uri(), early), CloseCodes.TOKEN_INVALID, early);
    }

    @Test
    void iat_justInsideTheLeeway_isAccepted_andJustOutside_closes4002() throws Exception {
        AloAudioServer fixed = fixedClockServer(Duration.ofSeconds(30));
        Instant exp = NOW.plusSeconds(3600);
        assertWelcomed(fixed, sign(JWSAlgorithm.HS256, claimsAt("u-1", exp, null, NOW.plusSeconds(30))), "u-1");
        String future = sign(JWSAlgorithm.HS256, claimsAt("u-2", exp, null, NOW.plusSeconds(31)));
        assertRejected(TestPeer.connect(client, fixed.uri(), future), CloseCodes.TOKEN_INVALID, future);
    }

    @Test
    void clockSkew_setToZero_checksTheTimesExactly() throws Exception {
        AloAudioServer fixed = fixedClockServer(Duration.ZERO);
        assertWelcomed(fixed, sign(JWSAlgorithm.HS256, claimsAt("u-1", NOW.plusSeconds(1), NOW, NOW)), "u-1");
        String expired = sign(JWSAlgorithm.HS256, claimsAt("u-2", NOW, null, null));
        assertRejected(TestPeer.connect(client, fixed.uri(), expired), CloseCodes.TOKEN_EXPIRED, expired);
        String early = sign(JWSAlgorithm.HS256, claimsAt("u-3", NOW.plusSeconds(60), NOW.plusSeconds(1), null));
        assertRejected(TestPeer.connect(client, fixed.uri(), early), CloseCodes.TOKEN_INVALID, early);
    }

    @Test
    void tokens_issuedByTheServer_followItsClock() throws Exception {
        AloAudioServer fixed = fixedClockServer(Duration.ofSeconds(30));
        String token = fixed.tokens().issue("u-1", Duration.ofMinutes(1));
        assertEquals(NOW.plusSeconds(60), SignedJWT.parse(token).getJWTClaimsSet().getExpirationTime().toInstant());
        assertWelcomed(fixed, token, "u-1");
    }

    @Test
    void timeClaims_thatAreNotNumbers_close4002() throws Exception {
        Instant exp = Instant.now().plusSeconds(300);
        for (String claim : new String[] {"exp", "nbf", "iat"}) {
            JWTClaimsSet.Builder builder = new JWTClaimsSet.Builder().claim("user", Map.of("id", "u-1"));
            if (!claim.equals("exp")) {
                builder.expirationTime(Date.from(exp));
            }
            String token = sign(JWSAlgorithm.HS256, builder.claim(claim, "soon").build());
            assertRejected(connect(token), CloseCodes.TOKEN_INVALID, token);
        }
    }

    @Test
    void open_withAUserIdOver128Characters_closes4002_and128IsAccepted() throws Exception {
        String tooLong = server.tokens().issue("u".repeat(129), Duration.ofMinutes(5));
        assertRejected(connect(tooLong), CloseCodes.TOKEN_INVALID, tooLong);
        String fits = server.tokens().issue("u".repeat(128), Duration.ofMinutes(5));
        assertWelcomed(server, fits, "u".repeat(128));
    }

    @Test
    void tokenIssuer_withShortSecret_isRejected() {
        assertThrows(IllegalArgumentException.class, () -> new TokenIssuer(new byte[31]));
        assertThrows(IllegalArgumentException.class, () -> AloAudioServer.builder().tokenSecret(new byte[16]));
    }

    private AloAudioServer fixedClockServer(Duration skew) {
        AloAudioServer fixed = AloAudioServer.builder().tokenSecret(SECRET).clock(Clock.fixed(NOW, ZoneOffset.UTC))
                .clockSkew(skew).build();
        fixed.addListener(events);
        others.add(fixed);
        return fixed.start();
    }

    private void assertWelcomed(AloAudioServer target, String token, String userId) throws Exception {
        try (TestPeer peer = TestPeer.connect(client, target.uri(), token)) {
            peer.hello(userId, "", TestPeer.RELAXED);
            assertEquals(ProtocolVersion.MAX, peer.next(Welcome.class).protocol());
        }
    }

    private static JWTClaimsSet claimsAt(String userId, Instant exp, Instant nbf, Instant iat) {
        JWTClaimsSet.Builder builder = new JWTClaimsSet.Builder().claim("user", Map.of("id", userId))
                .expirationTime(Date.from(exp));
        if (nbf != null) {
            builder.notBeforeTime(Date.from(nbf));
        }
        if (iat != null) {
            builder.issueTime(Date.from(iat));
        }
        return builder.build();
    }

    private TestPeer connect(String token) throws Exception {
        return TestPeer.connect(client, server.uri(), token);
    }

    private void assertRejected(TestPeer peer, int code, String secretText) throws Exception {
        CloseReason reason = peer.awaitClose();
        assertEquals(code, reason.getCloseCode().getCode(), () -> "close reason: " + reason);
        assertFalse(reason.getReasonPhrase().isBlank(), "a readable reason");
        if (!secretText.isEmpty()) {
            assertFalse(reason.getReasonPhrase().contains(secretText), "the reason must not contain the token");
        }
        RecordingServerListener.Closed closed = events.await(RecordingServerListener.Closed.class,
                c -> c.code() == code && !seenRejections.contains(c.session().sessionId()));
        String sessionId = closed.session().sessionId();
        seenRejections.add(sessionId);
        assertEquals(SessionInfo.Phase.CLOSED, closed.session().phase());
        assertEquals("", closed.session().userId(), "the token's user was never taken");
        assertTrue(events.events().stream().noneMatch(e -> e instanceof RecordingServerListener.Opened opened
                && opened.session().sessionId().equals(sessionId)), "a rejected connection is never a session");
        assertTrue(server.sessions().stream().noneMatch(info -> info.sessionId().equals(sessionId)));
    }

    private static JWTClaimsSet claims(String userId, Instant expiresAt) {
        return new JWTClaimsSet.Builder().claim("user", Map.of("id", userId)).issueTime(new Date())
                .expirationTime(Date.from(expiresAt)).build();
    }

    private static String sign(JWSAlgorithm algorithm, JWTClaimsSet claims) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(algorithm).type(JOSEObjectType.JWT).build(), claims);
        jwt.sign(new MACSigner(SECRET));
        return jwt.serialize();
    }

    private static String base64(String text) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }
}
