package ai.alo.audio.event;

import ai.alo.audio.AudioChannel;
import ai.alo.audio.AudioUser;
import ai.alo.audio.ConnectionState;
import ai.alo.audio.DisconnectReason;
import ai.alo.audio.Initiator;
import java.time.Instant;
import java.util.Objects;

/**
 * A connection attempt ended; the Java form of the ALO SDK's {@code onDisconnect}.
 *
 * <p><b>Exactly once</b> per connection attempt: every {@link ai.alo.audio.AloAudio#connect(AudioChannel) connect}
 * that started an attempt is ended by one and only one {@code DisconnectEvent}, on every path: {@code disconnect()}
 * (also while still connecting), {@code close()}, a lost connection, a silent network, a server that ends the
 * session or rejects the token, and a connect that fails. Never two, never none. {@code disconnect()} on a client
 * that is not connected emits nothing.
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
 * @param channel       the channel of the attempt
 * @param user          the user of the client
 * @param sessionId     the session id the audio service gave this connection, or null when it ended before the
 *                      service's welcome
 * @param wasConnected  whether the attempt had reached {@link ConnectionState#CONNECTED}; {@code false} means the
 *                      connect itself failed or was cancelled
 * @param willReconnect whether the client will try to reconnect on its own; always {@code false} in this version
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
