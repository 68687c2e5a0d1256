package ai.alo.audio.protocol;

/**
 * The names of the optional features a client lists in {@code hello.capabilities} and a server confirms in
 * {@code welcome.capabilities}. A feature may be used only when both sides list it. Constants only.
 */
public final class Capability {

    /**
     * WebRTC audio: the client negotiates one audio session per joined channel with {@link MediaOffer} and
     * {@link MediaAnswer}, and the server relays the channel's audio.
     */
    public static final String MEDIA_WEBRTC = "media.webrtc";

    /** Push-to-talk floor control (reserved). */
    public static final String PTT = "ptt";

    /** Text-to-speech audio (reserved). */
    public static final String TTS = "tts";

    /**
     * Resuming a session after a reconnect: the {@code welcome} carries a resume secret, and a reconnecting client
     * names its earlier session and secret in {@code hello} ({@link ResumeInfo}); the service keeps a session that
     * ended without a goodbye resumable for a while.
     */
    public static final String SESSION_RESUME = "session.resume";

    private Capability() {
    }
}
