package ai.alo.audio.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.alo.audio.AloAudio;
import ai.alo.audio.AloAudioListener;
import ai.alo.audio.AloAudioRuntimeConfig;
import ai.alo.audio.ConnectionState;
import ai.alo.audio.event.ParticipantsChangedEvent;
import ai.alo.audio.server.AloAudioServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/**
 * A listener that blocks forever costs a bounded amount of memory and is reported; it stalls neither its own
 * connection (the heartbeat goes on) nor the other clients of the runtime.
 */
class BlockedListenerTest {

    private static final int CAPACITY = 32;

    @Test
    void listenerBlockedForever_isReported_boundedInMemory_andStallsNothingElse() throws Exception {
        List<String> logged = new java.util.concurrent.CopyOnWriteArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                logged.add(String.valueOf(record.getMessage()));
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger logger = Logger.getLogger("ai.alo.audio");
        logger.addHandler(capture);
        CountDownLatch unblock = new CountDownLatch(1);
        try (ServerFixture fixture = new ServerFixture(AloAudioServer.builder(),
                AloAudioRuntimeConfig.builder().eventThreads(1).eventQueueCapacity(CAPACITY))) {
            // the stuck client: its listener blocks on the first participant change, with a fast heartbeat
            String stuckUser = ServerFixture.newUserId();
            RecordingListener stuckEvents = new RecordingListener();
            AloAudio stuck = fixture.client(fixture.config(stuckUser).name(stuckUser)
                    .heartbeatInterval(Duration.ofMillis(300)).heartbeatTimeout(Duration.ofSeconds(2)).build(),
                    stuckEvents);
            CountDownLatch blocked = new CountDownLatch(1);
            stuck.addListener(new AloAudioListener() {
                @Override
                public void onParticipantsChanged(ParticipantsChangedEvent event) {
                    blocked.countDown();
                    try {
                        unblock.await(60, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            });
            stuck.connect(ServerFixture.CHANNEL).get(10, TimeUnit.SECONDS);
            assertTrue(blocked.await(10, TimeUnit.SECONDS));

            // other clients of the same runtime (one event thread, held by the stuck listener) still get their events
            List<AloAudio> others = new ArrayList<>();
            for (int i = 0; i < 3 * CAPACITY; i++) {
                String user = ServerFixture.newUserId();
                RecordingListener events = new RecordingListener();
                AloAudio other = fixture.client(user, events);
                other.connect(ServerFixture.CHANNEL).get(10, TimeUnit.SECONDS);
                events.awaitState(ConnectionState.CONNECTED);
                others.add(other);
            }

            // the stuck client's connection lived through it (several heartbeat timeouts long): its heartbeat is read on
            // the I/O thread, not on the blocked event thread
            assertEquals(ConnectionState.CONNECTED, stuck.state(), () -> "" + stuckEvents.disconnects());
            // its queue held at most its capacity of droppable events (each join is one), and said so
            int depth = ((DefaultAloAudio) stuck).machine().queue().depth();
            assertTrue(depth <= CAPACITY, "queued events " + depth + " > capacity " + CAPACITY);
            assertTrue(logged.stream().anyMatch(m -> m.startsWith("ALOAUD-1303")), "blocked listener reported");
            assertTrue(logged.stream().anyMatch(m -> m.startsWith("ALOAUD-1304")), "dropped events reported");

            unblock.countDown();
            for (AloAudio other : others) {
                other.disconnect();
            }
            stuck.close();
            assertEquals(1, stuckEvents.disconnects().size(), "the stuck client's final event was not dropped");
        } finally {
            unblock.countDown();
            logger.removeHandler(capture);
        }
    }
}
