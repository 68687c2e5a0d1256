package ai.alo.audio.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.alo.audio.AloAudio;
import ai.alo.audio.ConnectionState;
import ai.alo.audio.event.DisconnectEvent;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Contract item 7: connect/disconnect cycles leave the process's thread count and open file descriptors where they
 * started. Client and reference server share the JVM, so the counts cover both sides.
 */
class ResourceLeakTest extends ServerBackedTest {

    private static final int CYCLES = 500;

    @Test
    void connectDisconnect_500Cycles_leaveThreadsAndFileDescriptorsWhereTheyStarted() throws Exception {
        RecordingListener events = new RecordingListener();
        String user = ServerFixture.newUserId();
        AloAudio audio = fixture.client(user, events);
        // warm up: the dispatcher thread, Tyrus's and the server's lazily created pools, class loading
        for (int i = 0; i < 5; i++) {
            audio.connect(ServerFixture.CHANNEL).get(10, TimeUnit.SECONDS);
            audio.disconnect();
        }
        int threadsBefore = settledThreads(Integer.MAX_VALUE);
        int fdsBefore = settledFds(Integer.MAX_VALUE);
        Map<String, Integer> namesBefore = ProcessResources.threadsByName();

        for (int i = 0; i < CYCLES; i++) {
            audio.connect(ServerFixture.CHANNEL).get(10, TimeUnit.SECONDS);
            assertEquals(ConnectionState.CONNECTED, audio.state());
            audio.disconnect();
            assertEquals(ConnectionState.DISCONNECTED, audio.state());
        }

        int threadsAfter = settledThreads(threadsBefore);
        int fdsAfter = settledFds(fdsBefore);
        assertTrue(threadsAfter <= threadsBefore, () -> "threads " + threadsBefore + " -> " + threadsAfter
                + "; before " + namesBefore + " after " + ProcessResources.threadsByName());
        assertTrue(fdsAfter <= fdsBefore, "file descriptors " + fdsBefore + " -> " + fdsAfter);
        events.await("every cycle's DisconnectEvent", all -> all.stream()
                .filter(DisconnectEvent.class::isInstance).count() == CYCLES + 5);
    }

    @Test
    void failedConnects_inALoop_leakNothing() throws Exception {
        int closedPort;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        String user = ServerFixture.newUserId();
        AloAudio audio = fixture.client(fixture.config(user).name(user)
                .serverUri("ws://127.0.0.1:" + closedPort + "/audio").connectTimeout(Duration.ofSeconds(2)).build(),
                null);
        for (int i = 0; i < 5; i++) {
            connectFails(audio);
        }
        int threadsBefore = settledThreads(Integer.MAX_VALUE);
        int fdsBefore = settledFds(Integer.MAX_VALUE);

        for (int i = 0; i < 100; i++) {
            connectFails(audio);
        }

        int threadsAfter = settledThreads(threadsBefore);
        int fdsAfter = settledFds(fdsBefore);
        assertTrue(threadsAfter <= threadsBefore, "threads " + threadsBefore + " -> " + threadsAfter);
        assertTrue(fdsAfter <= fdsBefore, "file descriptors " + fdsBefore + " -> " + fdsAfter);
    }

    private static void connectFails(AloAudio audio) throws Exception {
        try {
            audio.connect(ServerFixture.CHANNEL).get(10, TimeUnit.SECONDS);
            throw new AssertionError("connected to a closed port");
        } catch (ExecutionException expected) {
            assertEquals(ConnectionState.ERROR, audio.state());
        }
    }

    /** Waits (bounded) until the thread count is at most {@code target}, then returns it. */
    private static int settledThreads(int target) throws InterruptedException {
        return settle(target, ProcessResources::threads);
    }

    static int settledFds(int target) throws InterruptedException {
        return settle(target, ProcessResources::fileDescriptors);
    }

    private static int settle(int target, java.util.function.IntSupplier counter) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        int previous = -1;
        int stableRounds = 0;
        Object monitor = new Object();
        while (System.nanoTime() < deadline) {
            System.gc();
            int now = counter.getAsInt();
            if (target != Integer.MAX_VALUE && now <= target) {
                return now;
            }
            stableRounds = now == previous ? stableRounds + 1 : 0;
            if (target == Integer.MAX_VALUE && stableRounds >= 5) {
                return now;
            }
            previous = now;
            synchronized (monitor) {
                monitor.wait(100);
            }
        }
        return counter.getAsInt();
    }
}
