package ai.alo.audio.server;

import ai.alo.audio.protocol.HeartbeatInfo;
import java.time.Instant;
import java.util.Objects;

/**
 * An immutable snapshot of one WebSocket session on an {@link AloAudioServer}, as returned by
 * {@link AloAudioServer#sessions()} and passed to {@link ServerListener}s. Later changes to the session are not
 * reflected; take a new snapshot.
 *
 * @param sessionId    the server's session id (sent in {@code welcome}); assigned when the socket opens
 * @param userId       the token's {@code user.id}; empty for a connection rejected at the token check
 * @param deviceId     the {@code hello}'s {@code user.deviceId}; empty before {@code hello} or when not sent
 * @param name         the {@code hello}'s {@code user.name}; empty before {@code hello}
 * @param phase        where the session is in its lifecycle
 * @param channelId    the channel the session is in, or empty
 * @param connectionId the session's connection id in that channel, or empty
 * @param heartbeat    the heartbeat agreed in {@code welcome}, or null before it
 * @param relayId      the fault-injection relay's connection number, or -1 without the relay
 * @param openedAt     when the WebSocket opened
 */
public record SessionInfo(String sessionId, String userId, String deviceId, String name, Phase phase,
                          String channelId, String connectionId, HeartbeatInfo heartbeat, long relayId,
                          Instant openedAt) {

    /** The lifecycle of a session: {@code AWAITING_HELLO -> ACTIVE -> CLOSED}, or straight to {@code CLOSED}. */
    public enum Phase {
        /** The token was accepted; the server waits for {@code hello}. */
        AWAITING_HELLO,
        /** {@code welcome} was sent; the session may join channels. */
        ACTIVE,
        /** The WebSocket is closed (or was rejected at the token check); terminal. */
        CLOSED
    }

    /**
     * Checks the components; null text becomes empty.
     *
     * @param sessionId    the server's session id
     * @param userId       the token's {@code user.id}
     * @param deviceId     the {@code hello}'s device id
     * @param name         the {@code hello}'s user name
     * @param phase        the lifecycle phase
     * @param channelId    the channel, or empty
     * @param connectionId the connection id in the channel, or empty
     * @param heartbeat    the agreed heartbeat, or null
     * @param relayId      the relay connection number, or -1
     * @param openedAt     when the WebSocket opened
     */
    public SessionInfo {
        Objects.requireNonNull(sessionId, "sessionId");
        Objects.requireNonNull(phase, "phase");
        Objects.requireNonNull(openedAt, "openedAt");
        userId = userId == null ? "" : userId;
        deviceId = deviceId == null ? "" : deviceId;
        name = name == null ? "" : name;
        channelId = channelId == null ? "" : channelId;
        connectionId = connectionId == null ? "" : connectionId;
    }

    /**
     * Whether the session is in a channel.
     *
     * @return {@code true} when {@link #channelId()} is not empty
     */
    public boolean inChannel() {
        return !channelId.isEmpty();
    }
}
