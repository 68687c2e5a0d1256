package ai.alo.audio.impl;

import ai.alo.audio.AloAudioConfig;
import ai.alo.audio.AudioUser;
import ai.alo.audio.protocol.HeartbeatInfo;
import ai.alo.audio.protocol.Hello;
import ai.alo.audio.protocol.ProtocolVersion;
import ai.alo.audio.protocol.UserInfo;
import java.util.List;

/** What this client says about itself in {@code hello}: its versions, its capabilities, its user, its heartbeat. */
final class Handshake {

    /** The optional protocol features this client can use; none in version 2. */
    static final List<String> CAPABILITIES = List.of();

    private Handshake() {
    }

    static Hello hello(AloAudioConfig config) {
        AudioUser user = config.user();
        return new Hello(ProtocolVersion.MAX, ProtocolVersion.MIN, ClientStateMachine.CLIENT_SOFTWARE,
                new UserInfo(user.id(), user.name(), user.deviceId()), config.ttsEnabled(),
                new HeartbeatInfo(config.heartbeatInterval().toMillis(), config.heartbeatTimeout().toMillis()),
                CAPABILITIES);
    }
}
