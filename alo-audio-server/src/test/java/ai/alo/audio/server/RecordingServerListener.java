package ai.alo.audio.server;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** Records every {@link ServerListener} callback; tests wait (bounded) for the ones they expect. */
final class RecordingServerListener implements ServerListener {

    sealed interface Event permits Opened, Welcomed, Received, Joined, Left, Closed {
    }

    record Opened(SessionInfo session) implements Event {
    }

    record Welcomed(SessionInfo session) implements Event {
    }

    record Received(SessionInfo session, String type) implements Event {
    }

    record Joined(String channelId, ChannelMember member) implements Event {
    }

    record Left(String channelId, ChannelMember member, String reason) implements Event {
    }

    record Closed(SessionInfo session, int code, String reason) implements Event {
    }

    private final List<Event> events = new ArrayList<>();

    @Override
    public void onSessionOpened(SessionInfo session) {
        add(new Opened(session));
    }

    @Override
    public void onSessionWelcomed(SessionInfo session) {
        add(new Welcomed(session));
    }

    @Override
    public void onMessage(SessionInfo session, String type) {
        add(new Received(session, type));
    }

    @Override
    public void onParticipantJoined(String channelId, ChannelMember member) {
        add(new Joined(channelId, member));
    }

    @Override
    public void onParticipantLeft(String channelId, ChannelMember member, String reason) {
        add(new Left(channelId, member, reason));
    }

    @Override
    public void onSessionClosed(SessionInfo session, int closeCode, String reasonPhrase) {
        add(new Closed(session, closeCode, reasonPhrase));
    }

    private synchronized void add(Event event) {
        events.add(event);
        notifyAll();
    }

    /** A copy of every event so far, in order. */
    synchronized List<Event> events() {
        return List.copyOf(events);
    }

    /** Waits (bounded) for the first event of {@code type} that matches. */
    synchronized <T extends Event> T await(Class<T> type, Predicate<T> condition) throws InterruptedException {
        long deadline = System.nanoTime() + TestPeer.WAIT.toNanos();
        while (true) {
            for (Event event : events) {
                if (type.isInstance(event) && condition.test(type.cast(event))) {
                    return type.cast(event);
                }
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return fail("timed out waiting for a " + type.getSimpleName() + "; events: " + events);
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
    }

    /** Waits for the close of the session of {@code userId}. */
    Closed awaitClosed(String userId) throws InterruptedException {
        return await(Closed.class, c -> c.session().userId().equals(userId));
    }
}
