package ai.alo.audio.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.alo.audio.AloAudio;
import ai.alo.audio.AudioChannel;
import ai.alo.audio.ConnectionState;
import ai.alo.audio.ReconnectBackoff;
import ai.alo.audio.event.DisconnectEvent;
import ai.alo.audio.event.ReconnectedEvent;
import ai.alo.audio.media.AudioDevices;
import ai.alo.audio.server.AloAudioServer;
import ai.alo.audio.testing.NetworkNamespace;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A reconnect restores the media session: after its connection is reset, a client speaking a tone reconnects on its
 * own with a new audio session on the same devices, and the other participant hears it again.
 *
 * <p>A media test: it runs only in the surefire execution {@code media-tests}, inside the network namespace of {@code
 * bin/netns-exec}.
 */
class ReconnectMediaTest {

    private static final AudioChannel CHANNEL = AudioChannel.fullDuplex("ops", "Operations");

    private ServerFixture fixture;
    private final ClientMediaTest.Ears earsB = new ClientMediaTest.Ears();

    @BeforeAll
    static void insideTheNamespace() {
        assertTrue(NetworkNamespace.isInside(), NetworkNamespace.describe());
    }

    @BeforeEach
    void start() {
        fixture = new ServerFixture(AloAudioServer.builder());
        AudioDevices devices = fixture.runtime.devices();
        devices.addToneInput("tone-440", "Tone 440 Hz", 440, 0.5);
        devices.addPcmOutput("ears-b", "What B hears", earsB);
    }

    @AfterEach
    void stop() {
        fixture.close();
    }

    @Test
    void reconnectRestoresTheAudioBothWays() throws Exception {
        String userA = ServerFixture.newUserId();
        RecordingListener eventsA = new RecordingListener();
        AloAudio a = fixture.client(fixture.config(userA).name("a").mediaEnabled(true).audioInputDeviceId("tone-440")
                .reconnectPolicy(ReconnectBackoff.defaults()).build(), eventsA);
        AloAudio b = fixture.client(fixture.config(ServerFixture.newUserId()).name("b").mediaEnabled(true)
                .audioOutputDeviceId("ears-b").build(), new RecordingListener());
        a.connect(CHANNEL).get(30, TimeUnit.SECONDS);
        b.connect(CHANNEL).get(30, TimeUnit.SECONDS);
        assertTrue(ClientMediaTest.within(30, () -> earsB.lastToneNanos(440) > 0), "B hears A");

        assertTrue(fixture.server.dropConnection(userA));
        long dropped = System.nanoTime();
        eventsA.await("A reconnected", all -> all.stream().anyMatch(e -> e instanceof ReconnectedEvent));
        assertEquals(ConnectionState.CONNECTED, a.state());
        // heard again after the reconnect: a tone frame that arrived after A was CONNECTED again
        long reconnectedAt = System.nanoTime();
        assertTrue(ClientMediaTest.within(30, () -> earsB.lastToneNanos(440) > reconnectedAt),
                "B hears A again after the reconnect");
        System.out.printf("A's tone heard again by B %.0f ms after the reset%n",
                (earsB.lastToneNanos(440) - dropped) / 1e6);
        List<DisconnectEvent> losses = eventsA.disconnects();
        assertEquals(1, losses.size(), eventsA.toString());
        assertTrue(losses.get(0).willReconnect());
        // one session per participant at the service: the lost one is gone
        assertTrue(ClientMediaTest.within(10, () -> fixture.server.sessions().size() == 2),
                "sessions at the service: " + fixture.server.sessions());
    }
}
