package ai.alo.audio.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.alo.audio.AloAudio;
import ai.alo.audio.ConnectionState;
import ai.alo.audio.DisconnectReason;
import ai.alo.audio.event.AloAudioEvent;
import ai.alo.audio.event.ConnectionChangeEvent;
import ai.alo.audio.event.DisconnectEvent;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code close()} racing a slow {@code disconnect()} on another thread (a release that takes longer than the close's
 * wait) never moves the state from {@code CLOSED} back to {@code DISCONNECTED} and never loses the event.
 */
class CloseRaceTest extends ServerBackedTest {

    @Test
    void close_racingASlowerDisconnect_staysClosed_andTheDisconnectEventIsDeliveredOnce() throws Exception {
        String user = ServerFixture.newUserId();
        RecordingListener events = new RecordingListener();
        AloAudio audio = fixture.client(user, events);
        audio.connect(ServerFixture.CHANNEL).get(10, TimeUnit.SECONDS);
        CountDownLatch released = new CountDownLatch(1);
        CountDownLatch mayFinish = new CountDownLatch(1);
        // the disconnecting thread is held between its release and its final commit, longer than close() waits
        ((DefaultAloAudio) audio).machine().afterIntentionalRelease(() -> {
            if (Thread.currentThread().getName().equals("slow-disconnect")) {
                released.countDown();
                try {
                    mayFinish.await(20, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        Thread slow = new Thread(audio::disconnect, "slow-disconnect");
        slow.start();
        assertTrue(released.await(10, TimeUnit.SECONDS));

        audio.close();

        assertEquals(ConnectionState.CLOSED, audio.state());
        List<DisconnectEvent> disconnects = events.disconnects();
        assertEquals(1, disconnects.size(), "delivered before close() returned: " + events.all);
        assertEquals(ConnectionState.DISCONNECTED, disconnects.get(0).state());
        assertEquals(DisconnectReason.CLIENT_INITIATED, disconnects.get(0).reason(), "the disconnect's own ending");
        int count = events.all.size();
        assertTrue(isClosed(events.all.get(count - 1)), "CLOSED is the last event: " + events.all);

        mayFinish.countDown();
        slow.join(10_000);

        assertEquals(ConnectionState.CLOSED, audio.state(), "the late disconnect did not move the state back");
        assertEquals(count, events.all.size(), "nothing after CLOSED: " + events.all);
        fixture.assertNothingHeld();
        fixture.events.await("left " + user + " dispatch left");
    }

    private static boolean isClosed(AloAudioEvent event) {
        return event instanceof ConnectionChangeEvent c && c.state() == ConnectionState.CLOSED;
    }
}
