package ai.alo.audio.server;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Work decided under the {@link StateLock} that must run after it is released: releasing media sessions, sending (a
 * close runs Tyrus's {@code onClose} synchronously), log lines, connection aborts and {@link ServerListener}
 * callbacks. Messages are
 * queued on their {@link ClientSession} at once, under the lock, so every client sees state changes in the order they
 * happened; {@link #run()} only pushes the queues out. Not thread-safe: one instance per locked section.
 */
final class Effects {

    private final Listeners listeners;
    private final Set<ClientSession> toDrain = new LinkedHashSet<>();
    private final List<Runnable> release = new ArrayList<>(1);
    private final List<Runnable> after = new ArrayList<>(2);
    private final List<Consumer<ServerListener>> events = new ArrayList<>(2);

    Effects(Listeners listeners) {
        this.listeners = listeners;
    }

    /** Queues a text frame (or a lazily encoded {@link RosterPages} item) for a session. */
    void send(ClientSession session, Object item) {
        session.enqueue(item);
        toDrain.add(session);
    }

    /** Queues a close frame after what is queued for the session; later messages to it are dropped. */
    void close(ClientSession session, int code, String reason) {
        if (session.enqueueClose(code, reason)) {
            toDrain.add(session);
        }
    }

    /**
     * Runs {@code action} without the lock but before anything queued is sent: releasing what must be gone before the
     * client hears of it (a media session's peer is closed before {@code left} or the close frame goes out).
     */
    void release(Runnable action) {
        release.add(action);
    }

    /** Runs {@code action} after the sends, without the lock (log lines, aborts). */
    void after(Runnable action) {
        after.add(action);
    }

    /** Calls the listeners after everything else; nothing is kept when nobody listens. */
    void event(Consumer<ServerListener> event) {
        if (!listeners.isEmpty()) {
            events.add(event);
        }
    }

    /**
     * Runs the releases, sends what was queued, runs the after-actions, then notifies the listeners. Call without the
     * lock.
     */
    void run() {
        for (Runnable action : release) {
            action.run();
        }
        for (ClientSession session : toDrain) {
            session.drain();
        }
        for (Runnable action : after) {
            action.run();
        }
        for (Consumer<ServerListener> event : events) {
            listeners.fire(event);
        }
    }
}
