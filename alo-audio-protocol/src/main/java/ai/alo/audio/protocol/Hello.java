package ai.alo.audio.protocol;

import java.util.List;

/**
 * Client to server, first message: who the client is, the protocol versions it speaks, the optional features it can
 * use, and the heartbeat it asks for.
 *
 * @param protocol     the highest protocol version the client speaks
 * @param minProtocol  the lowest protocol version the client speaks; missing means {@code protocol}
 * @param client       the client's software name and version
 * @param user         the user; must match the token's {@code user.id}
 * @param ttsEnabled   whether the user wants text-to-speech audio
 * @param heartbeat    the requested heartbeat
 * @param capabilities optional features the client can use; missing means none
 * @param resume       the session a reconnecting client asks to resume; missing for a new session. Only meaningful
 *                     with capability {@value Capability#SESSION_RESUME}.
 */
@MessageType("hello")
public record Hello(int protocol, Integer minProtocol, String client, UserInfo user, boolean ttsEnabled,
                    HeartbeatInfo heartbeat, List<String> capabilities, ResumeInfo resume) implements Message {

    /** Checks the components. */
    public Hello {
        if (protocol < 1) {
            throw new IllegalArgumentException("'protocol' must be a positive version number");
        }
        minProtocol = minProtocol == null ? protocol : minProtocol;
        if (minProtocol < 1 || minProtocol > protocol) {
            throw new IllegalArgumentException("'minProtocol' must be between 1 and 'protocol'");
        }
        client = Checks.orEmpty(client);
        Checks.present(user, "user");
        Checks.present(heartbeat, "heartbeat");
        capabilities = Checks.capabilities(capabilities);
    }
}
