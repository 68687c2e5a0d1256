package ai.alo.audio.protocol;

/**
 * Server to client, answer to {@code hello}: the session is authenticated.
 *
 * @param protocol  the protocol version the server speaks on this session
 * @param sessionId the session id
 * @param heartbeat the heartbeat both sides use from now on
 * @param server    the server's software name and version
 */
public record Welcome(int protocol, String sessionId, HeartbeatInfo heartbeat, String server) implements Message {

    /** The type name. */
    public static final String TYPE = "welcome";

    /** Checks the components. */
    public Welcome {
        Checks.nonBlank(sessionId, "sessionId");
        Checks.present(heartbeat, "heartbeat");
        server = Checks.orEmpty(server);
    }
}
