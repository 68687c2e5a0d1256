package ai.alo.audio.cdi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.alo.audio.AloAudio;
import ai.alo.audio.AudioUser;
import ai.alo.audio.ConnectionState;
import ai.alo.audio.DisconnectReason;
import ai.alo.audio.Initiator;
import ai.alo.audio.event.DisconnectEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.ObservesAsync;
import jakarta.enterprise.inject.se.SeContainer;
import jakarta.enterprise.inject.spi.ObserverMethod;
import java.time.Instant;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** An observer that throws is logged and harms neither the client nor the observers before and after it. */
class ObserverIsolationTest extends ServerBackedTest {

    @ApplicationScoped
    static class Calls {
        private final Recording<String> sync = new Recording<>();
        private final Recording<String> async = new Recording<>();

        void add(String call) {
            sync.add(call);
        }

        void addAsync(String call) {
            async.add(call);
        }

        Recording<String> sync() {
            return sync;
        }

        Recording<String> async() {
            return async;
        }
    }

    @ApplicationScoped
    static class EarlyObserver {
        void on(@Observes @Priority(10) DisconnectEvent event, Calls calls) {
            calls.add("early:" + event.state());
        }
    }

    @ApplicationScoped
    static class ThrowingObserver {
        void on(@Observes @Priority(20) DisconnectEvent event, Calls calls) {
            calls.add("throwing:" + event.state());
            throw new IllegalStateException("observer failure on purpose");
        }

        void onAsync(@ObservesAsync DisconnectEvent event) {
            throw new IllegalStateException("async observer failure on purpose");
        }
    }

    @ApplicationScoped
    static class LateObserver {
        void on(@Observes @Priority(30) DisconnectEvent event, Calls calls) {
            calls.add("late:" + event.state());
        }

        void onAsync(@ObservesAsync DisconnectEvent event, Calls calls) {
            calls.addAsync("async:" + event.state());
        }
    }

    @Test
    void throwingObserver_isLogged_othersStillNotified_clientKeepsWorking() throws Exception {
        configureDefaultClient();
        SeContainer container = boot(DefaultClientTest.Dispatch.class, Calls.class, EarlyObserver.class,
                ThrowingObserver.class, LateObserver.class);
        AloAudio audio = container.select(DefaultClientTest.Dispatch.class).get().audio();
        Calls calls = container.select(Calls.class).get();

        try (LogCapture log = new LogCapture()) {
            for (int round = 0; round < 2; round++) {
                audio.connect(CHANNEL).get(10, TimeUnit.SECONDS);
                assertEquals(ConnectionState.CONNECTED, audio.state());
                audio.disconnect();

                List<String> order = List.of(calls.sync().next(), calls.sync().next(), calls.sync().next());
                assertEquals(List.of("early:DISCONNECTED", "throwing:DISCONNECTED", "late:DISCONNECTED"), order,
                        "observers in @Priority order, the one after the throwing observer included");
                assertEquals("async:DISCONNECTED", calls.async().next(),
                        "an async observer that throws does not stop the others");

                String logged = log.next("ALOAUD-3101");
                assertTrue(logged.contains(ThrowingObserver.class.getName()), logged);
                assertTrue(logged.contains("observer failure on purpose"), logged);
                assertTrue(logged.contains("DisconnectEvent"), logged);
                String loggedAsync = log.next("ALOAUD-3102");
                assertTrue(loggedAsync.contains("async observer failure on purpose"), loggedAsync);
            }
        }
        calls.sync().assertNoMore();
    }

    /**
     * What the bridge builds on. Weld 5.1.7 resolves the qualified event to every matching observer, sync and async,
     * but returns them in a hash set: not in priority order (observed here: LateObserver first). Hence the bridge
     * sorts them itself, and the test above proves the order it notifies in.
     */
    @Test
    void weld_resolveObserverMethods_returnsEveryObserver_inNoGuaranteedOrder() {
        SeContainer container = boot(LateObserver.class, Calls.class, ThrowingObserver.class, EarlyObserver.class);
        DisconnectEvent event = new DisconnectEvent("default", ConnectionState.DISCONNECTED, "",
                DisconnectReason.CLIENT_INITIATED, Initiator.CLIENT, 1000, CHANNEL, AudioUser.of("u-1", "User"),
                "s-1", true, false, null, Instant.now());
        Set<ObserverMethod<? super DisconnectEvent>> resolved =
                container.getBeanManager().resolveObserverMethods(event, AloClient.Literal.of("default"));
        Set<String> sync = resolved.stream().filter(o -> !o.isAsync())
                .map(o -> o.getBeanClass().getSimpleName() + ":" + o.getPriority()).collect(Collectors.toSet());
        assertEquals(Set.of("EarlyObserver:10", "ThrowingObserver:20", "LateObserver:30"), sync);
        assertEquals(2, resolved.stream().filter(ObserverMethod::isAsync).count());
    }
}
