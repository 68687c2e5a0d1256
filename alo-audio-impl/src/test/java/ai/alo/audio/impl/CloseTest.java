package ai.alo.audio.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.alo.audio.AloAudio;
import ai.alo.audio.AloAudioListener;
import ai.alo.audio.AloAudioStateException;
import ai.alo.audio.ConnectionState;
import ai.alo.audio.DisconnectReason;
import ai.alo.audio.event.AloAudioEvent;
import ai.alo.audio.event.ConnectionChangeEvent;
import ai.alo.audio.event.DisconnectEvent;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@code close()}: the terminal release, with 1001, that still delivers the final event. */
class CloseTest extends ServerBackedTest {

    @Test
    void close_whenConnected_leavesWith1001AndDeliversTheFinalEventBeforeReturning() throws Exception {
        String user = ServerFixture.newUserId();
        RecordingListener events = new RecordingListener();
        AloAudio audio = fixture.client(user, events);
        audio.connect(ServerFixture.CHANNEL).get(10, TimeUnit.SECONDS);

        audio.close();

        // delivered before close() returned: no waiting here
        List<DisconnectEvent> disconnects = events.disconnects();
        assertEquals(1, disconnects.size(), "" + events.all);
        DisconnectEvent event = disconnects.get(0);
        assertEquals(ConnectionState.DISCONNECTED, event.state());
        assertEquals(DisconnectReason.CLIENT_SHUTDOWN, event.reason());
        assertEquals(1001, event.closeCode());
        AloAudioEvent last = events.all.get(events.all.size() - 1);
        assertTrue(last instanceof ConnectionChangeEvent c && c.state() == ConnectionState.CLOSED, "" + last);
        assertEquals(ConnectionState.CLOSED, audio.state());
        fixture.assertNothingHeld();
        fixture.events.await("left " + user + " dispatch left");
        fixture.events.await("closed " + user + " 1001");
    }

    @Test
    void close_isIdempotentAndConnectAfterwardsThrows() throws Exception {
        AloAudio audio = fixture.client(ServerFixture.newUserId(), null);
        audio.close();
        audio.close();
        audio.disconnect();
        AloAudioStateException e = assertThrows(AloAudioStateException.class,
                () -> audio.connect(ServerFixture.CHANNEL));
        assertEquals(ConnectionState.CLOSED, e.state());
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
    }

    @Test
    void close_fromInsideAListener_deliversTheRestAfterTheListenerReturns() throws Exception {
        String user = ServerFixture.newUserId();
        RecordingListener events = new RecordingListener();
        AloAudio audio = fixture.client(user, events);
        CountDownLatch closedInside = new CountDownLatch(1);
        audio.addListener(new AloAudioListener() {
            @Override
            public void onConnectionChange(ConnectionChangeEvent event) {
                if (event.state() == ConnectionState.CONNECTED) {
                    audio.close();
                    closedInside.countDown();
                }
            }
        });
        audio.connect(ServerFixture.CHANNEL).get(10, TimeUnit.SECONDS);
        assertTrue(closedInside.await(10, TimeUnit.SECONDS));
        events.await("CLOSED", all -> all.stream().anyMatch(e -> e instanceof ConnectionChangeEvent c
                && c.state() == ConnectionState.CLOSED));
        assertEquals(1, events.disconnects().size());
        fixture.awaitNothingHeld();
    }

    @Test
    void throwingListener_isLoggedAndOthersStillReceiveEvents() throws Exception {
        RecordingListener before = new RecordingListener();
        RecordingListener after = new RecordingListener();
        AloAudio audio = fixture.client(ServerFixture.newUserId(), before);
        audio.addListener(new AloAudioListener() {
            @Override
            public void onEvent(AloAudioEvent event) {
                throw new IllegalStateException("listener bug");
            }
        });
        audio.addListener(after);
        audio.connect(ServerFixture.CHANNEL).get(10, TimeUnit.SECONDS);
        audio.disconnect();
        audio.close();
        assertEquals(before.all.size(), after.all.size());
        assertEquals(1, after.disconnects().size());
    }

    @Test
    void removedListener_receivesNothingMore() throws Exception {
        RecordingListener kept = new RecordingListener();
        RecordingListener removed = new RecordingListener();
        AloAudio audio = fixture.client(ServerFixture.newUserId(), kept);
        var registration = audio.addListener(removed);
        registration.close();
        registration.close();
        audio.connect(ServerFixture.CHANNEL).get(10, TimeUnit.SECONDS);
        audio.close();
        assertTrue(removed.all.isEmpty());
        assertEquals(1, kept.disconnects().size());
    }
}
