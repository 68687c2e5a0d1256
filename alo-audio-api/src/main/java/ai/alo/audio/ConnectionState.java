package ai.alo.audio;

/**
 * The connection state of an {@link AloAudio} client; the Java form of the ALO SDK's {@code CONNECTION_STATUS_*}
 * constants.
 *
 * <p>One state machine per client owns this value. The transitions are:
 * <pre>
 * NOT_CONNECTED ─connect()─▶ CONNECTING ─socket open─▶ ACQUIRING_ACCESS ─channel joined─▶ CONNECTED
 *                              │                           │                                │
 *                              ├── disconnect() ───────────┴─────────▶ DISCONNECTING ◀──────┤
 *                              │                                            │               │
 *                              │                                            ▼               │
 *                              │                                       DISCONNECTED         │ lost
 *                              └── failure (refused, timeout, rejected) ─▶ ERROR ◀──────────┘
 *                                                                           │ ▲
 *                          will reconnect (reconnect policy, retryable cause) │ │ gave up, or terminal cause
 *                                                                           ▼ │
 *            CONNECTING ◀─next attempt─ RECONNECT_PENDING ◀─attempt failed─ CONNECTING, ACQUIRING_ACCESS
 *                                        │  (again once a second)
 *                                        └── disconnect() ─▶ DISCONNECTED
 *
 * DISCONNECTED, ERROR ─connect()─▶ CONNECTING            ERROR ─disconnect()─▶ DISCONNECTED
 * any state ─close()─▶ CLOSED (terminal)
 * </pre>
 * Every transition is reported as a {@link ai.alo.audio.event.ConnectionChangeEvent}; {@code RECONNECT_PENDING} is
 * also reported again once a second while it lasts (with {@code previousState} {@code RECONNECT_PENDING}). Every loss
 * of a connection and the end of every session is reported by exactly one {@link ai.alo.audio.event.DisconnectEvent}
 * (see {@code docs/reconnect.md} for the sequences).
 *
 * @since 0.1
 */
public enum ConnectionState {

    /** The client was never asked to connect. The initial state. */
    NOT_CONNECTED,

    /** {@link AloAudio#connect(AudioChannel)} was called; the WebSocket to the audio service is being opened. */
    CONNECTING,

    /** The WebSocket is open; the audio service is checking the user auth token and the channel is being joined. */
    ACQUIRING_ACCESS,

    /** Joined to the channel: the other participants see this user. */
    CONNECTED,

    /** {@link AloAudio#disconnect()} is leaving the channel and closing the connection. Transient. */
    DISCONNECTING,

    /** Disconnected on purpose, by {@link AloAudio#disconnect()}. {@code connect()} may be called again. */
    DISCONNECTED,

    /**
     * The connection failed or was lost (the server was unreachable or killed, the network went silent, the token
     * was rejected, the server ended the session). If the loss will be retried (the {@link
     * ai.alo.audio.event.DisconnectEvent#willReconnect()} of its event is {@code true}), {@link #RECONNECT_PENDING}
     * follows at once; otherwise the session has ended and {@code connect()} may be called again.
     */
    ERROR,

    /**
     * The connection was lost and the client waits for its next automatic reconnect attempt. The ALO SDK's {@code
     * CONNECTION_STATUS_RECONNECT_PENDING}: reported when the wait begins and then once a second, each time with the
     * attempts made so far ({@link ai.alo.audio.event.ConnectionChangeEvent#retryCount() retryCount}) and the seconds
     * until the next one ({@link ai.alo.audio.event.ConnectionChangeEvent#pendingRestartSeconds()
     * pendingRestartSeconds}). Always followed by {@link #CONNECTING} (the next attempt), by {@link #DISCONNECTED}
     * ({@code disconnect()}) or by {@link #CLOSED} ({@code close()}).
     *
     * @since 0.3
     */
    RECONNECT_PENDING,

    /** {@link AloAudio#close()} released the client. Terminal: every further {@code connect()} fails. */
    CLOSED;

    /**
     * Whether the client is in a session that has not ended: {@link #isActive() active} or {@link
     * #RECONNECT_PENDING}.
     *
     * @return {@code true} in those four states
     * @since 0.3
     */
    public boolean isInSession() {
        return isActive() || this == RECONNECT_PENDING;
    }

    /**
     * Whether a connection attempt is under way or established: {@link #CONNECTING}, {@link #ACQUIRING_ACCESS} or
     * {@link #CONNECTED}.
     *
     * @return {@code true} in those three states
     */
    public boolean isActive() {
        return this == CONNECTING || this == ACQUIRING_ACCESS || this == CONNECTED;
    }
}
