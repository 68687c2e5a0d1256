package ai.alo.audio.testkit;

import ai.alo.audio.AudioUser;
import ai.alo.audio.server.TokenIssuer;
import java.net.URI;
import java.time.Duration;
import java.util.Objects;

/**
 * Makes users and tokens for the kit's reference service. Inject it into a test method or constructor of a class that
 * uses {@link AloAudioTestKit}, or call {@link AloAudioTestKit#user(String)}. Immutable and thread-safe.
 *
 * @since 0.1
 */
public final class TestUsers {

    private final TokenIssuer tokens;
    private final URI serviceUri;
    private final boolean media;
    private final Duration tokenLifetime;

    TestUsers(TokenIssuer tokens, URI serviceUri, boolean media, Duration tokenLifetime) {
        this.tokens = tokens;
        this.serviceUri = serviceUri;
        this.media = media;
        this.tokenLifetime = tokenLifetime;
    }

    /**
     * A user whose display name is its id and whose device id is {@code testkit-<id>}, with a token valid for the
     * kit's token lifetime (1 hour by default). The service allows one session per user and device: two clients of
     * the same {@code TestUser} replace each other, so give every client of a test its own id.
     *
     * @param id the user id; not blank
     * @return the user, its token and the URI through the proxy
     * @throws IllegalArgumentException if {@code id} is blank
     */
    public TestUser user(String id) {
        Objects.requireNonNull(id, "id");
        return user(new AudioUser(id, id, "testkit-" + id));
    }

    /**
     * A given user, with a token valid for the kit's token lifetime.
     *
     * @param user the user
     * @return the user, its token and the URI through the proxy
     */
    public TestUser user(AudioUser user) {
        Objects.requireNonNull(user, "user");
        return new TestUser(user, tokens.issue(user.id(), tokenLifetime), serviceUri, media);
    }

    /**
     * A token for a user id with a lifetime of your choice; a negative one makes an expired token (the service allows
     * its clock skew, 30 s by default, past the expiry).
     *
     * @param userId the user id; not blank
     * @param ttl    the lifetime from now
     * @return the compact JWT; a secret: never log it
     */
    public String token(String userId, Duration ttl) {
        return tokens.issue(userId, ttl);
    }

    @Override
    public String toString() {
        return "TestUsers[" + serviceUri + "]";
    }
}
