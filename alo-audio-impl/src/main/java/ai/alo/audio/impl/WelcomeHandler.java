package ai.alo.audio.impl;

import ai.alo.audio.AudioChannel;
import ai.alo.audio.protocol.ChannelInfo;
import ai.alo.audio.protocol.CloseCodes;
import ai.alo.audio.protocol.HeartbeatInfo;
import ai.alo.audio.protocol.Join;
import ai.alo.audio.protocol.ProtocolVersion;
import ai.alo.audio.protocol.Welcome;
import java.util.List;

/**
 * {@code welcome}: the service accepted the token and the {@code hello}. Checks the protocol version it chose, starts
 * the heartbeat with the agreed values, and sends the {@code join}.
 */
final class WelcomeHandler implements MessageHandler<Welcome> {

    static final long MIN_HEARTBEAT_INTERVAL_MS = 20;
    static final long MAX_HEARTBEAT_TIMEOUT_MS = 120_000;

    @Override
    public Class<Welcome> type() {
        return Welcome.class;
    }

    @Override
    public void handle(ClientStateMachine client, Connection connection, Welcome welcome) {
        int version = welcome.protocol();
        if (version < ProtocolVersion.MIN || version > ProtocolVersion.MAX) {
            client.fail(connection, Ending.unsupportedProtocol("The audio service chose protocol version " + version
                    + "; this client speaks versions " + ProtocolVersion.MIN + " to " + ProtocolVersion.MAX));
            return;
        }
        long interval = Math.max(MIN_HEARTBEAT_INTERVAL_MS, welcome.heartbeat().intervalMs());
        long timeout = Math.min(MAX_HEARTBEAT_TIMEOUT_MS, Math.max(interval + 1, welcome.heartbeat().timeoutMs()));
        HeartbeatInfo agreed = new HeartbeatInfo(interval, timeout);
        boolean accepted = client.whileLive(connection, () -> {
            if (connection.phase != Connection.Phase.HELLO_SENT) {
                return false;
            }
            connection.sessionId = welcome.sessionId();
            connection.resumeSecret = welcome.resumeSecret();
            // resumed only if the service kept the very session this attempt named
            connection.resumed = welcome.resumed() && welcome.sessionId().equals(connection.resumeRequested);
            connection.protocol = version;
            List<String> offered = Handshake.capabilities(client.config());
            connection.capabilities = welcome.capabilities().stream().filter(offered::contains).toList();
            connection.joinRequestId = connection.requests.register("join");
            connection.phase = Connection.Phase.JOINING;
            return true;
        });
        if (!accepted) {
            client.fail(connection, Ending.protocolError("unexpected 'welcome' message", CloseCodes.PROTOCOL_ERROR));
            return;
        }
        connection.heartbeat.start(agreed);
        AudioChannel channel = connection.channel;
        connection.send(new Join(connection.joinRequestId,
                new ChannelInfo(channel.id(), channel.name(), channel.fullDuplex())));
    }
}
