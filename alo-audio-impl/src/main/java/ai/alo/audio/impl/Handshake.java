package ai.alo.audio.impl;

import ai.alo.audio.AloAudioConfig;
import ai.alo.audio.AudioUser;
import ai.alo.audio.protocol.Capability;
import ai.alo.audio.protocol.HeartbeatInfo;
import ai.alo.audio.protocol.Hello;
import ai.alo.audio.protocol.ProtocolVersion;
import ai.alo.audio.protocol.UserInfo;
import java.util.List;

/** What this client says about itself in {@code hello}: its versions, its capabilities, its user, its heartbeat. */
final class Handshake {

    /** The optional protocol features this client can use: WebRTC audio. */
    static final List<String> CAPABILITIES = List.of(Capability.MEDIA_WEBRTC);

    private Handshake() {
    }

    static Hello hello(AloAudioConfig config) {
        AudioUser user = config.user();
        return new Hello(ProtocolVersion.MAX, ProtocolVersion.MIN, ClientStateMachine.CLIENT_SOFTWARE,
                new UserInfo(user.id(), user.name(), user.deviceId()), config.ttsEnabled(),
                new HeartbeatInfo(config.heartbeatInterval().toMillis(), config.heartbeatTimeout().toMillis()),
                capabilities(config));
    }

    /**
     * The capabilities a client offers in {@code hello}: {@code media.webrtc} unless media is disabled.
     *
     * @param config the client's configuration
     * @return the capabilities
     */
    static List<String> capabilities(AloAudioConfig config) {
        return config.mediaEnabled() ? CAPABILITIES : List.of();
    }
}
