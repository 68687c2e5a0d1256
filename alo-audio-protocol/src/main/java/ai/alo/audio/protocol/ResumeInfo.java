package ai.alo.audio.protocol;

/**
 * In {@code hello}: the session a reconnecting client asks to resume (capability {@value Capability#SESSION_RESUME}).
 * The service resumes it only if it still holds that session as resumable, the secret matches, and the token's user
 * and the hello's device are the session's; otherwise it makes a new session and says so in {@link Welcome#resumed()}.
 *
 * @param sessionId the id of the session to resume, as the service's earlier {@code welcome} gave it
 * @param secret    the resume secret of that session, as the service's earlier {@code welcome} gave it; a
 *                  credential: never logged
 */
public record ResumeInfo(String sessionId, String secret) {

    /** The longest session id or secret accepted. */
    public static final int MAX_LENGTH = 128;

    /** Checks the components. */
    public ResumeInfo {
        Checks.nonBlank(sessionId, "resume.sessionId");
        Checks.nonBlank(secret, "resume.secret");
        if (sessionId.length() > MAX_LENGTH || secret.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("'resume' values must be at most " + MAX_LENGTH + " characters");
        }
    }

    /**
     * A description without the secret.
     *
     * @return the description
     */
    @Override
    public String toString() {
        return "ResumeInfo[sessionId=" + sessionId + ", secret=<redacted>]";
    }
}
