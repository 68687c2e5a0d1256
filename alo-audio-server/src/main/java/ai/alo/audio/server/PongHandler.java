package ai.alo.audio.server;

import ai.alo.audio.protocol.Pong;

/**
 * {@code pong}: the answer to a server {@code ping}. Like every message it already counted as a sign of life for the
 * heartbeat watchdog; nothing else to do.
 */
final class PongHandler implements MessageHandler<Pong> {

    @Override
    public Class<Pong> type() {
        return Pong.class;
    }

    @Override
    public void handle(ClientSession session, Pong pong) {
        // received: the watchdog saw it
    }
}
