package ai.alo.audio.impl.observe;

import ai.alo.audio.ConnectionState;
import ai.alo.audio.DisconnectReason;

/**
 * Receives a runtime's measurements as they happen, to forward them to a metrics system. Called on the thread that
 * measured (a socket I/O thread, the timer, a caller of {@code disconnect()}): must be quick and must not block.
 * Every method has a no-op default.
 */
public interface MetricsSink {

    /** A connect attempt started. */
    default void connectStarted() {
    }

    /**
     * A connect attempt reached {@code CONNECTED}.
     *
     * @param nanos how long it took
     */
    default void connected(long nanos) {
    }

    /**
     * A connection attempt ended.
     *
     * @param state  {@code DISCONNECTED} or {@code ERROR}
     * @param reason the reason
     */
    default void disconnected(ConnectionState state, DisconnectReason reason) {
    }

    /**
     * A {@code disconnect()} or {@code close()} call released its connection.
     *
     * @param nanos how long the call took
     */
    default void disconnectCall(long nanos) {
    }

    /**
     * A heartbeat round trip.
     *
     * @param nanos the round trip
     */
    default void heartbeatRoundTrip(long nanos) {
    }
}
