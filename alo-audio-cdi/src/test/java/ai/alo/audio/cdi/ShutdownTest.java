package ai.alo.audio.cdi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.alo.audio.AloAudio;
import ai.alo.audio.AloAudioConfig;
import ai.alo.audio.AloAudioListener;
import ai.alo.audio.AloAudioStateException;
import ai.alo.audio.AudioUser;
import ai.alo.audio.ConnectionState;
import ai.alo.audio.DisconnectReason;
import ai.alo.audio.Participant;
import ai.alo.audio.event.DisconnectEvent;
import ai.alo.audio.event.ParticipantsChangedEvent;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.ObservesAsync;
import jakarta.enterprise.inject.se.SeContainer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Shutting the container down closes every client with close code 1001 while the application's observers are alive,
 * so they receive the final DisconnectEvent.
 */
class ShutdownTest extends ServerBackedTest {

    /** Outlives the container: the observer bean is destroyed at shutdown. */
    static final Recording<Seen> SYNC = new Recording<>();
    static final Recording<Seen> ASYNC = new Recording<>();
    /** The order of "event" and "destroyed" in the observer bean. */
    static final Recording<String> LIFECYCLE = new Recording<>();

    @ApplicationScoped
    static class ShutdownObserver {
        void on(@Observes DisconnectEvent event) {
            SYNC.add(Seen.now(event, "sync"));
            LIFECYCLE.add("event:" + event.clientName());
        }

        void onAsync(@ObservesAsync DisconnectEvent event) {
            ASYNC.add(Seen.now(event, "async"));
        }

        @PreDestroy
        void destroyed() {
            LIFECYCLE.add("destroyed");
        }
    }

    private final ServerEvents serverEvents = new ServerEvents();

    @BeforeEach
    void listen() {
        drain(SYNC);
        drain(ASYNC);
        drain(LIFECYCLE);
        server.addListener(serverEvents);
    }

    @AfterEach
    void stopListening() {
        server.removeListener(serverEvents);
    }

    private static void drain(Recording<?> recording) {
        while (recording.poll() != null) {
            // discard what an earlier test left
        }
    }

    @Test
    void containerShutdown_closesWith1001_andDeliversFinalDisconnectEvent() throws Exception {
        String userId = configureDefaultClient();
        Peer peer = closeAfterTest(new Peer(newUserId("peer")));
        SeContainer container = boot(DefaultClientTest.Dispatch.class, ShutdownObserver.class);
        AloAudio audio = container.select(DefaultClientTest.Dispatch.class).get().audio();
        peer.audio.connect(CHANNEL).get(10, TimeUnit.SECONDS);
        audio.connect(CHANNEL).get(10, TimeUnit.SECONDS);
        String sessionId = audio.sessionId().orElseThrow();
        peer.participants.next(p -> userIds(p).contains(userId));

        long start = System.nanoTime();
        container.close();
        long closedAfterMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        // delivered before close() returned: no waiting
        Seen seen = SYNC.poll();
        assertNotNull(seen, "the final DisconnectEvent reached the observer before the container was shut down");
        DisconnectEvent event = (DisconnectEvent) seen.event();
        assertEquals(ConnectionState.DISCONNECTED, event.state());
        assertEquals(DisconnectReason.CLIENT_SHUTDOWN, event.reason());
        assertEquals(1001, event.closeCode());
        assertEquals(sessionId, event.sessionId());
        Seen async = ASYNC.poll();
        assertNotNull(async, "async observers got it before the container was shut down");
        assertEquals(event, async.event());
        assertEquals(List.of("event:default", "destroyed"), LIFECYCLE.all(), "the event came before @PreDestroy");

        // the server saw a leave and close 1001, and told the other participant at once
        assertEquals(new ServerEvents.Left(CHANNEL.id(), userId, "left"),
                serverEvents.left().next(l -> l.userId().equals(userId)));
        assertEquals(new ServerEvents.Closed(userId, sessionId, 1001),
                serverEvents.closed().next(c -> c.userId().equals(userId)));
        peer.participants.next(p -> !userIds(p).contains(userId));
        long toldAfterMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        // generous for a loaded 2-core machine; the reason "left" above already shows the leave message was sent
        assertTrue(toldAfterMillis < 5000, "the peer learnt of the leave after " + toldAfterMillis + " ms (close "
                + "took " + closedAfterMillis + " ms)");
    }

    @Test
    void containerShutdown_closesFactoryClients() throws Exception {
        configureDefaultClient();
        String supportUser = newUserId("support");
        SeContainer container = boot(ShutdownObserver.class);
        AloAudioFactory factory = container.select(AloAudioFactory.class).get();
        AloAudio support = factory.create(factory.configuration("support")
                .user(AudioUser.of(supportUser, "Support desk"))
                .userAuthToken(server.tokens().issue(supportUser, Duration.ofHours(1)))
                .build());
        support.connect(CHANNEL).get(10, TimeUnit.SECONDS);

        container.close();

        assertEquals(ConnectionState.CLOSED, support.state());
        DisconnectEvent event = (DisconnectEvent) SYNC.poll().event();
        assertEquals("support", event.clientName());
        assertEquals(DisconnectReason.CLIENT_SHUTDOWN, event.reason());
        assertEquals(1001, event.closeCode());
        assertEquals(1001, serverEvents.closed().next(c -> c.userId().equals(supportUser)).closeCode());
        support.close(); // closing again is fine
        assertThrows(AloAudioStateException.class, () -> support.connect(CHANNEL));
    }

    private static List<String> userIds(ParticipantsChangedEvent event) {
        return event.participants().stream().map(Participant::userId).toList();
    }

    /** Another participant of the channel, a plain client outside CDI. */
    static final class Peer implements AutoCloseable, AloAudioListener {
        final AloAudio audio;
        final Recording<ParticipantsChangedEvent> participants = new Recording<>();

        Peer(String userId) {
            audio = AloAudio.create(AloAudioConfig.builder()
                    .name("peer")
                    .serverUri(server.uri())
                    .mediaEnabled(false)
                    .user(AudioUser.of(userId, "Peer"))
                    .userAuthToken(server.tokens().issue(userId, Duration.ofHours(1)))
                    .build());
            audio.addListener(this);
        }

        @Override
        public void onParticipantsChanged(ParticipantsChangedEvent event) {
            participants.add(event);
        }

        @Override
        public void close() {
            audio.close();
        }
    }
}
