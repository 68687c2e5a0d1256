package ai.alo.audio.impl;

import ai.alo.audio.protocol.Pong;

/** {@code pong}: the answer to our heartbeat ping; its arrival already proved the link alive. Records the RTT. */
final class PongHandler implements MessageHandler<Pong> {

    @Override
    public Class<Pong> type() {
        return Pong.class;
    }

    @Override
    public void handle(ClientStateMachine client, Connection connection, Pong pong) {
        long before = connection.heartbeat.roundTripNanos();
        connection.heartbeat.pong(pong.seq());
        long after = connection.heartbeat.roundTripNanos();
        if (after >= 0 && after != before) {
            client.roundTrip(after);
        }
    }
}
