package ai.alo.audio.event;

import ai.alo.audio.AudioChannel;
import ai.alo.audio.ConnectionState;
import java.time.Instant;
import java.util.Objects;

/**
 * The client's {@link ConnectionState} changed; the Java form of the ALO SDK's {@code onConnectionChange}. Emitted
 * once per transition, after the transition, in order.
 *
 * @param clientName    the client's name
 * @param previousState the state before the transition
 * @param state         the state after the transition
 * @param message       a readable description of the new state; empty when there is nothing to add. For
 *                      {@link ConnectionState#ERROR} it is the same message as the accompanying
 *                      {@link DisconnectEvent}'s.
 * @param channel       the channel of the connection attempt, or null when there is none (for example when a client
 *                      that never connected is closed)
 * @param timestamp     when the transition happened
 * @param retryCount    the reconnect attempts started so far in the current outage: in {@link
 *                      ConnectionState#RECONNECT_PENDING} the attempts already made (0 before the first), in the
 *                      states of a reconnect attempt ({@code CONNECTING}, {@code ACQUIRING_ACCESS}, {@code CONNECTED})
 *                      that attempt's number (from 1); 0 outside an outage. The ALO SDK's {@code retryCount}.
 * @param pendingRestartSeconds in {@link ConnectionState#RECONNECT_PENDING}: the whole seconds until the next attempt,
 *                      rounded up (0 when it starts at once); 0 in every other state. The ALO SDK's {@code
 *                      pendingRestartSeconds}.
 * @since 0.1
 */
public record ConnectionChangeEvent(String clientName, ConnectionState previousState, ConnectionState state,
                                    String message, AudioChannel channel, Instant timestamp, int retryCount,
                                    long pendingRestartSeconds)
        implements AloAudioEvent {

    /** The message of {@link ConnectionState#RECONNECT_PENDING}, word for word as in the ALO SDK. */
    public static final String RECONNECT_PENDING_MESSAGE = "Audio Server Reconnect Pending";

    /**
     * Validates the components; a null message becomes empty.
     *
     * @throws NullPointerException if a required component is null
     */
    public ConnectionChangeEvent {
        Objects.requireNonNull(clientName, "clientName");
        Objects.requireNonNull(previousState, "previousState");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(timestamp, "timestamp");
        message = message == null ? "" : message;
        if (retryCount < 0 || pendingRestartSeconds < 0) {
            throw new IllegalArgumentException("retryCount and pendingRestartSeconds must not be negative");
        }
    }

    /**
     * A transition outside a reconnect outage ({@code retryCount} and {@code pendingRestartSeconds} 0).
     *
     * @param clientName    the client's name
     * @param previousState the state before the transition
     * @param state         the state after the transition
     * @param message       a readable description of the new state
     * @param channel       the channel, or null
     * @param timestamp     when the transition happened
     */
    public ConnectionChangeEvent(String clientName, ConnectionState previousState, ConnectionState state,
                                 String message, AudioChannel channel, Instant timestamp) {
        this(clientName, previousState, state, message, channel, timestamp, 0, 0);
    }
}
