package ai.alo.audio;

/**
 * Which party ended a connection.
 *
 * @see ai.alo.audio.event.DisconnectEvent#initiator()
 * @since 0.1
 */
public enum Initiator {

    /** This client ended it: {@link AloAudio#disconnect()}, {@link AloAudio#close()}, or a protocol violation it
     * detected in what the server sent. */
    CLIENT,

    /** The audio service ended it with a close frame or an {@code end} message (token rejected, kicked, shut down,
     * session replaced). */
    SERVER,

    /** The transport failed: the server could not be reached, the socket was reset or closed without a close frame,
     * or nothing arrived within the heartbeat timeout or the connect timeout. */
    NETWORK
}
