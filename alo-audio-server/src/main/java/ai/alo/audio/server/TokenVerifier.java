package ai.alo.audio.server;

import ai.alo.audio.protocol.CloseCodes;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.source.ImmutableSecret;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Checks the user auth token of a handshake, as the "Transport" and "Tokens" sections of {@code docs/protocol.md}
 * say: from the {@code Authorization: Bearer} header, or, from a browser (which cannot set that header on a
 * WebSocket), from the subprotocol {@code bearer.<token>} that it offers next to {@value #SUBPROTOCOL}. The header wins
 * when both are present; both are checked the same way, with the same close codes. Thread-safe (the Nimbus processor is configured once and only read afterwards). Accepts HS256 only; the claims
 * are checked here, not by Nimbus's default verifier, so that an expired token (4003) can be told from an invalid one
 * (4002) without parsing exception texts.
 *
 * <p>Time claims are checked against an injectable {@link Clock} with a clock-skew leeway in the holder's favour:
 * {@code exp} (required) must be later than now minus the leeway (else 4003); {@code nbf} and {@code iat} (optional)
 * must be at most now plus the leeway (else 4002). A time claim that is not a number fails to parse (4002).
 */
final class TokenVerifier {

    /**
     * The outcome of a check.
     *
     * @param userId    the token's {@code user.id}, or empty when rejected
     * @param closeCode 0 when accepted, else the close code
     * @param reason    a short close reason (never the token), empty when accepted
     */
    record Verdict(String userId, int closeCode, String reason) {

        boolean accepted() {
            return closeCode == 0;
        }

        static Verdict reject(int closeCode, String reason) {
            return new Verdict("", closeCode, reason);
        }
    }

    /** The subprotocol of the signalling protocol: a browser offers it, the server answers with it. */
    static final String SUBPROTOCOL = "alo-audio";

    private static final String BEARER = "bearer ";
    private static final String BEARER_SUBPROTOCOL = "bearer.";

    private final DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
    private final Clock clock;
    private final Duration leeway;

    TokenVerifier(byte[] secret, Clock clock, Duration leeway) {
        this.clock = clock;
        this.leeway = leeway;
        processor.setJWSKeySelector(new JWSVerificationKeySelector<>(JWSAlgorithm.HS256,
                new ImmutableSecret<>(secret.clone())));
        // Claims are verified below; Nimbus's default verifier would reject an expired token with the same
        // exception type as a malformed one.
        processor.setJWTClaimsSetVerifier(null);
    }

    /**
     * Checks the credentials of a handshake: the {@code Authorization} header when there is one (even a malformed
     * one), else the one {@code bearer.<token>} entry of the offered subprotocols. More than one such entry is
     * refused (4002), none at all is a missing token (4001).
     *
     * @param authorization the {@code Authorization} header's value, or null when absent
     * @param subprotocols  the subprotocols the client offered ({@code Sec-WebSocket-Protocol}), in order; may be empty
     * @return the verdict; its reason never contains the token
     */
    Verdict verify(String authorization, List<String> subprotocols) {
        if (authorization != null) {
            return verify(authorization);
        }
        String token = null;
        for (String offered : subprotocols) {
            String name = offered.strip();
            if (name.regionMatches(true, 0, BEARER_SUBPROTOCOL, 0, BEARER_SUBPROTOCOL.length())) {
                if (token != null) {
                    return Verdict.reject(CloseCodes.TOKEN_INVALID, "More than one bearer subprotocol");
                }
                token = name.substring(BEARER_SUBPROTOCOL.length());
            }
        }
        if (token == null) {
            return Verdict.reject(CloseCodes.TOKEN_MISSING, "Missing token");
        }
        if (token.isBlank()) {
            return Verdict.reject(CloseCodes.TOKEN_MISSING, "Missing bearer token");
        }
        return verifyToken(token);
    }

    /**
     * Checks a handshake's {@code Authorization} header value.
     *
     * @param authorization the header value, or null when absent
     * @return the verdict
     */
    Verdict verify(String authorization) {
        if (authorization == null || authorization.isBlank()) {
            return Verdict.reject(CloseCodes.TOKEN_MISSING, "Missing token");
        }
        String value = authorization.strip();
        if (!value.toLowerCase(Locale.ROOT).startsWith(BEARER) || value.substring(BEARER.length()).isBlank()) {
            return Verdict.reject(CloseCodes.TOKEN_MISSING, "Missing bearer token");
        }
        return verifyToken(value.substring(BEARER.length()).strip());
    }

    private Verdict verifyToken(String token) {
        JWTClaimsSet claims;
        try {
            claims = processor.process(token, null);
        } catch (ParseException e) {
            // also a time claim that is not a number: Nimbus refuses it while parsing the claims
            return Verdict.reject(CloseCodes.TOKEN_INVALID, "Malformed token");
        } catch (BadJOSEException | JOSEException | RuntimeException e) {
            return Verdict.reject(CloseCodes.TOKEN_INVALID, "Invalid token");
        }
        Date expiration = claims.getExpirationTime();
        if (expiration == null) {
            return Verdict.reject(CloseCodes.TOKEN_INVALID, "Invalid token: no exp");
        }
        String userId = userId(claims);
        if (userId == null) {
            return Verdict.reject(CloseCodes.TOKEN_INVALID, "Invalid token: no user.id");
        }
        if (Names.idTooLong(userId)) {
            return Verdict.reject(CloseCodes.TOKEN_INVALID, "Invalid token: user.id longer than "
                    + Names.MAX_ID_LENGTH + " characters");
        }
        Instant now = clock.instant();
        if (!expiration.toInstant().isAfter(now.minus(leeway))) {
            return Verdict.reject(CloseCodes.TOKEN_EXPIRED, "Token expired");
        }
        Date notBefore = claims.getNotBeforeTime();
        if (notBefore != null && notBefore.toInstant().isAfter(now.plus(leeway))) {
            return Verdict.reject(CloseCodes.TOKEN_INVALID, "Token not yet valid (nbf)");
        }
        Date issuedAt = claims.getIssueTime();
        if (issuedAt != null && issuedAt.toInstant().isAfter(now.plus(leeway))) {
            return Verdict.reject(CloseCodes.TOKEN_INVALID, "Token issued in the future (iat)");
        }
        return new Verdict(userId, 0, "");
    }

    private static String userId(JWTClaimsSet claims) {
        try {
            Map<String, Object> user = claims.getJSONObjectClaim("user");
            if (user != null && user.get("id") instanceof String id && !id.isBlank()) {
                return id;
            }
            return null;
        } catch (ParseException e) {
            return null;
        }
    }
}
