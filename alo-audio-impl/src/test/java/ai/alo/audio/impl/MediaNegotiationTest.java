package ai.alo.audio.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.alo.audio.AloAudio;
import ai.alo.audio.AloConnectException;
import ai.alo.audio.ConnectionState;
import ai.alo.audio.DisconnectReason;
import ai.alo.audio.event.ConnectionChangeEvent;
import ai.alo.audio.event.DisconnectEvent;
import ai.alo.audio.impl.media.WebRtcMediaEngine;
import ai.alo.audio.media.AudioDeviceException;
import ai.alo.audio.server.AloAudioServer;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What a client with media enabled does when media cannot be set up, before any WebRTC runs (so outside the network
 * namespace): the connect fails with {@code MEDIA_FAILED} and a message that says what to do, exactly one {@link
 * DisconnectEvent} reports it, the native library is never loaded for it, and nothing is held afterwards.
 */
class MediaNegotiationTest {

    private ServerFixture fixture;

    @AfterEach
    void close() {
        if (fixture != null) {
            fixture.close();
        }
    }

    @Test
    void serviceWithoutMedia_failsTheConnectWithMediaFailed_namingTheCapabilityAndTheWayOut() throws Exception {
        fixture = new ServerFixture(AloAudioServer.builder().media(false));
        RecordingListener events = new RecordingListener();
        AloAudio audio = fixture.client(fixture.config(ServerFixture.newUserId()).mediaEnabled(true).build(), events);

        ExecutionException failed = assertThrows(ExecutionException.class,
                () -> audio.connect(ServerFixture.CHANNEL).get(10, TimeUnit.SECONDS));
        AloConnectException cause = assertInstanceOf(AloConnectException.class, failed.getCause());
        assertEquals(DisconnectReason.MEDIA_FAILED, cause.reason());
        assertTrue(cause.getMessage().startsWith("Could not set up audio with the audio service: "), cause.getMessage());
        assertTrue(cause.getMessage().contains("media.webrtc"), cause.getMessage());
        assertTrue(cause.getMessage().contains("mediaEnabled(false)"), cause.getMessage());

        DisconnectEvent event = events.nextDisconnect();
        assertEquals(ConnectionState.ERROR, event.state());
        assertEquals(DisconnectReason.MEDIA_FAILED, event.reason());
        assertEquals(cause.getMessage(), event.message());
        assertFalse(event.wasConnected());
        assertEquals(List.of(ConnectionState.CONNECTING, ConnectionState.ACQUIRING_ACCESS, ConnectionState.ERROR),
                events.all.stream().filter(ConnectionChangeEvent.class::isInstance)
                        .map(e -> ((ConnectionChangeEvent) e).state()).toList());
        fixture.awaitNothingHeld();
        Thread.sleep(200); // a window in which no second DisconnectEvent may arrive
        assertEquals(1, events.disconnects().size(), () -> "exactly one DisconnectEvent: " + events.all);
        assertFalse(((WebRtcMediaEngine) fixture.runtime.media()).isStarted(),
                "no media session was opened, so the native engine was not started");
        assertEquals(ConnectionState.ERROR, audio.state());
    }

    @Test
    void unknownInputDevice_failsTheConnectAtOnce_withoutOpeningASocket() throws Exception {
        fixture = new ServerFixture(AloAudioServer.builder().media(false));
        RecordingListener events = new RecordingListener();
        AloAudio audio = fixture.client(fixture.config(ServerFixture.newUserId()).mediaEnabled(true)
                .audioInputDeviceId("no-such-microphone").build(), events);

        ExecutionException failed = assertThrows(ExecutionException.class,
                () -> audio.connect(ServerFixture.CHANNEL).get(10, TimeUnit.SECONDS));
        AloConnectException cause = assertInstanceOf(AloConnectException.class, failed.getCause());
        assertEquals(DisconnectReason.MEDIA_FAILED, cause.reason());
        assertTrue(cause.getMessage().contains("no-such-microphone"), cause.getMessage());
        AudioDeviceException device = assertInstanceOf(AudioDeviceException.class, cause.getCause());
        assertEquals("no-such-microphone", device.deviceId());
        DisconnectEvent event = events.nextDisconnect();
        assertEquals(0, event.closeCode(), "no WebSocket was opened");
        assertEquals(List.of(), fixture.server.sessions(), "the service never saw the client");
        fixture.assertNothingHeld();
    }

    @Test
    void signallingOnlyClient_doesNotOfferMedia_andConnectsToAServiceWithout() throws Exception {
        fixture = new ServerFixture(AloAudioServer.builder().media(false));
        RecordingListener events = new RecordingListener();
        AloAudio audio = fixture.client(fixture.config(ServerFixture.newUserId()).mediaEnabled(false).build(), events);
        audio.connect(ServerFixture.CHANNEL).get(10, TimeUnit.SECONDS);
        assertEquals(ConnectionState.CONNECTED, audio.state());
        assertFalse(((WebRtcMediaEngine) fixture.runtime.media()).isStarted());
        audio.disconnect();
        assertEquals(ConnectionState.DISCONNECTED, events.nextDisconnect().state());
    }
}
