package ai.alo.audio.cdi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.alo.audio.AloAudio;
import ai.alo.audio.ConnectionState;
import ai.alo.audio.DisconnectReason;
import ai.alo.audio.Initiator;
import ai.alo.audio.event.ConnectionChangeEvent;
import ai.alo.audio.event.DisconnectEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.se.SeContainer;
import jakarta.inject.Inject;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The injected default client: injection without bean discovery, connect, and the DisconnectEvent contract. */
class DefaultClientTest extends ServerBackedTest {

    /** An application bean, added without beans.xml scanning. */
    @ApplicationScoped
    static class Dispatch {
        @Inject
        AloAudio audio;

        AloAudio audio() {
            return audio;
        }
    }

    @Test
    void inject_withoutBeanDiscovery_connectsDefaultClient() throws Exception {
        String userId = configureDefaultClient();
        SeContainer container = boot(Dispatch.class, RecordingObserver.class);
        AloAudio audio = container.select(Dispatch.class).get().audio();
        RecordingObserver observer = container.select(RecordingObserver.class).get();

        assertEquals(ConnectionState.NOT_CONNECTED, audio.state());
        assertTrue(server.sessions().stream().noneMatch(s -> s.userId().equals(userId)),
                "nothing connects before connect()");
        assertEquals(CHANNEL, audio.connect(CHANNEL).get(10, TimeUnit.SECONDS));

        assertEquals(ConnectionState.CONNECTED, audio.state());
        assertEquals("default", audio.config().name());
        assertTrue(server.sessions().stream().anyMatch(s -> s.userId().equals(userId) && s.inChannel()));
        ConnectionChangeEvent connected = (ConnectionChangeEvent) observer.changes()
                .next(s -> ((ConnectionChangeEvent) s.event()).state() == ConnectionState.CONNECTED).event();
        assertEquals("default", connected.clientName());
    }

    @Test
    void disconnect_firesExactlyOneDisconnectedEvent() throws Exception {
        configureDefaultClient();
        SeContainer container = boot(Dispatch.class, RecordingObserver.class);
        AloAudio audio = container.select(Dispatch.class).get().audio();
        RecordingObserver observer = container.select(RecordingObserver.class).get();

        audio.connect(CHANNEL).get(10, TimeUnit.SECONDS);
        audio.disconnect();

        DisconnectEvent event = assertInstanceOf(DisconnectEvent.class, observer.disconnects().next().event());
        assertEquals(ConnectionState.DISCONNECTED, event.state());
        assertEquals(DisconnectReason.CLIENT_INITIATED, event.reason());
        assertEquals(Initiator.CLIENT, event.initiator());
        assertEquals(1000, event.closeCode());
        assertEquals("", event.message());
        assertTrue(event.wasConnected());

        // exactly one: the next DisconnectEvent is that of a later connection
        audio.connect(CHANNEL).get(10, TimeUnit.SECONDS);
        audio.disconnect();
        DisconnectEvent marker = (DisconnectEvent) observer.disconnects().next().event();
        assertNotEquals(event.sessionId(), marker.sessionId(), "the second event belongs to the second connection");
        observer.disconnects().assertNoMore();
    }

    @Test
    void serverDrop_firesExactlyOneErrorEvent_syncOnDispatcherAndAsyncElsewhere() throws Exception {
        String userId = configureDefaultClient();
        setProperty("alo.audio.reconnect.enabled", "false"); // the loss ends the session; the marker is a new one
        SeContainer container = boot(Dispatch.class, RecordingObserver.class);
        AloAudio audio = container.select(Dispatch.class).get().audio();
        RecordingObserver observer = container.select(RecordingObserver.class).get();
        audio.connect(CHANNEL).get(10, TimeUnit.SECONDS);
        String sessionId = audio.sessionId().orElseThrow();

        assertTrue(server.dropConnection(userId));

        Seen lost = observer.disconnects().next();
        DisconnectEvent event = (DisconnectEvent) lost.event();
        assertEquals(ConnectionState.ERROR, event.state());
        assertEquals("Lost connection to the server", event.message());
        assertEquals(sessionId, event.sessionId());
        assertEquals(Initiator.NETWORK, event.initiator());
        String runtime = container.select(ClientRegistry.class).get().runtime().orElseThrow().config().name();
        assertTrue(runtime.matches("alo-audio-cdi-\\d+"), runtime);
        assertTrue(lost.thread().startsWith(runtime + "-event-"), "an event thread of the runtime: " + lost.thread());

        Seen lostAsync = observer.asyncDisconnects().next();
        assertEquals(event, lostAsync.event(), "async observers get the same event instance");
        assertTrue(lostAsync.thread().startsWith(runtime + "-async-"), "the deployment's async pool: "
                + lostAsync.thread());
        assertTrue(clientThreads().stream().anyMatch(t -> t.getName().equals(lostAsync.thread())),
                "the thread check after each test sees the async threads");

        // the marker: a later connection's DisconnectEvent comes next, so the loss was reported exactly once
        audio.connect(CHANNEL).get(10, TimeUnit.SECONDS);
        audio.disconnect();
        DisconnectEvent marker = (DisconnectEvent) observer.disconnects().next().event();
        assertEquals(ConnectionState.DISCONNECTED, marker.state());
        assertNotEquals(sessionId, marker.sessionId());
        DisconnectEvent asyncMarker = (DisconnectEvent) observer.asyncDisconnects().next().event();
        assertEquals(marker, asyncMarker);
        observer.disconnects().assertNoMore();
        observer.asyncDisconnects().assertNoMore();
    }
}
