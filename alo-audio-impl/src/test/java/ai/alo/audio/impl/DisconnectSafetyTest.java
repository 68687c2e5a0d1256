package ai.alo.audio.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.alo.audio.AloAudio;
import ai.alo.audio.AloAudioListener;
import ai.alo.audio.AloAudioStateException;
import ai.alo.audio.ConnectCancelledException;
import ai.alo.audio.ConnectionState;
import ai.alo.audio.DisconnectReason;
import ai.alo.audio.event.AloAudioEvent;
import ai.alo.audio.event.ConnectionChangeEvent;
import ai.alo.audio.event.DisconnectEvent;
import ai.alo.audio.event.ParticipantsChangedEvent;
import ai.alo.audio.server.ServerListener;
import ai.alo.audio.server.SessionInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/** Contract item 3: {@code disconnect()} is safe in every state, and exactly one event comes of it. */
class DisconnectSafetyTest extends ServerBackedTest {

    @Test
    void disconnect_beforeAnyConnect_doesNothing() throws Exception {
        RecordingListener events = new RecordingListener();
        String user = ServerFixture.newUserId();
        AloAudio audio = fixture.client(user, events);

        audio.disconnect();
        audio.disconnect();

        assertEquals(ConnectionState.NOT_CONNECTED, audio.state());
        assertEquals(List.of(), fixture.runtime.liveThreads(), "a client that never connected needs no thread");
        // a marker: the first event after this point must be the connect's, proving nothing was emitted before
        audio.connect(ServerFixture.CHANNEL).get(10, TimeUnit.SECONDS);
        assertEquals(ConnectionState.CONNECTING, events.next(ConnectionChangeEvent.class).state());
        assertEquals(ConnectionState.NOT_CONNECTED, ((ConnectionChangeEvent) events.all.get(0)).previousState());
    }

    @Test
    void disconnect_whileHandshakeHangs_cancelsConnectAndLeavesNothing() throws Exception {
        try (SilentTcpServer silent = new SilentTcpServer()) {
            RecordingListener events = new RecordingListener();
            String user = ServerFixture.newUserId();
            AloAudio audio = fixture.client(fixture.config(user).name(user).serverUri(silent.uri()).build(), events);

            CompletableFuture<?> pending = audio.connect(ServerFixture.CHANNEL);
            events.awaitState(ConnectionState.CONNECTING);
            awaitTrue("the handshake reached the silent server", () -> silent.acceptedCount() == 1);

            long start = System.nanoTime();
            audio.disconnect();
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

            assertEquals(ConnectionState.DISCONNECTED, audio.state());
            ExecutionException failure = assertThrows(ExecutionException.class, () -> pending.get(5, TimeUnit.SECONDS));
            ConnectCancelledException cancelled = assertInstanceOf(ConnectCancelledException.class, failure.getCause());
            assertEquals(DisconnectReason.CLIENT_INITIATED, cancelled.reason());
            fixture.assertNothingHeld();
            assertTrue(silent.allClosedByPeer(), "the half-open socket was closed");
            assertTrue(millis < 2000, "disconnect() took " + millis + " ms");

            DisconnectEvent event = events.nextDisconnect();
            assertEquals(ConnectionState.DISCONNECTED, event.state());
            assertEquals(DisconnectReason.CLIENT_INITIATED, event.reason());
            assertFalse(event.wasConnected());
            assertEquals(0, event.closeCode());
            assertExactlyOneDisconnect(audio, events);
        }
    }

    @Test
    void disconnect_whileAcquiringAccess_cancelsConnect() throws Exception {
        // the session opens, the client says hello, then the network goes silent: no welcome ever arrives
        fixture.server.addListener(new ServerListener() {
            @Override
            public void onMessage(SessionInfo session, String type) {
                // freezing at hello, not when the session opens: the handshake's 101 must have reached the client
                if ("hello".equals(type)) {
                    fixture.server.freeze(session.sessionId());
                }
            }
        });
        RecordingListener events = new RecordingListener();
        String user = ServerFixture.newUserId();
        AloAudio audio = fixture.client(user, events);

        CompletableFuture<?> pending = audio.connect(ServerFixture.CHANNEL);
        events.awaitState(ConnectionState.ACQUIRING_ACCESS);
        audio.disconnect();

        assertEquals(ConnectionState.DISCONNECTED, audio.state());
        ExecutionException failure = assertThrows(ExecutionException.class, () -> pending.get(5, TimeUnit.SECONDS));
        assertInstanceOf(ConnectCancelledException.class, failure.getCause());
        fixture.awaitNothingHeld();
        DisconnectEvent event = events.nextDisconnect();
        assertEquals(ConnectionState.DISCONNECTED, event.state());
        assertFalse(event.wasConnected());
        assertExactlyOneDisconnect(audio, events);
    }

    @Test
    void disconnect_twiceAndAfterDisconnected_emitsOneEvent() throws Exception {
        RecordingListener events = new RecordingListener();
        AloAudio audio = fixture.client(ServerFixture.newUserId(), events);
        audio.connect(ServerFixture.CHANNEL).get(10, TimeUnit.SECONDS);

        audio.disconnect();
        audio.disconnect();
        assertEquals(ConnectionState.DISCONNECTED, audio.state());
        audio.disconnect();

        assertExactlyOneDisconnect(audio, events);
    }

