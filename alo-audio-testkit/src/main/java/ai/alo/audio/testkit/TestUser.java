package ai.alo.audio.testkit;

import ai.alo.audio.AloAudioConfig;
import ai.alo.audio.AudioUser;
import java.net.URI;
import java.util.Objects;

/**
 * A user of the kit's reference service and a token it accepts, with the URI to connect to: everything a client
 * configuration needs. Obtain one from {@link AloAudioTestKit#user(String)} or {@link TestUsers#user(String)}.
 *
 * <p>{@link #toString()} never shows the token (tokens are secrets, also in tests: they end up in reports).
 *
 * @param user       the user (id, display name, a device id of its own)
 * @param token      a user auth token for {@code user.id()}, signed with the service's secret
 * @param serviceUri where to connect: the service through the kit's fault proxy
 * @param media      whether the kit's service relays audio; {@link #config()} enables media on the client then
 * @since 0.1
 */
public record TestUser(AudioUser user, String token, URI serviceUri, boolean media) {

    /**
     * Checks the components.
     *
     * @throws NullPointerException if a component is null
     */
    public TestUser {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(serviceUri, "serviceUri");
    }

    /**
     * A client configuration for this user through the fault proxy: server URI, user, token, and
     * {@code mediaEnabled} as the service (off unless the kit was built with media). Add what the test needs
     * (heartbeat, timeouts, name) and {@code build()} it.
     *
     * @return a new builder
     */
    public AloAudioConfig.Builder config() {
        return AloAudioConfig.builder()
                .serverUri(serviceUri)
                .user(user)
                .userAuthToken(token)
                .mediaEnabled(media);
    }

    @Override
    public String toString() {
        return "TestUser[user=" + user + ", token=(hidden), serviceUri=" + serviceUri + ", media=" + media + "]";
    }
}
