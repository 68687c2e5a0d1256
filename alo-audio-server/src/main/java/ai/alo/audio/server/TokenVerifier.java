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
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

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
 *
 * <p>The optional claim {@code channels} (a list of channel ids) restricts the channels the holder may join; a claim
 * that is not a list of channel ids makes the token invalid (4002). Absent means any channel.
 */
final class TokenVerifier {

    /**
     * The outcome of a check.
     *
     * @param userId    the token's {@code user.id}, or empty when rejected
     * @param closeCode 0 when accepted, else the close code
     * @param reason    a short close reason (never the token), empty when accepted
     * @param channels  the channel ids the token's {@code channels} claim allows, or null when it has none (any
     *                  channel)
     */
    record Verdict(String userId, int closeCode, String reason, Set<String> channels) {

        boolean accepted() {
            return closeCode == 0;
        }

        static Verdict reject(int closeCode, String reason) {
            return new Verdict("", closeCode, reason, Set.of());
        }
    }

    /** The subprotocol of the signalling protocol: a browser offers it, the server answers with it. */
    static final String SUBPROTOCOL = "alo-audio";

    /** The optional claim listing the channel ids a token allows (absent: any channel). */
    static final String CHANNELS_CLAIM = "channels";
    /** The most channel ids a {@code channels} claim may list. */
    static final int MAX_CHANNELS = 1_000;

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
        Set<String> channels;
        try {
            channels = channels(claims);
        } catch (IllegalArgumentException e) {
            return Verdict.reject(CloseCodes.TOKEN_INVALID, "Invalid token: " + e.getMessage());
        }
        return new Verdict(userId, 0, "", channels);
    }

    /**
     * The optional {@code channels} claim: a list of channel ids the holder may join; absent (or null) means any
     * channel, an empty list none.
     *
     * @throws IllegalArgumentException (its message says what is wrong, never echoing the claim) if it is not a list
     *                                  of at most {@value #MAX_CHANNELS} non-blank ids of at most 128 characters
     */
    private static Set<String> channels(JWTClaimsSet claims) {
        Object claim = claims.getClaim(CHANNELS_CLAIM);
        if (claim == null) {
            return null;
        }
        if (!(claim instanceof List<?> list)) {
            throw new IllegalArgumentException("channels is not a list");
        }
        if (list.size() > MAX_CHANNELS) {
            throw new IllegalArgumentException("channels lists more than " + MAX_CHANNELS + " ids");
        }
        Set<String> ids = new HashSet<>();
        for (Object item : list) {
            if (!(item instanceof String id) || id.isBlank() || Names.idTooLong(id)) {
                throw new IllegalArgumentException("channels must hold channel ids of 1 to " + Names.MAX_ID_LENGTH
                        + " characters");
            }
            ids.add(id);
        }
        return Set.copyOf(ids);
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
