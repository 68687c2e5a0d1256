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
 * @since 0.1
 */
public record ConnectionChangeEvent(String clientName, ConnectionState previousState, ConnectionState state,
                                    String message, AudioChannel channel, Instant timestamp)
        implements AloAudioEvent {

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
    }
}
