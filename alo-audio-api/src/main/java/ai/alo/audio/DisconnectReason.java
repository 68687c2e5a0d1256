package ai.alo.audio;

/**
 * Why a connection ended: the typed reason of a {@link ai.alo.audio.event.DisconnectEvent} and of an
 * {@link AloConnectException}.
 *
 * <p>Every reason has a default human-readable {@linkplain #defaultMessage() message}; the event's message may be
 * more specific (it names the server, the timeout or the server's own words). Only {@link #CLIENT_INITIATED} and
 * {@link #CLIENT_SHUTDOWN} are intentional; they end in {@link ConnectionState#DISCONNECTED}, every other reason in
 * {@link ConnectionState#ERROR}.
 *
 * <p>New constants may be added in later versions; code that switches over this type should have a default branch.
 *
 * @since 0.1
 */
public enum DisconnectReason {

    /** {@link AloAudio#disconnect()} was called (WebSocket close code 1000). */
    CLIENT_INITIATED(Initiator.CLIENT, ""),

    /** {@link AloAudio#close()} was called, for example because the CDI bean was destroyed at application shutdown
     * or undeploy (WebSocket close code 1001). */
    CLIENT_SHUTDOWN(Initiator.CLIENT, ""),

    /** The connection dropped without a close frame: the server process died or the socket was reset. */
    CONNECTION_LOST(Initiator.NETWORK, "Lost connection to the server"),

    /** Nothing arrived from the server within the heartbeat timeout: a silent network loss. */
    HEARTBEAT_TIMEOUT(Initiator.NETWORK, "Lost connection to the server"),

    /** The server could not be reached (refused, unknown host, handshake failed). The connection never opened. */
    CONNECT_FAILED(Initiator.NETWORK, "Could not connect to the audio service"),

    /** The connection was not established (channel joined) within the connect timeout. */
    CONNECT_TIMEOUT(Initiator.NETWORK, "Timed out connecting to the audio service"),

    /** The audio service rejected the user auth token: missing, malformed, tampered with, or not HS256-signed. */
    TOKEN_REJECTED(Initiator.SERVER, "The audio service rejected the user auth token"),

    /** The audio service rejected the user auth token because it has expired. */
    TOKEN_EXPIRED(Initiator.SERVER, "The user auth token has expired"),

    /** The token is valid but does not allow this session (for example, it was issued for another user id). */
    FORBIDDEN(Initiator.SERVER, "The user auth token does not allow this session"),

    /** The audio service refused to join the channel. */
    JOIN_REJECTED(Initiator.SERVER, "The audio service refused to join the channel"),

    /** The audio service removed this user from the channel. */
    KICKED(Initiator.SERVER, "Removed from the channel by the audio service"),

    /** Another session of the same user and device replaced this one. */
    DUPLICATE_SESSION(Initiator.SERVER, "Another session of this user and device replaced this one"),

    /** The audio service is shutting down or restarting (WebSocket close code 1001 or 1012 from the server). */
    SERVER_SHUTDOWN(Initiator.SERVER, "The audio service is shutting down"),

    /** The audio service ended the session for another reason, or closed it with a code this client does not know. */
    SESSION_ENDED(Initiator.SERVER, "The audio service ended the session"),

    /** The audio service stopped hearing this client's heartbeats and dropped the session. */
    SERVER_HEARTBEAT_TIMEOUT(Initiator.SERVER, "The audio service stopped hearing this client"),

    /** The audio service does not speak this client's protocol version. */
    UNSUPPORTED_PROTOCOL(Initiator.SERVER, "The audio service does not support this client's protocol version"),

    /** One side broke the signalling protocol: a malformed or oversized message. The initiator says which side
     * detected it. */
    PROTOCOL_ERROR(Initiator.CLIENT, "Signalling protocol error"),

    /** An unexpected failure inside this client. The event's cause carries the exception. */
    INTERNAL_ERROR(Initiator.CLIENT, "Internal error in the audio client"),

    /** The audio (WebRTC) session could not be set up while connecting: native media is not available on this
     * machine (the message names what is missing and how to install it), the audio service does not offer media, it
     * refused the offer, or ICE and DTLS did not connect. Signalling-only clients ({@code mediaEnabled(false)}) never
     * see it.
     *
     * @since 0.2 */
    MEDIA_FAILED(Initiator.NETWORK, "Could not set up audio with the audio service"),

