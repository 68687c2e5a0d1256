package ai.alo.audio.impl;

import ai.alo.audio.protocol.Ping;
import ai.alo.audio.protocol.Pong;

/** {@code ping} from the service: answered at once with a {@code pong} of the same sequence number. */
final class PingHandler implements MessageHandler<Ping> {

    @Override
    public Class<Ping> type() {
        return Ping.class;
    }

    @Override
    public void handle(ClientStateMachine client, Connection connection, Ping ping) {
        connection.send(new Pong(ping.seq()));
    }
}
