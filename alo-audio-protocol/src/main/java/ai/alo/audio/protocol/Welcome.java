package ai.alo.audio.protocol;

import java.util.List;

/**
 * Server to client, answer to {@code hello}: the session is authenticated.
 *
 * @param protocol     the protocol version both sides use on this session, from the client's range
 * @param sessionId    the session id
 * @param heartbeat    the heartbeat both sides use from now on
 * @param server       the server's software name and version
 * @param capabilities the optional features enabled on this session: those of the client's that the server supports
 */
@MessageType("welcome")
public record Welcome(int protocol, String sessionId, HeartbeatInfo heartbeat, String server,
                      List<String> capabilities) implements Message {

    /** Checks the components. */
    public Welcome {
        Checks.nonBlank(sessionId, "sessionId");
        Checks.present(heartbeat, "heartbeat");
        server = Checks.orEmpty(server);
        capabilities = Checks.capabilities(capabilities);
    }
}
