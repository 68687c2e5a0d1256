package ai.alo.audio.scenarios;

import ai.alo.audio.AloAudioListener;
import ai.alo.audio.ConnectionState;
import ai.alo.audio.event.AloAudioEvent;
import ai.alo.audio.event.ConnectionChangeEvent;
import ai.alo.audio.event.DisconnectEvent;
import ai.alo.audio.event.ParticipantsChangedEvent;
import ai.alo.audio.event.ReconnectedEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Records every event of one client, in order, with the time it was delivered, and waits (bounded) for what a test
 * expects. {@link #sequence()} writes the events as short words so that a test can assert an exact sequence.
 */
final class EventLog implements AloAudioListener {

    /** One delivered event and when ({@link System#nanoTime()}). */
    record Entry(AloAudioEvent event, long nanos) {
    }

    private final List<Entry> entries = new ArrayList<>();

    @Override
    public synchronized void onEvent(AloAudioEvent event) {
        entries.add(new Entry(event, System.nanoTime()));
        notifyAll();
    }

    synchronized List<Entry> entries() {
        return List.copyOf(entries);
    }

    synchronized List<AloAudioEvent> events() {
        return entries.stream().map(Entry::event).toList();
    }

    synchronized <T extends AloAudioEvent> List<T> all(Class<T> type) {
        return entries.stream().map(Entry::event).filter(type::isInstance).map(type::cast).toList();
    }

    synchronized List<DisconnectEvent> disconnects() {
        return all(DisconnectEvent.class);
    }

    synchronized int size() {
        return entries.size();
    }

    /**
     * Waits for an event of this type matching the test, delivered at or after index {@code from}.
     *
     * @return the event
     * @throws AssertionError naming what was awaited and the events so far, if none comes in time
     */
    synchronized <T extends AloAudioEvent> T await(Class<T> type, Predicate<T> test, int from, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            for (int i = from; i < entries.size(); i++) {
                AloAudioEvent e = entries.get(i).event();
                if (type.isInstance(e) && test.test(type.cast(e))) {
                    return type.cast(e);
                }
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("no " + type.getSimpleName() + " as expected within " + timeout
                        + "; events: " + sequence());
            }
            wait(Math.max(1, left / 1_000_000));
        }
    }

    <T extends AloAudioEvent> T await(Class<T> type, Predicate<T> test, Duration timeout) throws InterruptedException {
        return await(type, test, 0, timeout);
    }

    /** Waits for the client to reach a state (a {@link ConnectionChangeEvent} to it, at or after {@code from}). */
    ConnectionChangeEvent awaitState(ConnectionState state, int from, Duration timeout) throws InterruptedException {
        return await(ConnectionChangeEvent.class, e -> e.state() == state, from, timeout);
    }

    /** Waits for the session's last {@code DisconnectEvent} ({@code willReconnect} false). */
    DisconnectEvent awaitFinal(Duration timeout) throws InterruptedException {
        return await(DisconnectEvent.class, e -> !e.willReconnect(), timeout);
    }

    /** Index of the first entry at or after {@code from} whose event matches; -1 if none. */
    synchronized int indexOf(Predicate<AloAudioEvent> test, int from) {
        for (int i = from; i < entries.size(); i++) {
            if (test.test(entries.get(i).event())) {
                return i;
            }
        }
        return -1;
    }

    /**
     * The events as words: a connection change as its new state ({@code RECONNECT_PENDING} ticks as {@code tick}), a
     * disconnect as {@code disconnect(STATE,REASON,willReconnect)}, a reconnect as {@code reconnected(resumed|new)},
     * participants as {@code participants}.
     */
    synchronized List<String> sequence() {
        List<String> words = new ArrayList<>();
        for (Entry entry : entries) {
            AloAudioEvent e = entry.event();
            if (e instanceof ConnectionChangeEvent c) {
                words.add(c.previousState() == ConnectionState.RECONNECT_PENDING
                        && c.state() == ConnectionState.RECONNECT_PENDING ? "tick" : c.state().name());
            } else if (e instanceof DisconnectEvent d) {
                words.add("disconnect(" + d.state() + "," + d.reason() + "," + d.willReconnect() + ")");
            } else if (e instanceof ReconnectedEvent r) {
                words.add("reconnected(" + (r.resumed() ? "resumed" : "new") + ")");
            } else if (e instanceof ParticipantsChangedEvent) {
                words.add("participants");
            } else {
                words.add(e.getClass().getSimpleName());
            }
        }
        return words;
    }

    /** {@link #sequence()} without ticks and participant events: the shape of a session. */
    synchronized List<String> shape() {
        return sequence().stream().filter(w -> !w.equals("tick") && !w.equals("participants")).toList();
    }
}
