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
 *                              │                                       DISCONNECTED         │
 *                              └── failure (refused, timeout, rejected) ─▶ ERROR ◀── lost ──┘
 *
 * DISCONNECTED, ERROR ─connect()─▶ CONNECTING            ERROR ─disconnect()─▶ DISCONNECTED
 * any state ─close()─▶ CLOSED (terminal)
 * </pre>
 * Every transition is reported as a {@link ai.alo.audio.event.ConnectionChangeEvent}; the end of every connection
 * attempt additionally as exactly one {@link ai.alo.audio.event.DisconnectEvent}.
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
     * was rejected, the server ended the session). {@code connect()} may be called again.
     */
    ERROR,

    /** {@link AloAudio#close()} released the client. Terminal: every further {@code connect()} fails. */
    CLOSED;

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
