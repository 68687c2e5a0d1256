package ai.alo.audio.cdi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.alo.audio.AloAudio;
import ai.alo.audio.ConnectionState;
import ai.alo.audio.event.AloAudioEvent;
import ai.alo.audio.event.DisconnectEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.ObservesAsync;
import jakarta.enterprise.inject.se.SeContainer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@code @AloClient(name)} selects the events of one client; observers without qualifiers see every client. */
class QualifierTest extends ServerBackedTest {

    @ApplicationScoped
    static class QualifiedObservers {
        private final Recording<Seen> defaultOnly = new Recording<>();
        private final Recording<Seen> supportOnly = new Recording<>();
        private final Recording<Seen> supportAsync = new Recording<>();
        private final Recording<Seen> every = new Recording<>();
        private final Recording<Seen> everyEvent = new Recording<>();

        void onDefault(@Observes @AloClient("default") DisconnectEvent event) {
            defaultOnly.add(Seen.now(event, "default"));
        }

        void onSupport(@Observes @AloClient("support") DisconnectEvent event) {
            supportOnly.add(Seen.now(event, "support"));
        }

        void onSupportAsync(@ObservesAsync @AloClient("support") DisconnectEvent event) {
            supportAsync.add(Seen.now(event, "support-async"));
        }

        void onEvery(@Observes DisconnectEvent event) {
            every.add(Seen.now(event, "every"));
        }

        void onEveryEvent(@Observes AloAudioEvent event) {
            everyEvent.add(Seen.now(event, "every-event"));
        }

        Recording<Seen> defaultOnly() {
            return defaultOnly;
        }

        Recording<Seen> supportOnly() {
            return supportOnly;
        }

        Recording<Seen> supportAsync() {
            return supportAsync;
        }

        Recording<Seen> every() {
            return every;
        }

        Recording<Seen> everyEvent() {
            return everyEvent;
        }
    }

    @Test
    void events_carryTheClientQualifier() throws Exception {
        configureDefaultClient();
        String supportUser = newUserId("support");
        SeContainer container = boot(DefaultClientTest.Dispatch.class, QualifiedObservers.class);
        AloAudio audio = container.select(DefaultClientTest.Dispatch.class).get().audio();
        AloAudioFactory factory = container.select(AloAudioFactory.class).get();
        QualifiedObservers observers = container.select(QualifiedObservers.class).get();
        Recording<Seen> defaultOnly = observers.defaultOnly();
        Recording<Seen> supportOnly = observers.supportOnly();
        Recording<Seen> supportAsync = observers.supportAsync();
        Recording<Seen> every = observers.every();
        Recording<Seen> everyEvent = observers.everyEvent();

        AloAudio support = factory.create(factory.configuration("support")
                .user(ai.alo.audio.AudioUser.of(supportUser, "Support desk"))
                .userAuthToken(server.tokens().issue(supportUser, Duration.ofHours(1)))
                .build());
        assertEquals("support", support.config().name());
        assertEquals(server.uri(), support.config().serverUri(), "shared key alo.audio.server-uri is the fallback");

        audio.connect(CHANNEL).get(10, TimeUnit.SECONDS);
        support.connect(CHANNEL).get(10, TimeUnit.SECONDS);
        audio.disconnect();
        support.disconnect();

        assertEquals("default", defaultOnly.next().event().clientName());
        assertEquals("support", supportOnly.next().event().clientName());
        assertEquals("support", supportAsync.next().event().clientName());
        List<String> everyClient = List.of(every.next().event().clientName(), every.next().event().clientName());
        assertTrue(everyClient.containsAll(List.of("default", "support")), everyClient.toString());

        container.close(); // closes both clients and delivers everything queued
        assertEquals(ConnectionState.CLOSED, support.state());
        defaultOnly.assertNoMore();
        supportOnly.assertNoMore();
        supportAsync.assertNoMore();
        every.assertNoMore();
        for (Seen seen : everyEvent.all()) {
            assertTrue(seen.event().clientName().equals("default") || seen.event().clientName().equals("support"));
        }
    }

    @Test
    void literal_equalsTheAnnotation() throws Exception {
        AloClient annotation = QualifiedObservers.class.getDeclaredMethod("onDefault", DisconnectEvent.class)
                .getParameters()[0].getAnnotation(AloClient.class);
        assertEquals(annotation, AloClient.Literal.of("default"));
        assertEquals(AloClient.Literal.DEFAULT, AloClient.Literal.of("default"));
        assertEquals(annotation.hashCode(), AloClient.Literal.of("default").hashCode());
        assertTrue(!AloClient.Literal.of("support").equals(annotation));
    }
}
