package ai.alo.audio.server;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * An immutable snapshot of one WebSocket session on an {@link AloAudioServer}, as returned by
 * {@link AloAudioServer#sessions()} and passed to {@link ServerListener}s. Later changes to the session are not
 * reflected; take a new snapshot. Only the server constructs it.
 *
 * @param sessionId         the server's session id (sent in {@code welcome}); assigned when the socket opens
 * @param userId            the token's {@code user.id}; empty for a connection rejected at the token check
 * @param deviceId          the {@code hello}'s {@code user.deviceId}; empty before {@code hello} or when not sent
 * @param name              the {@code hello}'s {@code user.name} as the others see it (capped, see
 *                          {@link ChannelMember#name()}); empty before {@code hello}
 * @param phase             where the session is in its lifecycle
 * @param channelId         the channel the session is in, or empty
 * @param connectionId      the session's connection id in that channel, or empty
 * @param protocol          the protocol version agreed in {@code welcome}, or 0 before it
 * @param heartbeatInterval the ping interval agreed in {@code welcome}, or null before it
 * @param heartbeatTimeout  the silence timeout agreed in {@code welcome}, or null before it
 * @param capabilities      the capabilities enabled in {@code welcome} (empty before it)
 * @param remoteAddress     the client's IP address as the connection caps count it (behind the fault-injection relay,
 *                          the address of the relay's client), or empty when unknown
 * @param relayId           the fault-injection relay's connection number, or -1 without the relay
 * @param openedAt          when the WebSocket opened
 */
public record SessionInfo(String sessionId, String userId, String deviceId, String name, Phase phase,
                          String channelId, String connectionId, int protocol, Duration heartbeatInterval,
                          Duration heartbeatTimeout, List<String> capabilities, String remoteAddress, long relayId,
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
     * Checks the components; null text becomes empty, a null list empty.
     *
     * @param sessionId         the server's session id
     * @param userId            the token's {@code user.id}
     * @param deviceId          the {@code hello}'s device id
     * @param name              the capped display name
     * @param phase             the lifecycle phase
     * @param channelId         the channel, or empty
     * @param connectionId      the connection id in the channel, or empty
     * @param protocol          the agreed protocol version, or 0
     * @param heartbeatInterval the agreed ping interval, or null
     * @param heartbeatTimeout  the agreed silence timeout, or null
     * @param capabilities      the enabled capabilities
     * @param remoteAddress     the client's address, or empty
     * @param relayId           the relay connection number, or -1
     * @param openedAt          when the WebSocket opened
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
        capabilities = capabilities == null ? List.of() : List.copyOf(capabilities);
        remoteAddress = remoteAddress == null ? "" : remoteAddress;
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
