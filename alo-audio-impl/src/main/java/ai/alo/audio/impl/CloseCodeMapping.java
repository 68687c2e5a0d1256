package ai.alo.audio.impl;

import ai.alo.audio.DisconnectReason;
import ai.alo.audio.Initiator;
import ai.alo.audio.protocol.CloseCodes;
import ai.alo.audio.protocol.End;
import ai.alo.audio.protocol.MessageCodec;

/**
 * Turns a close the client did not ask for into an {@link Ending}: the close code (and the server's {@code end}
 * message, when one came first) decide the reason; the server's phrase makes the message specific.
 */
final class CloseCodeMapping {

    /** The phrase of Tyrus's local close when a frame does not fit its incoming buffer. */
    private static final String TYRUS_BUFFER_OVERFLOW = "Buffer overflow.";
    /** RFC 6455's "Try Again Later": the service is overloaded. */
    private static final int TRY_AGAIN_LATER = 1013;

    private CloseCodeMapping() {
    }

    static Ending fromClose(int code, String phrase, End end, int maxMessageSize) {
        String detail = printable(end != null && !end.message().isEmpty() ? end.message() : phrase);
        if (code == CloseCodes.TOO_BIG || (code == CloseCodes.INTERNAL_ERROR && TYRUS_BUFFER_OVERFLOW.equals(phrase))) {
            // Tyrus closes locally: 1009 for a message over the limit, 1011 "Buffer overflow." for a frame larger
            // than its read buffer. Either way this client refused an oversized message.
            return new Ending(DisconnectReason.PROTOCOL_ERROR, Initiator.CLIENT, CloseCodes.TOO_BIG,
                    "The audio service sent a message larger than the limit of " + maxMessageSize + " bytes", null,
                    0, false);
        }
        switch (code) {
            case CloseCodes.ABNORMAL:
                return Ending.lost(null);
            case CloseCodes.GOING_AWAY:
            case CloseCodes.SERVICE_RESTART:
                return server(DisconnectReason.SERVER_SHUTDOWN, code, detail);
            case TRY_AGAIN_LATER:
                // overloaded: retried like a restart, after the policy's wait
                return Ending.server(DisconnectReason.SERVER_SHUTDOWN, code, "The audio service asked to try again "
                        + "later (close code 1013" + (detail.isEmpty() ? "" : ": " + detail) + ")");
            case CloseCodes.PROTOCOL_ERROR:
            case 1003: // cannot accept
            case 1007: // invalid payload
                return Ending.server(DisconnectReason.PROTOCOL_ERROR, code,
                        "Signalling protocol error (close code " + code + (detail.isEmpty() ? "" : ": " + detail)
                                + ")");
            case CloseCodes.TOKEN_MISSING:
            case CloseCodes.TOKEN_INVALID:
                return server(DisconnectReason.TOKEN_REJECTED, code, detail);
            case CloseCodes.TOKEN_EXPIRED:
                return server(DisconnectReason.TOKEN_EXPIRED, code, detail);
            case CloseCodes.FORBIDDEN:
                return server(DisconnectReason.FORBIDDEN, code, detail);
            case CloseCodes.UNSUPPORTED_PROTOCOL:
                return server(DisconnectReason.UNSUPPORTED_PROTOCOL, code, detail);
            case CloseCodes.HELLO_TIMEOUT:
                return server(DisconnectReason.PROTOCOL_ERROR, code, detail);
            case CloseCodes.HEARTBEAT_TIMEOUT:
                return server(DisconnectReason.SERVER_HEARTBEAT_TIMEOUT, code, detail);
            case CloseCodes.KICKED:
                return server(DisconnectReason.KICKED, code, detail);
            case CloseCodes.DUPLICATE_SESSION:
                return server(DisconnectReason.DUPLICATE_SESSION, code, detail);
            default:
                if (end != null) {
                    return server(fromEnd(end), code, detail);
                }
                return Ending.server(DisconnectReason.SESSION_ENDED, code,
                        DisconnectReason.SESSION_ENDED.defaultMessage() + " (close code " + code
                                + (detail.isEmpty() ? "" : ": " + detail) + ")");
        }
    }

    /** The reason an {@code end} message names, for when its close frame never arrives. */
    static DisconnectReason fromEnd(End end) {
        switch (end.reason()) {
            case "kicked":
                return DisconnectReason.KICKED;
            case "replaced":
                return DisconnectReason.DUPLICATE_SESSION;
            case "shutdown":
                return DisconnectReason.SERVER_SHUTDOWN;
            default:
                return DisconnectReason.SESSION_ENDED;
        }
    }

    private static Ending server(DisconnectReason reason, int code, String detail) {
        String message = detail.isEmpty() ? reason.defaultMessage() : reason.defaultMessage() + ": " + detail;
        return Ending.server(reason, code, message);
    }

    /** Text from the server, made safe for a message: no control characters, bounded length. */
    static String printable(String text) {
        return MessageCodec.printable(text).strip();
    }
}
