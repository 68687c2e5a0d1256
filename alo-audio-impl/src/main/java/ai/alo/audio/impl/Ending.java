package ai.alo.audio.impl;

import ai.alo.audio.AloAudioException;
import ai.alo.audio.AloConnectException;
import ai.alo.audio.DisconnectReason;
import ai.alo.audio.Initiator;
import ai.alo.audio.impl.media.MediaUnavailableException;
import ai.alo.audio.media.AudioDeviceException;
import ai.alo.audio.protocol.CloseCodes;

/**
 * How a connection attempt ends: what its {@link ai.alo.audio.event.DisconnectEvent} will say, and what the release
 * does with a socket that is still open.
 *
 * @param reason        the typed reason
 * @param initiator     who ended it
 * @param closeCode     the close code reported in the event (0 when no WebSocket was opened)
 * @param message       the readable message
 * @param cause         the underlying exception, or null
 * @param closeToSend   the close code to send if the socket is still open, or 0 to send nothing
 * @param sendLeave     whether to send {@code leave} before closing
 */
record Ending(DisconnectReason reason, Initiator initiator, int closeCode, String message, Throwable cause,
              int closeToSend, boolean sendLeave) {

    static Ending intentional(DisconnectReason reason, int code, boolean opened) {
        return new Ending(reason, Initiator.CLIENT, opened ? code : 0, "", null, code, true);
    }

    static Ending lost(Throwable cause) {
        return new Ending(DisconnectReason.CONNECTION_LOST, Initiator.NETWORK, CloseCodes.ABNORMAL,
                DisconnectReason.CONNECTION_LOST.defaultMessage(), cause, 0, false);
    }

    static Ending heartbeatTimeout() {
        return new Ending(DisconnectReason.HEARTBEAT_TIMEOUT, Initiator.NETWORK, CloseCodes.ABNORMAL,
                DisconnectReason.HEARTBEAT_TIMEOUT.defaultMessage(), null, CloseCodes.GOING_AWAY, false);
    }

    static Ending protocolError(String detail, int closeCode) {
        return new Ending(DisconnectReason.PROTOCOL_ERROR, Initiator.CLIENT, closeCode,
                "The audio service sent an invalid message: " + detail, null, closeCode, false);
    }

    static Ending connectFailed(String message, Throwable cause) {
        return new Ending(DisconnectReason.CONNECT_FAILED, Initiator.NETWORK, 0, message, cause, 0, false);
    }

    static Ending connectTimeout(String message, boolean opened) {
        return new Ending(DisconnectReason.CONNECT_TIMEOUT, Initiator.NETWORK,
                opened ? CloseCodes.GOING_AWAY : 0, message, null, CloseCodes.GOING_AWAY, false);
    }

    static Ending server(DisconnectReason reason, int closeCode, String message) {
        return new Ending(reason, Initiator.SERVER, closeCode, message, null, 0, false);
    }

    static Ending serverRefusal(DisconnectReason reason, String message) {
        return new Ending(reason, Initiator.SERVER, CloseCodes.NORMAL, message, null, CloseCodes.NORMAL, false);
    }

    static Ending unsupportedProtocol(String message) {
        // detected by this client: it closes with a protocol error, and says so
        return new Ending(DisconnectReason.UNSUPPORTED_PROTOCOL, Initiator.CLIENT, CloseCodes.PROTOCOL_ERROR, message,
                null, CloseCodes.PROTOCOL_ERROR, false);
    }

    static Ending noThread(Throwable cause) {
        return new Ending(DisconnectReason.INTERNAL_ERROR, Initiator.CLIENT, 0,
                DisconnectReason.INTERNAL_ERROR.defaultMessage() + ": no thread could be started (" + cause + ")",
                cause, CloseCodes.GOING_AWAY, false);
    }

    static Ending sendFailed(Throwable cause) {
        return new Ending(DisconnectReason.CONNECTION_LOST, Initiator.NETWORK, CloseCodes.ABNORMAL,
                DisconnectReason.CONNECTION_LOST.defaultMessage(), cause, 0, false);
    }

    /**
     * The media session could not be set up while connecting; the client closes the signalling connection (1001).
     *
     * @param detail what went wrong, readable, without secrets
     * @param cause  the exception, or null
     * @param opened whether the WebSocket is open (it always is once joined)
     */
    static Ending mediaFailed(String detail, Throwable cause, boolean opened) {
        return new Ending(DisconnectReason.MEDIA_FAILED, Initiator.NETWORK, opened ? CloseCodes.GOING_AWAY : 0,
                DisconnectReason.MEDIA_FAILED.defaultMessage() + ": " + detail, cause, CloseCodes.GOING_AWAY, false);
    }

    /**
     * The media session of a connected client was lost; the client closes the signalling connection (1001). The
     * event's message is the reason's own ("Lost the audio connection to the server"); the detail is in its cause.
     *
     * @param detail what happened, readable, without secrets
     */
    static Ending mediaLost(String detail) {
        return new Ending(DisconnectReason.MEDIA_LOST, Initiator.NETWORK, CloseCodes.GOING_AWAY,
                DisconnectReason.MEDIA_LOST.defaultMessage(), new AloAudioException(detail), CloseCodes.GOING_AWAY,
                false);
    }

    /**
     * The user auth token provider failed or returned no token: the attempt fails as {@code CONNECT_FAILED}. The
     * message names the exception's class only: its message might quote what the provider was given.
     *
     * @param cause the provider's exception, or null for a null or blank token
     */
    static Ending tokenUnavailable(Throwable cause) {
        String detail = cause == null ? "it returned no token" : "it threw " + cause.getClass().getName();
        return new Ending(DisconnectReason.CONNECT_FAILED, Initiator.CLIENT, 0,
                "Could not get a user auth token from the UserAuthTokenProvider: " + detail, cause, 0, false);
    }

    /**
     * Reconnecting gave up: the last event of a session whose outage the reconnect policy ended.
     *
     * @param last      how the last attempt (or the loss) ended
     * @param attempts  attempts made in the outage
     * @param sinceLoss milliseconds since the loss
     * @param cause     the policy's exception if it threw, else null (the last attempt's failure becomes the cause)
     */
    static Ending reconnectGaveUp(Ending last, int attempts, long sinceLoss, Throwable cause) {
        String message = DisconnectReason.RECONNECT_FAILED.defaultMessage() + " after " + attempts
                + (attempts == 1 ? " attempt" : " attempts") + " in " + sinceLoss + " ms; last: " + last.message();
        Throwable why = cause != null ? cause
                : new AloConnectException(last.message(), last.reason(), last.closeCode(), last.cause());
        return new Ending(DisconnectReason.RECONNECT_FAILED, Initiator.NETWORK, last.closeCode(), message, why, 0,
                false);
    }

    /**
     * Whether a session that ended this way may be reconnected: the reason is {@linkplain
     * DisconnectReason#isRetryable() retryable}, and a media failure is not one of this machine's (no native audio, a
     * configured device that does not exist), which no retry can mend.
     *
     * @return whether the reconnect policy is asked
     */
    boolean retryable() {
        if (!reason.isRetryable()) {
            return false;
        }
        return reason != DisconnectReason.MEDIA_FAILED
                || !(cause instanceof AudioDeviceException
                || cause instanceof MediaUnavailableException);
    }

    static Ending internal(Throwable cause) {
        return new Ending(DisconnectReason.INTERNAL_ERROR, Initiator.CLIENT, CloseCodes.INTERNAL_ERROR,
                DisconnectReason.INTERNAL_ERROR.defaultMessage() + ": " + cause, cause,
                CloseCodes.INTERNAL_ERROR, false);
    }
}
