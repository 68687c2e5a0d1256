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
 * @param resumeSecret the secret with which a reconnecting client may resume this session (capability {@value
 *                     Capability#SESSION_RESUME}); missing without that capability. A credential: never logged.
 * @param resumed      whether this {@code welcome} resumes the session the {@code hello} named ({@code sessionId} is
 *                     then that session's); {@code false} for a new session
 */
@MessageType("welcome")
public record Welcome(int protocol, String sessionId, HeartbeatInfo heartbeat, String server,
                      List<String> capabilities, String resumeSecret, boolean resumed) implements Message {

    /** Checks the components. */
    public Welcome {
        Checks.nonBlank(sessionId, "sessionId");
        Checks.present(heartbeat, "heartbeat");
        server = Checks.orEmpty(server);
        capabilities = Checks.capabilities(capabilities);
        if (resumeSecret != null && (resumeSecret.isBlank() || resumeSecret.length() > ResumeInfo.MAX_LENGTH)) {
            throw new IllegalArgumentException("'resumeSecret' must be 1 to " + ResumeInfo.MAX_LENGTH
                    + " non-blank characters");
        }
    }

    /**
     * A description without the resume secret.
     *
     * @return the description
     */
    @Override
    public String toString() {
        return "Welcome[protocol=" + protocol + ", sessionId=" + sessionId + ", heartbeat=" + heartbeat + ", server="
                + server + ", capabilities=" + capabilities + ", resumeSecret=" + (resumeSecret == null ? "none"
                : "<redacted>") + ", resumed=" + resumed + "]";
    }
}
