package ai.alo.audio.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.alo.audio.AloAudio;
import ai.alo.audio.AloAudioRuntimeConfig;
import ai.alo.audio.AloConnectException;
import ai.alo.audio.ConnectionState;
import ai.alo.audio.DisconnectReason;
import ai.alo.audio.event.AloAudioEvent;
import ai.alo.audio.event.ConnectionChangeEvent;
import ai.alo.audio.event.DisconnectEvent;
import ai.alo.audio.server.AloAudioServer;
import java.util.List;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A thread that cannot be started (a managed thread factory that returns null, {@code OutOfMemoryError: unable to
 * create native thread}) or a timer task that throws never leaves a half-committed state: no state without its event,
 * no live timer on an ended connection, no connect future that never completes, and {@code disconnect()} never throws.
 */
class ThreadFailureTest {

    @Test
    void threadFactoryReturningNull_failsTheConnect_andEveryEventIsStillDelivered() throws Exception {
        try (ServerFixture fixture = new ServerFixture(AloAudioServer.builder(),
                AloAudioRuntimeConfig.builder().threadFactory(task -> null))) {
            assertWholeStoryTold(fixture);
        }
    }

    @Test
    void outOfNativeThreads_afterTheFirstTwo_failsTheConnect_andEveryEventIsStillDelivered() throws Exception {
        AtomicInteger made = new AtomicInteger();
        ThreadFactory scarce = task -> {
            if (made.incrementAndGet() > 2) {
                throw new OutOfMemoryError("unable to create native thread: possibly out of memory or process/"
                        + "resource limits reached");
            }
            Thread thread = new Thread(task);
            thread.setDaemon(true);
            return thread;
        };
        try (ServerFixture fixture = new ServerFixture(AloAudioServer.builder(),
                AloAudioRuntimeConfig.builder().threadFactory(scarce).ioThreads(1))) {
            assertWholeStoryTold(fixture);
        }
    }

    /** Two failed connects, a disconnect that does not throw, and a close that tells every event, in order. */
    private static void assertWholeStoryTold(ServerFixture fixture) throws Exception {
        String user = ServerFixture.newUserId();
        RecordingListener events = new RecordingListener();
        AloAudio audio = fixture.client(user, events);

        for (int attempt = 0; attempt < 2; attempt++) {
            AloConnectException failure = BadInputTest.connectFailure(audio.connect(ServerFixture.CHANNEL));
            assertEquals(DisconnectReason.INTERNAL_ERROR, failure.reason());
            assertTrue(failure.getMessage().contains("no thread could be started"), failure.getMessage());
            assertEquals(ConnectionState.ERROR, audio.state());
            fixture.assertNothingHeld();
        }
        audio.disconnect();
        assertEquals(ConnectionState.DISCONNECTED, audio.state());

        audio.close();
        // every transition told, in order, and one DisconnectEvent per attempt, even without event threads
        List<String> story = events.all.stream().map(ThreadFailureTest::describe).toList();
        assertEquals(List.of("NOT_CONNECTED>CONNECTING", "CONNECTING>ERROR", "disconnect ERROR INTERNAL_ERROR",
                "ERROR>CONNECTING", "CONNECTING>ERROR", "disconnect ERROR INTERNAL_ERROR", "ERROR>DISCONNECTED",
                "DISCONNECTED>CLOSED"), story);
        assertEquals(ConnectionState.CLOSED, audio.state());
    }

    private static String describe(AloAudioEvent event) {
        if (event instanceof ConnectionChangeEvent c) {
            return c.previousState() + ">" + c.state();
        }
        if (event instanceof DisconnectEvent d) {
            return "disconnect " + d.state() + " " + d.reason();
        }
        return event.getClass().getSimpleName();
    }

    @Test
    void timerTaskThatThrows_endsTheConnectionOnce_andLeavesNoTimerBehind() throws Exception {
        try (ServerFixture fixture = new ServerFixture()) {
            String user = ServerFixture.newUserId();
            RecordingListener events = new RecordingListener();
            AloAudio audio = fixture.client(user, events);
            audio.connect(ServerFixture.CHANNEL).get(10, TimeUnit.SECONDS);
            Connection connection = ((DefaultAloAudio) audio).machine().currentConnection();
            assertEquals(2, fixture.runtime.pendingTimerTasks(), "the heartbeat's ping and watchdog");

            connection.schedule(() -> {
                throw new IllegalStateException("a bug in a timer task");
            }, 0);

            DisconnectEvent event = events.nextDisconnect();
            assertEquals(ConnectionState.ERROR, event.state());
            assertEquals(DisconnectReason.INTERNAL_ERROR, event.reason());
            assertTrue(event.message().contains("a bug in a timer task"), event.message());
            assertEquals(ConnectionState.ERROR, audio.state());
            fixture.awaitNothingHeld();
            fixture.events.await("closed " + user);
            DisconnectSafetyTest.assertExactlyOneDisconnect(audio, events);
        }
    }
}
