package ai.alo.audio.server;

import ai.alo.audio.protocol.Capability;
import ai.alo.audio.protocol.HeartbeatInfo;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The protocol and connection settings of one server, fixed at build time (see the {@link AloAudioServer.Builder}
 * setters for their meaning and defaults).
 *
 * @param maxMessageSize           the largest message accepted, in UTF-8 bytes
 * @param helloTimeoutMs           how long a new session may take to send {@code hello}
 * @param minIntervalMs            the smallest heartbeat interval granted
 * @param maxIntervalMs            the largest heartbeat interval granted
 * @param minTimeoutMs             the smallest heartbeat timeout granted
 * @param maxTimeoutMs             the largest heartbeat timeout granted
 * @param serverName               the {@code server} member of {@code welcome}
 * @param capabilities             the capability names this server supports
 * @param rosterPageBytes          the largest {@code roster} message, in UTF-8 bytes
 * @param sendQueueLimit           the most bytes queued for one session before it is ended
 * @param maxConnections           the most WebSocket connections at once
 * @param maxConnectionsPerAddress the most WebSocket connections from one IP address at once
 * @param upgradeTimeoutMs         how long a TCP connection may take to complete its WebSocket upgrade
 * @param sessionResume            whether capability {@code session.resume} is supported
 * @param resumeWindowMs           how long a session that ended without a goodbye stays resumable
 * @param resumeRecordLimit        the most resumable sessions kept at once (the oldest is forgotten first)
 */
record ServerSettings(int maxMessageSize, long helloTimeoutMs, long minIntervalMs, long maxIntervalMs,
                      long minTimeoutMs, long maxTimeoutMs, String serverName, Set<String> capabilities,
                      int rosterPageBytes, int sendQueueLimit, int maxConnections, int maxConnectionsPerAddress,
                      long upgradeTimeoutMs, boolean sessionResume, long resumeWindowMs, int resumeRecordLimit) {

    /** Copies the capabilities. */
    ServerSettings {
        capabilities = Set.copyOf(capabilities);
    }

    /**
     * Clamps a requested heartbeat to the limits, keeping the timeout above the interval.
     *
     * @param requested the client's request
     * @return the heartbeat both sides use
     */
    HeartbeatInfo clamp(HeartbeatInfo requested) {
        long interval = Math.min(maxIntervalMs, Math.max(minIntervalMs, requested.intervalMs()));
        long timeout = Math.min(maxTimeoutMs, Math.max(minTimeoutMs, requested.timeoutMs()));
        if (timeout <= interval) {
            timeout = Math.min(maxTimeoutMs, Math.max(minTimeoutMs, interval * 2));
        }
        return new HeartbeatInfo(interval, timeout);
    }

    /**
     * The capabilities enabled on a session: the client's names that this server supports, in the client's order,
     * without repeats. Names the server does not know are ignored. {@code media.webrtc} is supported exactly when the
     * media relay is available, {@code session.resume} exactly when {@link #sessionResume} is on (whatever
     * {@link #capabilities} says).
     *
     * @param offered the {@code hello}'s capabilities
     * @param media   whether the media relay is available
     * @return the {@code welcome}'s capabilities
     */
    List<String> enabledCapabilities(List<String> offered, boolean media) {
        if (offered.isEmpty()) {
            return List.of();
        }
        Set<String> enabled = new LinkedHashSet<>();
        for (String name : offered) {
            boolean supported = Capability.MEDIA_WEBRTC.equals(name) ? media
                    : Capability.SESSION_RESUME.equals(name) ? sessionResume : capabilities.contains(name);
            if (supported) {
                enabled.add(name);
            }
        }
        return List.copyOf(new ArrayList<>(enabled));
    }
}
