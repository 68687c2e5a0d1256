package ai.alo.audio;

/**
 * Supplies the user auth token for each connection attempt, for applications that run longer than a token lives.
 * Set it with {@link AloAudioConfig.Builder#userAuthTokenProvider(UserAuthTokenProvider)}; in CDI, a bean of this type
 * is used when present (qualified {@code @AloClient(name)} for one client, or {@code @Default} for all).
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li>Asked before every connection attempt: the first {@code connect()} and each automatic reconnect. When the
 *       audio service rejects a token as expired ({@link DisconnectReason#TOKEN_EXPIRED}), it is asked once more at
 *       once, and only a second expired token ends the session.</li>
 *   <li>Called on one of the runtime's connect threads, never while the client holds a lock. It may block (to fetch a
 *       token from an identity service), but the wait counts against {@link AloAudioConfig#connectTimeout()}.</li>
 *   <li>A thrown exception, a null or a blank token fails that attempt with {@link DisconnectReason#CONNECT_FAILED}
 *       (retried like an unreachable service); the message names the provider's exception class, never a token.</li>
 *   <li>The token it returns never reaches a log line, an exception message or a {@code toString()}.</li>
 * </ul>
 *
 * @since 0.3
 */
@FunctionalInterface
public interface UserAuthTokenProvider {

    /**
     * A user auth token for the next connection attempt.
     *
     * @param user the user the token must be issued for
     * @return the token, exactly as issued
     * @throws Exception if no token can be had now; the attempt fails and is retried as the reconnect policy says
     */
    String userAuthToken(AudioUser user) throws Exception;
}
