package ai.alo.audio.cdi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import ai.alo.audio.AloAudio;
import ai.alo.audio.ConnectionState;
import ai.alo.audio.DisconnectReason;
import ai.alo.audio.event.ConnectionChangeEvent;
import ai.alo.audio.event.DisconnectEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.se.SeContainer;
import jakarta.inject.Inject;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** Observers may call disconnect() and connect() on the client from inside its events. */
class ReentrantObserverTest extends ServerBackedTest {

    /** On the first CONNECTED: disconnect; on the first DisconnectEvent: connect again. */
    @ApplicationScoped
    static class Reconnector {
        @Inject
        AloAudio audio;

        private final AtomicBoolean disconnected = new AtomicBoolean();
        private final AtomicBoolean reconnected = new AtomicBoolean();
        private final Recording<Seen> connected = new Recording<>();
        private final Recording<Seen> disconnects = new Recording<>();
        private final Recording<Throwable> failures = new Recording<>();

        void onChange(@Observes ConnectionChangeEvent event) {
            if (event.state() == ConnectionState.CONNECTED) {
                connected.add(Seen.now(event, "reconnector"));
                if (disconnected.compareAndSet(false, true)) {
                    audio.disconnect();
                }
            }
        }

        void onDisconnect(@Observes DisconnectEvent event) {
            disconnects.add(Seen.now(event, "reconnector"));
            if (reconnected.compareAndSet(false, true)) {
                audio.connect(ServerBackedTest.CHANNEL).whenComplete((channel, failure) -> {
                    if (failure != null) {
                        failures.add(failure);
                    }
                });
            }
        }

        Recording<Seen> connected() {
            return connected;
        }

        Recording<Seen> disconnects() {
            return disconnects;
        }

        Recording<Throwable> failures() {
            return failures;
        }
    }

    @Test
    void disconnectAndConnect_fromInsideEvents_noDeadlock_oneDisconnectEventPerConnection() throws Exception {
        configureDefaultClient();
        SeContainer container = boot(DefaultClientTest.Dispatch.class, Reconnector.class);
        AloAudio audio = container.select(DefaultClientTest.Dispatch.class).get().audio();
        Reconnector reconnector = container.select(Reconnector.class).get();
        Recording<Seen> disconnects = reconnector.disconnects();
        Recording<Throwable> failures = reconnector.failures();

        audio.connect(CHANNEL).get(10, TimeUnit.SECONDS);

        Seen first = reconnector.connected().next();
        DisconnectEvent byObserver = (DisconnectEvent) disconnects.next().event();
        assertEquals(ConnectionState.DISCONNECTED, byObserver.state());
        assertEquals(DisconnectReason.CLIENT_INITIATED, byObserver.reason());
        assertEquals(1000, byObserver.closeCode());
        Seen second = reconnector.connected().next();
        assertEquals(first.thread(), second.thread(), "events of one client come from its dispatcher thread");
        assertEquals(ConnectionState.CONNECTED, audio.state());
        String secondSession = audio.sessionId().orElseThrow();
        assertNotEquals(byObserver.sessionId(), secondSession);

        audio.disconnect();
        DisconnectEvent byTest = (DisconnectEvent) disconnects.next().event();
        assertEquals(secondSession, byTest.sessionId());
        assertEquals(ConnectionState.DISCONNECTED, byTest.state());

        container.close(); // delivers whatever is queued: nothing more may come
        disconnects.assertNoMore();
        failures.assertNoMore();
        List<Seen> all = disconnects.all();
        assertEquals(2, all.size(), all.toString());
        assertNotNull(byObserver.sessionId());
    }
}
