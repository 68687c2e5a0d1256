package ai.alo.audio.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.alo.audio.AloAudio;
import ai.alo.audio.ConnectionState;
import ai.alo.audio.DisconnectReason;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The {@code connect()} future is completed off the socket I/O threads: a slow continuation does not stall reading
 * (no false heartbeat timeout), and a continuation that disconnects does not make the release wait for its own thread.
 */
class FutureCompletionTest extends ServerBackedTest {

    @Test
    void slowContinuation_doesNotStallReading_noFalseHeartbeatTimeout() throws Exception {
        String user = ServerFixture.newUserId();
        RecordingListener events = new RecordingListener();
        // a continuation that blocks for several heartbeat timeouts
        AloAudio audio = fixture.client(fixture.config(user).name(user).heartbeatInterval(Duration.ofMillis(100))
                .heartbeatTimeout(Duration.ofMillis(400)).build(), events);
        CountDownLatch never = new CountDownLatch(1);
        AtomicReference<Thread> ranOn = new AtomicReference<>();

        CompletableFuture<Void> slow = audio.connect(ServerFixture.CHANNEL).thenAccept(channel -> {
            ranOn.set(Thread.currentThread());
            try {
                never.await(1500, TimeUnit.MILLISECONDS); // the slow work of the application
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        slow.get(10, TimeUnit.SECONDS);

        assertTrue(ranOn.get().getName().startsWith(fixture.runtime.config().name() + "-event-"),
                "ran on " + ranOn.get().getName());
        assertEquals(ConnectionState.CONNECTED, audio.state(), "the connection lived through it");
        assertTrue(events.disconnects().isEmpty(), "no false disconnect: " + events.disconnects());
    }

    @Test
    void continuationThatDisconnects_releasesAtOnce() throws Exception {
        String user = ServerFixture.newUserId();
        RecordingListener events = new RecordingListener();
        AloAudio audio = fixture.client(user, events);

        long start = System.nanoTime();
        audio.connect(ServerFixture.CHANNEL).thenRun(audio::disconnect).get(10, TimeUnit.SECONDS);
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        assertEquals(ConnectionState.DISCONNECTED, audio.state());
        assertEquals(DisconnectReason.CLIENT_INITIATED, events.nextDisconnect().reason());
        fixture.assertNothingHeld();
        fixture.events.await("left " + user + " dispatch left");
        fixture.events.await("closed " + user + " 1000");
        assertTrue(millis < 5_000, "connect and disconnect took " + millis + " ms");
        assertFalse(events.all.isEmpty());
    }
}
