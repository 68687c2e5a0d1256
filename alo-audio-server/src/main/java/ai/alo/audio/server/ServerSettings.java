package ai.alo.audio.server;

import ai.alo.audio.protocol.HeartbeatInfo;

/**
 * The protocol settings of one server, fixed at build time.
 *
 * @param maxMessageSize the largest text message accepted, in UTF-8 bytes
 * @param helloTimeoutMs how long a new session may take to send {@code hello}
 * @param minIntervalMs  the smallest heartbeat interval granted
 * @param maxIntervalMs  the largest heartbeat interval granted
 * @param minTimeoutMs   the smallest heartbeat timeout granted
 * @param maxTimeoutMs   the largest heartbeat timeout granted
 * @param serverName     the {@code server} member of {@code welcome}
 */
record ServerSettings(int maxMessageSize, long helloTimeoutMs, long minIntervalMs, long maxIntervalMs,
                      long minTimeoutMs, long maxTimeoutMs, String serverName) {

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
}
