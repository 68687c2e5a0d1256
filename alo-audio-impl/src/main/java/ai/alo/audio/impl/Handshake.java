package ai.alo.audio.impl;

import ai.alo.audio.AloAudioConfig;
import ai.alo.audio.AudioUser;
import ai.alo.audio.protocol.Capability;
import ai.alo.audio.protocol.HeartbeatInfo;
import ai.alo.audio.protocol.Hello;
import ai.alo.audio.protocol.ProtocolVersion;
import ai.alo.audio.protocol.ResumeInfo;
import ai.alo.audio.protocol.UserInfo;
import java.util.List;

/** What this client says about itself in {@code hello}: its versions, its capabilities, its user, its heartbeat. */
final class Handshake {

    /** The optional protocol features this client can use: WebRTC audio and session resume. */
    static final List<String> CAPABILITIES = List.of(Capability.MEDIA_WEBRTC, Capability.SESSION_RESUME);

    /** What a signalling-only client offers: session resume. */
    static final List<String> SIGNALLING_CAPABILITIES = List.of(Capability.SESSION_RESUME);

    private Handshake() {
    }

    /**
     * The {@code hello} of an attempt.
     *
     * @param config the client's configuration
     * @param resume the session a reconnect asks to resume, or null
     * @return the message
     */
    static Hello hello(AloAudioConfig config, ResumeInfo resume) {
        AudioUser user = config.user();
        return new Hello(ProtocolVersion.MAX, ProtocolVersion.MIN, ClientStateMachine.CLIENT_SOFTWARE,
                new UserInfo(user.id(), user.name(), user.deviceId()), config.ttsEnabled(),
                new HeartbeatInfo(config.heartbeatInterval().toMillis(), config.heartbeatTimeout().toMillis()),
                capabilities(config), resume);
    }

    /**
     * The capabilities a client offers in {@code hello}: {@code session.resume}, and {@code media.webrtc} unless media
     * is disabled.
     *
     * @param config the client's configuration
     * @return the capabilities
     */
    static List<String> capabilities(AloAudioConfig config) {
        return config.mediaEnabled() ? CAPABILITIES : SIGNALLING_CAPABILITIES;
    }
}
