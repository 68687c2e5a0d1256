package ai.alo.audio.cdi;

import ai.alo.audio.server.ChannelMember;
import ai.alo.audio.server.ServerListener;
import ai.alo.audio.server.SessionInfo;

/** Records what the server saw: closed sessions with their close code, and participants that left. */
final class ServerEvents implements ServerListener {

    record Closed(String userId, String sessionId, int closeCode) {
    }

    record Left(String channelId, String userId, String reason) {
    }

    private final Recording<Closed> closed = new Recording<>();
    private final Recording<Left> left = new Recording<>();

    @Override
    public void onSessionClosed(SessionInfo session, int closeCode, String reasonPhrase) {
        closed.add(new Closed(session.userId(), session.sessionId(), closeCode));
    }

    @Override
    public void onParticipantLeft(String channelId, ChannelMember member, String reason) {
        left.add(new Left(channelId, member.userId(), reason));
    }

    Recording<Closed> closed() {
        return closed;
    }

    Recording<Left> left() {
        return left;
    }
}
