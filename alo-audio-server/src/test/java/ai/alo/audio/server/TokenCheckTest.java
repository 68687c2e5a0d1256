package ai.alo.audio.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.alo.audio.protocol.CloseCodes;
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
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.Map;
import org.glassfish.tyrus.client.ClientManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Every way a token can be rejected, with its close code, and the accepted case. */
class TokenCheckTest {

    /** 64 bytes, so that a test can sign HS512 with the very same secret. */
    private static final byte[] SECRET =
            "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8);

    private AloAudioServer server;
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
    }

    @Test
    void open_withValidToken_isWelcomed() throws Exception {
        String token = server.tokens().issue("u-1", Duration.ofMinutes(5));
        try (TestPeer peer = TestPeer.connect(client, server.uri(), token)) {
            peer.hello("u-1", "d-1", TestPeer.RELAXED);
            Welcome welcome = peer.next(Welcome.class);
            assertEquals(1, welcome.protocol());
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
        peer.hello("u-2", "d-1", TestPeer.RELAXED);
        peer.assertClosedWith(CloseCodes.FORBIDDEN);
        events.await(RecordingServerListener.Closed.class, c -> c.code() == CloseCodes.FORBIDDEN);
    }

    @Test
    void tokenIssuer_withShortSecret_isRejected() {
        assertThrows(IllegalArgumentException.class, () -> new TokenIssuer(new byte[31]));
        assertThrows(IllegalArgumentException.class, () -> AloAudioServer.builder().tokenSecret(new byte[16]));
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
        RecordingServerListener.Closed closed =
                events.await(RecordingServerListener.Closed.class, c -> c.code() == code);
        assertEquals(SessionInfo.Phase.CLOSED, closed.session().phase());
        assertTrue(server.sessions().isEmpty(), "a rejected connection is never a session");
        assertTrue(events.events().stream().noneMatch(e -> e instanceof RecordingServerListener.Opened));
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