    /** The audio (WebRTC) session of a connected client was lost: ICE or DTLS failed, or the audio service reported
     * that it lost the session. The client leaves and closes the signalling connection, since it can no longer
     * hear or speak.
     *
     * @since 0.2 */
    MEDIA_LOST(Initiator.NETWORK, "Lost the audio connection to the server"),

    /** The connection was lost and automatic reconnecting gave up: the {@linkplain ai.alo.audio.spi.ReconnectPolicy
     * reconnect policy}'s budget was spent. The event's message says how many attempts were made over how long and
     * why the last one failed; its cause is that failure.
     *
     * @since 0.3 */
    RECONNECT_FAILED(Initiator.NETWORK, "Gave up reconnecting to the audio service");

    private final Initiator defaultInitiator;
    private final String defaultMessage;

    DisconnectReason(Initiator defaultInitiator, String defaultMessage) {
        this.defaultInitiator = defaultInitiator;
        this.defaultMessage = defaultMessage;
    }

    /**
     * Whether this reason is an intentional disconnect by the application.
     *
     * @return {@code true} for {@link #CLIENT_INITIATED} and {@link #CLIENT_SHUTDOWN}
     */
    public boolean isIntentional() {
        return this == CLIENT_INITIATED || this == CLIENT_SHUTDOWN;
    }

    /**
     * Whether a connection lost for this reason is reconnected automatically (when the reconnect policy allows):
     * {@code true} for causes that may pass ({@link #CONNECTION_LOST}, {@link #HEARTBEAT_TIMEOUT}, {@link
     * #CONNECT_FAILED}, {@link #CONNECT_TIMEOUT}, {@link #SERVER_SHUTDOWN} (close codes 1001, 1012 and 1013), {@link
     * #SERVER_HEARTBEAT_TIMEOUT}, {@link #SESSION_ENDED}, {@link #MEDIA_FAILED} when the network failed, {@link
     * #MEDIA_LOST}); {@code false} for terminal ones: the intentional reasons, a rejected or expired token ({@link
     * #TOKEN_EXPIRED} is first retried once with a fresh token when a {@link UserAuthTokenProvider} is configured),
     * {@link #FORBIDDEN}, {@link #JOIN_REJECTED}, {@link #KICKED}, {@link #DUPLICATE_SESSION}, {@link
     * #PROTOCOL_ERROR}, {@link #UNSUPPORTED_PROTOCOL}, {@link #INTERNAL_ERROR} and {@link #RECONNECT_FAILED} itself.
     * {@code MEDIA_FAILED} because native audio is not installed on this machine is terminal too.
     *
     * @return whether this reason may be retried
     * @since 0.3
     */
    public boolean isRetryable() {
        switch (this) {
            case CONNECTION_LOST:
            case HEARTBEAT_TIMEOUT:
            case CONNECT_FAILED:
            case CONNECT_TIMEOUT:
            case SERVER_SHUTDOWN:
            case SERVER_HEARTBEAT_TIMEOUT:
            case SESSION_ENDED:
            case MEDIA_FAILED:
            case MEDIA_LOST:
                return true;
            default:
                return false;
        }
    }

    /**
     * The connection state a connection that ended for this reason is left in.
     *
     * @return {@link ConnectionState#DISCONNECTED} for intentional reasons, else {@link ConnectionState#ERROR}
     */
    public ConnectionState resultingState() {
        return isIntentional() ? ConnectionState.DISCONNECTED : ConnectionState.ERROR;
    }

    /**
     * The party that usually ends a connection for this reason.
     *
     * @return the initiator; never null
     */
    public Initiator defaultInitiator() {
        return defaultInitiator;
    }

    /**
     * The readable message used when no more specific one is known: empty for intentional reasons, {@code "Lost
     * connection to the server"} for {@link #CONNECTION_LOST} and {@link #HEARTBEAT_TIMEOUT}.
     *
     * @return the message; never null
     */
    public String defaultMessage() {
        return defaultMessage;
    }
}
