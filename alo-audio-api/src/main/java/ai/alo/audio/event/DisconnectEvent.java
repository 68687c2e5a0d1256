package ai.alo.audio.event;

import ai.alo.audio.AudioChannel;
import ai.alo.audio.AudioUser;
import ai.alo.audio.ConnectionState;
import ai.alo.audio.DisconnectReason;
import ai.alo.audio.Initiator;
import java.time.Instant;
import java.util.Objects;

/**
 * A connection was lost or a session ended; the Java form of the ALO SDK's {@code onDisconnect}.
 *
 * <h2>Exactly once</h2>
 * <p>A <em>session</em> runs from {@link ai.alo.audio.AloAudio#connect(AudioChannel) connect} until {@code
 * disconnect()}, {@code close()}, a terminal cause, or automatic reconnecting giving up; it may span several
 * connection attempts. The promise to observers:
 * <ul>
 *   <li>every loss of an established connection is reported by exactly one {@code DisconnectEvent}; if the client
 *       will reconnect on its own, {@link #willReconnect()} is {@code true} and {@code RECONNECT_PENDING} follows;</li>
 *   <li>every session ends with exactly one {@code DisconnectEvent} whose {@link #willReconnect()} is {@code false}:
 *       after {@code disconnect()} or {@code close()} (also while connecting or waiting to reconnect), a terminal
 *       cause, a reconnect that gave up ({@link DisconnectReason#RECONNECT_FAILED}), or a first connect that failed.
 *       Nothing of that session is delivered after it;</li>
 *   <li>reconnect attempts that fail are not {@code DisconnectEvent}s: they show as {@code RECONNECT_PENDING}
 *       connection changes, whose message says why the attempt failed;</li>
 *   <li>{@code disconnect()} on a client that is not in a session emits nothing.</li>
 * </ul>
 *
 * <p>As in the ALO SDK:
 * <ul>
 *   <li>after {@code disconnect()}: {@code state} is {@link ConnectionState#DISCONNECTED} and {@code message} is
 *       empty;</li>
 *   <li>when the connection is lost unexpectedly: {@code state} is {@link ConnectionState#ERROR} and {@code message}
 *       is {@code "Lost connection to the server"};</li>
 *   <li>for other causes: {@code state} is {@code ERROR} and {@code message} is a specific readable text (a rejected
 *       token, a server that ended the session, an unreachable server, ...).</li>
 * </ul>
 * Branch on the typed {@link #reason()}, not on the message text.
 *
 * @param clientName    the client's name
 * @param state         {@link ConnectionState#DISCONNECTED} or {@link ConnectionState#ERROR}
 * @param message       empty for an intentional disconnect, else a readable text; never contains the token
 * @param reason        why the connection ended
 * @param initiator     which party ended it
 * @param closeCode     the WebSocket close code: the code this client sent when it closed (1000, 1001, 1002), the
 *                      code the server sent (1001, 4xxx), 1006 when the connection ended without a close frame
 *                      (killed server, reset socket, heartbeat timeout), or 0 when no WebSocket was ever opened
 * @param channel       the channel of the session
 * @param user          the user of the client
 * @param sessionId     the session id the audio service gave this connection, or null when it ended before the
 *                      service's welcome
 * @param wasConnected  whether the connection attempt this event ends had reached {@link ConnectionState#CONNECTED};
 *                      {@code false} means the connect (or the reconnect attempt, or the wait for it) failed or was
 *                      cancelled
 * @param willReconnect whether the client will try to reconnect on its own: {@code true} for a loss that the
 *                      reconnect policy retries, {@code false} for the last event of a session
 * @param cause         the underlying exception, or null
 * @param timestamp     when the connection ended
 * @since 0.1
 */
public record DisconnectEvent(String clientName, ConnectionState state, String message, DisconnectReason reason,
                              Initiator initiator, int closeCode, AudioChannel channel, AudioUser user,
                              String sessionId, boolean wasConnected, boolean willReconnect, Throwable cause,
                              Instant timestamp)
        implements AloAudioEvent {

    /** The message of an unexpected loss, word for word as in the ALO SDK. */
    public static final String LOST_CONNECTION_MESSAGE = "Lost connection to the server";

    /**
     * Validates the components; a null message becomes empty.
     *
     * @throws NullPointerException     if a required component is null
     * @throws IllegalArgumentException if {@code state} is not {@code DISCONNECTED} or {@code ERROR}
     */
    public DisconnectEvent {
        Objects.requireNonNull(clientName, "clientName");
        Objects.requireNonNull(state, "state");
        if (state != ConnectionState.DISCONNECTED && state != ConnectionState.ERROR) {
            throw new IllegalArgumentException("DisconnectEvent state must be DISCONNECTED or ERROR, was " + state);
        }
        message = message == null ? "" : message;
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(initiator, "initiator");
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(timestamp, "timestamp");
    }

    /**
     * Whether the application ended the connection on purpose ({@code disconnect()} or {@code close()}).
     *
     * @return {@code true} when {@link #state()} is {@link ConnectionState#DISCONNECTED}
     */
    public boolean isIntentional() {
        return state == ConnectionState.DISCONNECTED;
    }
}
