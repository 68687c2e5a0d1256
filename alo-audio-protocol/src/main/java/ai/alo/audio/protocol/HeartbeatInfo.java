package ai.alo.audio.protocol;

/**
 * Heartbeat parameters: the client pings every {@code intervalMs}; each side declares the link dead after
 * {@code timeoutMs} without receiving any message.
 *
 * @param intervalMs the ping interval in milliseconds
 * @param timeoutMs  the silence timeout in milliseconds
 */
public record HeartbeatInfo(long intervalMs, long timeoutMs) {

    /** Checks that both are positive and the timeout is longer than the interval. */
    public HeartbeatInfo {
        if (intervalMs <= 0 || timeoutMs <= intervalMs) {
            throw new IllegalArgumentException("heartbeat needs 0 < intervalMs < timeoutMs, was " + intervalMs
                    + "/" + timeoutMs);
        }
    }
}
