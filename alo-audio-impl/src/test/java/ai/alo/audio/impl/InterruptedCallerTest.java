package ai.alo.audio.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.alo.audio.AloAudio;
import ai.alo.audio.AudioChannel;
import ai.alo.audio.ConnectCancelledException;
import ai.alo.audio.ConnectionState;
import ai.alo.audio.DisconnectReason;
import ai.alo.audio.event.AloAudioEvent;
import ai.alo.audio.event.ConnectionChangeEvent;
import ai.alo.audio.event.DisconnectEvent;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An interrupted caller ({@code Future.cancel(true)}, {@code shutdownNow()}, a container timeout) must not break the
 * contract: {@code close()} still delivers the final event, {@code disconnect()} of a connection in its handshake still
 * sends nothing half-done and releases everything, {@code connect()} during {@code DISCONNECTING} returns at once; and
 * the interrupt flag is still set afterwards.
 */
class InterruptedCallerTest extends ServerBackedTest {

    @AfterEach
    void clearInterrupt() {
        Thread.interrupted();
    }

    @Test
    void close_withInterruptFlagSet_deliversTheFinalEventAndKeepsTheFlag() throws Exception {
        String user = ServerFixture.newUserId();
        RecordingListener events = new RecordingListener();
        AloAudio audio = fixture.client(user, events);
        audio.connect(ServerFixture.CHANNEL).get(10, TimeUnit.SECONDS);

        Thread.currentThread().interrupt();
        audio.close();
        boolean stillInterrupted = Thread.interrupted();

        assertTrue(stillInterrupted, "the interrupt flag is restored");
        assertEquals(ConnectionState.CLOSED, audio.state());
        // delivered before close() returned, despite the interrupt
        List<DisconnectEvent> disconnects = events.disconnects();
        assertEquals(1, disconnects.size(), "" + events.all);
        assertEquals(DisconnectReason.CLIENT_SHUTDOWN, disconnects.get(0).reason());
        AloAudioEvent last = events.all.get(events.all.size() - 1);
        assertTrue(last instanceof ConnectionChangeEvent c && c.state() == ConnectionState.CLOSED, "" + last);
        fixture.events.await("left " + user + " dispatch left");
        fixture.assertNothingHeld();
    }

    @Test
    void disconnect_duringHandshake_withInterruptFlagSet_sendsNothingHalfDoneAndReleasesEverything()
            throws Exception {
        try (SilentTcpServer silent = new SilentTcpServer()) {
            String user = ServerFixture.newUserId();
            RecordingListener events = new RecordingListener();
            AloAudio audio = fixture.client(fixture.config(user).name(user).serverUri(silent.uri()).build(),
                    events);
            CompletableFuture<AudioChannel> pending = audio.connect(ServerFixture.CHANNEL);
            DisconnectSafetyTest.awaitTrue("the upgrade request to be sent",
                    () -> silent.receivedOnFirst().contains("\r\n\r\n"));

            Thread.currentThread().interrupt();
            audio.disconnect();
            boolean stillInterrupted = Thread.interrupted();

            assertTrue(stillInterrupted, "the interrupt flag is restored");
            assertEquals(ConnectionState.DISCONNECTED, audio.state());
            ExecutionException failure = assertThrows(ExecutionException.class,
                    () -> pending.get(5, TimeUnit.SECONDS));
            assertInstanceOf(ConnectCancelledException.class, failure.getCause());
            assertTrue(silent.allClosedByPeer(), "the half-open socket was closed");
            String sent = silent.receivedOnFirst();
            assertTrue(sent.startsWith("GET /audio HTTP/1.1\r\n"), sent);
            assertTrue(sent.endsWith("\r\n\r\n"), "nothing after the upgrade request (no frame of a WebSocket that "
                    + "never opened): " + sent.length() + " bytes");
            fixture.awaitNothingHeld();
            DisconnectEvent event = events.nextDisconnect();
            assertEquals(ConnectionState.DISCONNECTED, event.state());
            DisconnectSafetyTest.assertExactlyOneDisconnect(audio, events);
        }
    }

    @Test
    void disconnect_whenConnected_withInterruptFlagSet_leavesClosesAndReleases() throws Exception {
        String user = ServerFixture.newUserId();
        RecordingListener events = new RecordingListener();
        AloAudio audio = fixture.client(user, events);
        audio.connect(ServerFixture.CHANNEL).get(10, TimeUnit.SECONDS);

        Thread.currentThread().interrupt();
        audio.disconnect();
        boolean stillInterrupted = Thread.interrupted();

        assertTrue(stillInterrupted, "the interrupt flag is restored");
        assertEquals(ConnectionState.DISCONNECTED, audio.state());
        fixture.assertNothingHeld();
        fixture.events.await("left " + user + " dispatch left");
        fixture.events.await("closed " + user + " 1000");
        assertEquals(ConnectionState.DISCONNECTED, events.nextDisconnect().state());
    }

    @Test
    void connect_whileDisconnecting_returnsAtOnceEvenWhenInterrupted_andStartsAfterTheDisconnect() throws Exception {
        // the network goes silent once the user is connected, so disconnect() spends half its grace waiting
        String user = ServerFixture.newUserId();
        RecordingListener events = new RecordingListener();
        AloAudio audio = fixture.client(fixture.config(user).name(user).closeGrace(Duration.ofSeconds(2)).build(),
                events);
        audio.connect(ServerFixture.CHANNEL).get(10, TimeUnit.SECONDS);
        assertTrue(fixture.server.freeze(user));
        CountDownLatch disconnected = new CountDownLatch(1);
        Thread disconnecting = new Thread(() -> {
            audio.disconnect();
            disconnected.countDown();
        }, "test-disconnect");
        disconnecting.start();
        events.awaitState(ConnectionState.DISCONNECTING);

        Thread.currentThread().interrupt();
        CompletableFuture<AudioChannel> next = audio.connect(ServerFixture.CHANNEL);
        boolean returnedBeforeTheDisconnect = disconnected.getCount() == 1;
        boolean stillInterrupted = Thread.interrupted();

        assertTrue(returnedBeforeTheDisconnect, "connect() returned while the disconnect was still running");
        assertTrue(stillInterrupted, "the interrupt flag is kept");
        assertFalse(next.isDone());
        assertTrue(disconnected.await(10, TimeUnit.SECONDS));
        assertEquals(ServerFixture.CHANNEL, next.get(10, TimeUnit.SECONDS));
        assertEquals(ConnectionState.CONNECTED, audio.state());
        // the disconnect's event came first, and it never closed the new connection
        List<DisconnectEvent> disconnects = events.disconnects();
        assertEquals(1, disconnects.size(), "" + disconnects);
        assertEquals(ConnectionState.DISCONNECTED, disconnects.get(0).state());
        disconnecting.join(5000);
    }
}
