package ai.alo.audio.server;

import ai.alo.audio.protocol.MessageCodec;
import ai.alo.audio.protocol.Ping;
import ai.alo.audio.protocol.Pong;

/**
 * {@code ping}: answered at once with a {@code pong} of the same {@code seq}. The hot path of a busy server (every
 * client pings every interval), so it takes no lock and touches nothing but the session's own queue.
 */
final class PingHandler implements MessageHandler<Ping> {

    private final MessageCodec codec;

    PingHandler(MessageCodec codec) {
        this.codec = codec;
    }

    @Override
    public Class<Ping> type() {
        return Ping.class;
    }

    @Override
    public void handle(ClientSession session, Ping ping) {
        if (!session.closed && !session.closeQueued()) {
            session.sendNow(codec.encode(new Pong(ping.seq())));
        }
    }
}
