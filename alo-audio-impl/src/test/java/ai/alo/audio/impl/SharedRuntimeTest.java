package ai.alo.audio.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.alo.audio.AloAudio;
import ai.alo.audio.AloAudioRuntime;
import ai.alo.audio.AloAudioRuntimeConfig;
import ai.alo.audio.AloAudioStateException;
import ai.alo.audio.ConnectionState;
import ai.alo.audio.DisconnectReason;
import ai.alo.audio.event.DisconnectEvent;
import ai.alo.audio.impl.runtime.ClientRuntime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Clients share their runtime's threads: the count does not depend on the number of clients, every thread comes from
 * the runtime's factory, and when the runtime ends (closed, or its last client closed for the default one) every thread
 * has ended and every descriptor is back.
 */
class SharedRuntimeTest extends ServerBackedTest {

    @Test
    void threadCount_isBoundedByTheRuntimeConfig_notByTheNumberOfClients() throws Exception {
        AloAudioRuntimeConfig config = fixture.runtime.config();
        int bound = config.ioThreads() + 2 * config.eventThreads() + config.connectThreads() + 1;
        int jvmBefore = ProcessResources.threads();
        List<AloAudio> clients = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            AloAudio client = fixture.client(ServerFixture.newUserId(), null);
            client.connect(ServerFixture.CHANNEL).get(10, TimeUnit.SECONDS);
            clients.add(client);
            if (i == 4 || i == 59) {
                int runtimeThreads = fixture.runtime.liveThreads().size();
                assertTrue(runtimeThreads <= bound, (i + 1) + " clients: " + runtimeThreads
                        + " runtime threads, bound " + bound + ": " + names(fixture.runtime.liveThreads()));
            }
        }
        int jvmAfter = ProcessResources.threads();
        assertTrue(jvmAfter - jvmBefore <= bound, "60 connected clients added " + (jvmAfter - jvmBefore)
                + " threads to the JVM (bound " + bound + ")");
        assertEquals(60, fixture.runtime.openConnections());
        for (AloAudio client : clients) {
            client.disconnect();
        }
        fixture.assertNothingHeld();
    }

    @Test
    void defaultRuntime_endsWithItsLastClient_threadsAndDescriptorsBack() throws Exception {
        int fdsBefore = ResourceLeakTest.settledFds(Integer.MAX_VALUE);
        List<AloAudio> clients = new ArrayList<>();
        List<RecordingListener> listeners = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            String user = ServerFixture.newUserId();
            RecordingListener events = new RecordingListener();
            AloAudio client = AloAudio.create(fixture.config(user).name(user).build());
            client.addListener(events);
            client.connect(ServerFixture.CHANNEL).get(10, TimeUnit.SECONDS);
            clients.add(client);
            listeners.add(events);
        }
        assertTrue(!defaultRuntimeThreads().isEmpty(), "the default runtime runs");

        for (int i = 0; i < clients.size(); i++) {
            clients.get(i).close();
            assertEquals(DisconnectReason.CLIENT_SHUTDOWN, listeners.get(i).disconnects().get(0).reason());
        }

        DisconnectSafetyTest.awaitTrue("every thread of the default runtime to end, alive: "
                + defaultRuntimeThreads(), () -> defaultRuntimeThreads().isEmpty());
        int fdsAfter = ResourceLeakTest.settledFds(fdsBefore);
        assertTrue(fdsAfter <= fdsBefore, "file descriptors " + fdsBefore + " -> " + fdsAfter);
        // and a new client gets a new default runtime
        AloAudio again = AloAudio.create(fixture.config(ServerFixture.newUserId()).build());
        again.connect(ServerFixture.CHANNEL).get(10, TimeUnit.SECONDS);
        again.close();
        DisconnectSafetyTest.awaitTrue("the second default runtime to end", () -> defaultRuntimeThreads().isEmpty());
    }

    @Test
    void runtimeClose_closesEveryClientWithItsFinalEvent_andEndsEveryThread() throws Exception {
        Set<Thread> made = ConcurrentHashMap.newKeySet();
        ThreadFactory managed = task -> {
            Thread thread = new Thread(task);
            thread.setDaemon(true);
            made.add(thread);
            return thread;
        };
        ClientRuntime runtime = (ClientRuntime) AloAudioRuntime.create(AloAudioRuntimeConfig.builder()
                .name("alo-owned").threadFactory(managed).build());
        List<AloAudio> clients = new ArrayList<>();
        List<RecordingListener> listeners = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            String user = ServerFixture.newUserId();
            RecordingListener events = new RecordingListener();
            AloAudio client = runtime.newClient(fixture.config(user).name(user)
                    .heartbeatInterval(Duration.ofMillis(200)).heartbeatTimeout(Duration.ofSeconds(1)).build());
            client.addListener(events);
            client.connect(ServerFixture.CHANNEL).get(10, TimeUnit.SECONDS);
            clients.add(client);
            listeners.add(events);
        }
        List<Thread> live = runtime.liveThreads();
        assertTrue(!live.isEmpty() && made.containsAll(live), "every runtime thread came from the factory: "
                + names(live));
        assertTrue(live.stream().allMatch(t -> t.getName().startsWith("alo-owned-")), names(live));

        runtime.close();

        for (int i = 0; i < clients.size(); i++) {
            assertEquals(ConnectionState.CLOSED, clients.get(i).state());
            List<DisconnectEvent> disconnects = listeners.get(i).disconnects();
            assertEquals(1, disconnects.size(), "delivered before close() returned");
            assertEquals(DisconnectReason.CLIENT_SHUTDOWN, disconnects.get(0).reason());
        }
        assertEquals(List.of(), runtime.liveThreads().stream().filter(Thread::isAlive).toList());
        assertTrue(made.stream().noneMatch(Thread::isAlive), "every thread the runtime made has ended");
        assertTrue(runtime.isClosed());
        assertEquals(List.of(), runtime.clients());
        assertThrows(AloAudioStateException.class, () -> runtime.newClient(fixture.config("x").build()));
    }

    private static List<Thread> defaultRuntimeThreads() {
        List<Thread> threads = new ArrayList<>();
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            if (thread.isAlive() && thread.getName().matches("alo-audio-(io|event|timer|connect)-\\d+")) {
                threads.add(thread);
            }
        }
        return threads;
    }

    private static String names(List<Thread> threads) {
        return threads.stream().map(Thread::getName).toList().toString();
    }
}
