package ai.alo.audio.server;

/**
 * Observes an {@link AloAudioServer}, mostly for tests ("the server received {@code leave} and then close 1000", "the
 * others were told at once"). Every method has a no-op default; implement what you need.
 *
 * <h2>Order and threads</h2>
 * <p>Callbacks run on the thread that caused the event: a Grizzly worker thread for anything a client sent or a socket
 * that closed, the server's single scheduler thread for hello and heartbeat timeouts and for sessions ended because a
 * send to them failed, or the caller's thread for
 * {@link AloAudioServer#endSession}, {@link AloAudioServer#stop()} and {@link AloAudioServer#kill()}. They never run
 * while the server holds a lock, so a callback may call back into the server (for example
 * {@link AloAudioServer#sessions()}). Callbacks about one session arrive in order; callbacks about different sessions
 * may interleave. Broadcasts to other participants are queued before the matching callback runs, so when
 * {@link #onParticipantLeft} runs the {@code participant.left} messages are already on their way.
 *
 * <p>Callbacks must be quick and must not block; an exception thrown by a callback is logged and ignored.
 */
public interface ServerListener {

    /**
     * A WebSocket opened and its token was accepted; the session now waits for {@code hello}. Not called for a
     * connection rejected at the token check (only {@link #onSessionClosed} is).
     *
     * @param session the session, phase {@link SessionInfo.Phase#AWAITING_HELLO}
     */
    default void onSessionOpened(SessionInfo session) {
    }

    /**
     * The server answered {@code hello} with {@code welcome}.
     *
     * @param session the session, phase {@link SessionInfo.Phase#ACTIVE}
     */
    default void onSessionWelcomed(SessionInfo session) {
    }

    /**
     * A text message with a string {@code type} arrived (known or unknown type), before the server acts on it.
     * Messages that are not JSON objects with a string {@code type} are not reported (the session is closed with
     * 1002 instead).
     *
     * @param session the session as it was when the message arrived
     * @param type    the message's {@code type}
     */
    default void onMessage(SessionInfo session, String type) {
    }

    /**
     * A participant joined a channel; the other participants' {@code participant.joined} messages are queued.
     *
     * @param channelId the channel
     * @param member    the new participant
     */
    default void onParticipantJoined(String channelId, ChannelMember member) {
    }

    /**
     * A participant left a channel; the other participants' {@code participant.left} messages are queued.
     *
     * @param channelId the channel
     * @param member    the participant that left
     * @param reason    {@code "left"}, {@code "closed"}, {@code "lost"}, {@code "kicked"}, {@code "replaced"} or
     *                  {@code "shutdown"}
     */
    default void onParticipantLeft(String channelId, ChannelMember member, String reason) {
    }

    /**
     * Terminal for a session: its WebSocket closed, for whatever reason and whoever closed it. For a close the server
     * initiated, this is the code the server sent (the peer may never see it, for example behind a frozen relay); for
     * a close frame from the peer, the peer's code; for a connection that ended without a close frame, 1006.
     *
     * @param session      the session, phase {@link SessionInfo.Phase#CLOSED}
     * @param closeCode    the close code
     * @param reasonPhrase the close reason text, possibly empty
     */
    default void onSessionClosed(SessionInfo session, int closeCode, String reasonPhrase) {
    }
}
