package ai.alo.audio.protocol;

/**
 * Client to server, first message: who the client is and the heartbeat it asks for.
 *
 * @param protocol   the client's protocol version
 * @param client     the client's software name and version
 * @param user       the user; must match the token's {@code user.id}
 * @param ttsEnabled whether the user wants text-to-speech audio
 * @param heartbeat  the requested heartbeat
 */
public record Hello(int protocol, String client, UserInfo user, boolean ttsEnabled, HeartbeatInfo heartbeat)
        implements Message {

    /** The type name. */
    public static final String TYPE = "hello";

    /** Checks the components. */
    public Hello {
        client = Checks.orEmpty(client);
        Checks.present(user, "user");
        Checks.present(heartbeat, "heartbeat");
    }
}