    @Test
    void disconnect_fromEightThreadsAtOnce_emitsOneEventAndAllReturnDisconnected() throws Exception {
        for (int round = 0; round < 5; round++) {
            RecordingListener events = new RecordingListener();
            AloAudio audio = fixture.client(ServerFixture.newUserId(), events);
            audio.connect(ServerFixture.CHANNEL).get(10, TimeUnit.SECONDS);

            CyclicBarrier barrier = new CyclicBarrier(8);
            List<CompletableFuture<ConnectionState>> calls = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                calls.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        barrier.await(10, TimeUnit.SECONDS);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                    audio.disconnect();
                    return audio.state();
                }, runnable -> new Thread(runnable, "disconnector").start()));
            }
            for (CompletableFuture<ConnectionState> call : calls) {
                assertEquals(ConnectionState.DISCONNECTED, call.get(10, TimeUnit.SECONDS),
                        "state seen by a disconnect() caller after it returned");
            }
            assertExactlyOneDisconnect(audio, events);
            audio.close();
        }
    }

    @Test
    void disconnect_fromInsideEveryEvent_neverDeadlocksAndEmitsOneEvent() throws Exception {
        List<Predicate<AloAudioEvent>> triggers = List.of(
                e -> e instanceof ConnectionChangeEvent c && c.state() == ConnectionState.CONNECTING,
                e -> e instanceof ConnectionChangeEvent c && c.state() == ConnectionState.ACQUIRING_ACCESS,
                e -> e instanceof ConnectionChangeEvent c && c.state() == ConnectionState.CONNECTED,
                e -> e instanceof ParticipantsChangedEvent,
                e -> e instanceof ConnectionChangeEvent c && c.state() == ConnectionState.DISCONNECTING,
                e -> e instanceof DisconnectEvent);
        for (Predicate<AloAudioEvent> trigger : triggers) {
            RecordingListener events = new RecordingListener();
            AloAudio audio = fixture.client(ServerFixture.newUserId(), events);
            audio.addListener(new AloAudioListener() {
                @Override
                public void onEvent(AloAudioEvent event) {
                    if (trigger.test(event)) {
                        audio.disconnect();
                        audio.disconnect();
                    }
                }
            });
            audio.connect(ServerFixture.CHANNEL).exceptionally(e -> null);
            if (trigger.test(new DisconnectEvent("x", ConnectionState.DISCONNECTED, "", DisconnectReason.CLIENT_INITIATED,
                    ai.alo.audio.Initiator.CLIENT, 0, ServerFixture.CHANNEL, audio.user(), null, false, false, null,
                    java.time.Instant.now()))
                    || trigger.test(new ConnectionChangeEvent("x", ConnectionState.CONNECTED,
                    ConnectionState.DISCONNECTING, "", null, java.time.Instant.now()))) {
                // these triggers need an ordinary disconnect to start with
                events.awaitState(ConnectionState.CONNECTED);
                audio.disconnect();
            }
            events.await("the disconnect", all -> all.stream().anyMatch(DisconnectEvent.class::isInstance));
            assertEquals(ConnectionState.DISCONNECTED, audio.state());
            assertExactlyOneDisconnect(audio, events);
        }
    }

    @Test
    void connectAndCloseFromInsideDisconnectEvent_work() throws Exception {
        RecordingListener events = new RecordingListener();
        AloAudio audio = fixture.client(ServerFixture.newUserId(), events);
        List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
        audio.addListener(new AloAudioListener() {
            private int disconnects;

            @Override
            public void onDisconnect(DisconnectEvent event) {
                disconnects++;
                try {
                    if (disconnects == 1) {
                        audio.connect(ServerFixture.CHANNEL).get(10, TimeUnit.SECONDS); // blocking, from the event
                        audio.disconnect();
                    } else {
                        audio.close();
                        assertThrows(AloAudioStateException.class, () -> audio.connect(ServerFixture.CHANNEL));
                    }
                } catch (Throwable e) {
                    failures.add(e);
                }
            }
        });
        audio.connect(ServerFixture.CHANNEL).get(10, TimeUnit.SECONDS);
        audio.disconnect();

        events.await("closed", all -> all.stream().anyMatch(e -> e instanceof ConnectionChangeEvent c
                && c.state() == ConnectionState.CLOSED));
        assertEquals(List.of(), failures);
        assertEquals(2, events.disconnects().size(), "one DisconnectEvent per connection: " + events.disconnects());
        assertEquals(ConnectionState.CLOSED, audio.state());
    }

    /** Waits until a marker proves the event queue is drained, then checks there was exactly one DisconnectEvent. */
    static void assertExactlyOneDisconnect(AloAudio audio, RecordingListener events) throws Exception {
        // close() delivers everything queued before it returns: a reliable end-of-stream marker
        audio.close();
        events.await("CLOSED", all -> all.stream().anyMatch(e -> e instanceof ConnectionChangeEvent c
                && c.state() == ConnectionState.CLOSED));
        assertEquals(1, events.disconnects().size(), "DisconnectEvents: " + events.disconnects());
    }

    static void awaitTrue(String what, java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        Object monitor = new Object();
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what);
            synchronized (monitor) {
                monitor.wait(5);
            }
        }
    }
}
