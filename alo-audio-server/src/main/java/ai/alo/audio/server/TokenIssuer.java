package ai.alo.audio.server;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Mints user auth tokens that an {@link AloAudioServer} with the same secret accepts: HS256-signed JWTs shaped like
 * the ALO authentication service's, with the claims {@code user: {id}}, {@code iat} and {@code exp}, and optionally
 * {@code channels} (the channel ids the holder may join).
 *
 * <p>Obtain one from {@link AloAudioServer#tokens()} or construct one from the secret (for example in another process
 * that shares {@code ALO_AUDIO_SERVER_SECRET}). Instances are immutable and thread-safe. Tokens are secrets: never log
 * them.
 */
public final class TokenIssuer {

    /** The smallest HS256 key, in bytes (RFC 7518 §3.2). */
    public static final int MIN_SECRET_BYTES = 32;

    private final byte[] secret;
    private final Clock clock;

    /**
     * Creates an issuer that reads the system clock.
     *
     * @param secret the HS256 key, at least {@value #MIN_SECRET_BYTES} bytes; copied
     * @throws IllegalArgumentException if the secret is shorter
     */
    public TokenIssuer(byte[] secret) {
        this(secret, Clock.systemUTC());
    }

    /** An issuer on the server's clock (see {@link AloAudioServer.Builder#clock(Clock)}). */
    TokenIssuer(byte[] secret, Clock clock) {
        this.secret = checkSecret(secret).clone();
        this.clock = clock;
    }

    /**
     * Mints a token for a user that expires after {@code ttl}.
     *
     * @param userId the {@code user.id} claim; not blank
     * @param ttl    the lifetime from now; may be negative to mint an already expired token (the server accepts a
     *               token up to its clock skew leeway, 30 s by default, after {@code exp})
     * @return the compact JWT
     */
    public String issue(String userId, Duration ttl) {
        Objects.requireNonNull(ttl, "ttl");
        return issue(userId, clock.instant().plus(ttl));
    }

    /**
     * Mints a token for a user that expires after {@code ttl} and allows joining only the given channels (claim
     * {@code channels}); the server refuses a {@code join} of any other channel with {@code error}
     * {@code join.forbidden}.
     *
     * @param userId   the {@code user.id} claim; not blank
     * @param ttl      the lifetime from now
     * @param channels the channel ids the holder may join (1 to 128 characters each, at most 1,000); empty allows
     *                 none
     * @return the compact JWT
     */
    public String issue(String userId, Duration ttl, Collection<String> channels) {
        Objects.requireNonNull(ttl, "ttl");
        Objects.requireNonNull(channels, "channels");
        if (channels.size() > TokenVerifier.MAX_CHANNELS) {
            throw new IllegalArgumentException("At most " + TokenVerifier.MAX_CHANNELS + " channel ids");
        }
        for (String id : channels) {
            if (id == null || id.isBlank() || Names.idTooLong(id)) {
                throw new IllegalArgumentException("Channel ids must have 1 to " + Names.MAX_ID_LENGTH
                        + " characters");
            }
        }
        return issue(userId, clock.instant().plus(ttl), List.copyOf(channels));
    }

    /**
     * Mints a token for a user that expires at {@code expiresAt} (rounded down to whole seconds).
     *
     * @param userId    the {@code user.id} claim; not blank
     * @param expiresAt the {@code exp} claim; may be in the past to mint an expired token
     * @return the compact JWT
     */
    public String issue(String userId, Instant expiresAt) {
        return issue(userId, expiresAt, null);
    }

    private String issue(String userId, Instant expiresAt, List<String> channels) {
        Objects.requireNonNull(userId, "userId");
        Objects.requireNonNull(expiresAt, "expiresAt");
        if (userId.isBlank()) {
            throw new IllegalArgumentException("userId must not be blank");
        }
        Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
        JWTClaimsSet.Builder builder = new JWTClaimsSet.Builder()
                .claim("user", Map.of("id", userId))
                .issueTime(Date.from(now))
                .expirationTime(Date.from(expiresAt.truncatedTo(ChronoUnit.SECONDS)));
        if (channels != null) {
            builder.claim(TokenVerifier.CHANNELS_CLAIM, channels);
        }
        JWTClaimsSet claims = builder.build();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).type(JOSEObjectType.JWT).build(),
                claims);
        try {
            jwt.sign(new MACSigner(secret));
        } catch (JOSEException e) {
            throw new IllegalStateException("Cannot sign the token: " + e.getMessage(), e);
        }
        return jwt.serialize();
    }

    byte[] secret() {
        return secret.clone();
    }

    static byte[] checkSecret(byte[] secret) {
        Objects.requireNonNull(secret, "secret");
        if (secret.length < MIN_SECRET_BYTES) {
            throw new IllegalArgumentException("The HS256 secret must have at least " + MIN_SECRET_BYTES
                    + " bytes, was " + secret.length);
        }
        return secret;
    }

    @Override
    public String toString() {
        return "TokenIssuer[HS256]";
    }
}
