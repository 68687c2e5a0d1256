package ai.alo.audio.server;

import java.lang.System.Logger.Level;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/** The {@link ServerListener}s of one server. Thread-safe; callbacks are made by {@link Effects#run()}. */
final class Listeners {

    private static final System.Logger LOG = System.getLogger(AloAudioServer.class.getPackageName());

    private final List<ServerListener> listeners = new CopyOnWriteArrayList<>();

    void add(ServerListener listener) {
        listeners.add(listener);
    }

    void remove(ServerListener listener) {
        listeners.remove(listener);
    }

    /** Whether nobody listens (then events are not even built). */
    boolean isEmpty() {
        return listeners.isEmpty();
    }

    /** Calls every listener; one that throws is logged and the others are still called. Call without locks. */
    void fire(Consumer<ServerListener> event) {
        for (ServerListener listener : listeners) {
            try {
                event.accept(listener);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "ALOSRV-5050 A ServerListener threw; ignored", e);
            }
        }
    }
}
