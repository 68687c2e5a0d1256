package ai.alo.audio.protocol;

/**
 * The WebSocket close codes of the signalling protocol (see {@code docs/protocol.md}). 1000-1015 are RFC 6455's;
 * 4000-4999 are this protocol's application reasons.
 */
public final class CloseCodes {

    /** The client left on purpose ({@code disconnect()}). */
    public static final int NORMAL = 1000;
    /** The endpoint is going away: client shutdown or server shutdown. */
    public static final int GOING_AWAY = 1001;
    /** Malformed JSON, a message of the wrong shape, or a message out of order. */
    public static final int PROTOCOL_ERROR = 1002;
    /** Never sent: the connection ended without a close frame. */
    public static final int ABNORMAL = 1006;
    /** A message larger than the receiver's limit. */
    public static final int TOO_BIG = 1009;
    /** The server hit an unexpected condition. */
    public static final int INTERNAL_ERROR = 1011;
    /** The server is restarting. */
    public static final int SERVICE_RESTART = 1012;

    /** No user auth token in the handshake's {@code Authorization} header. */
    public static final int TOKEN_MISSING = 4001;
    /** The token is malformed, tampered with, not HS256, or lacks the {@code user.id} claim. */
    public static final int TOKEN_INVALID = 4002;
    /** The token has expired. */
    public static final int TOKEN_EXPIRED = 4003;
    /** The token does not allow this session (the hello's user id differs from the token's). */
    public static final int FORBIDDEN = 4004;
    /** The client's protocol version is not supported. */
    public static final int UNSUPPORTED_PROTOCOL = 4005;
    /** No {@code hello} arrived in time after the socket opened. */
    public static final int HELLO_TIMEOUT = 4006;
    /** The server heard nothing from the client within the heartbeat timeout. */
    public static final int HEARTBEAT_TIMEOUT = 4008;
    /** The user was removed from the channel. */
    public static final int KICKED = 4009;
    /** A newer session of the same user and device replaced this one. */
    public static final int DUPLICATE_SESSION = 4010;
    /** The server ended the session for another reason, given in the {@code end} message. */
    public static final int SESSION_ENDED = 4011;

    private CloseCodes() {
    }
}
