package ai.alo.audio.impl;

import ai.alo.audio.protocol.Left;

/**
 * {@code left}: the answer to a {@code leave}. A disconnecting client does not wait for it (it closes right after the
 * {@code leave}); if it arrives, its request is no longer pending.
 */
final class LeftHandler implements MessageHandler<Left> {

    @Override
    public Class<Left> type() {
        return Left.class;
    }

    @Override
    public void handle(ClientStateMachine client, Connection connection, Left left) {
        connection.requests.answered(left.requestId());
    }
}
