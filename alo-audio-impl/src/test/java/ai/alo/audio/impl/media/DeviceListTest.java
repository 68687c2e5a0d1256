package ai.alo.audio.impl.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.alo.audio.AloAudio;
import ai.alo.audio.AloAudioListener;
import ai.alo.audio.AloAudioStateException;
import ai.alo.audio.ListenerRegistration;
import ai.alo.audio.event.DeviceListUpdateEvent;
import ai.alo.audio.media.AudioDeviceException;
import ai.alo.audio.media.MediaDevice;
import ai.alo.audio.media.MediaDeviceKind;
import ai.alo.audio.media.MediaDeviceList;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The device list: its shape (the JavaScript SDK's {@code getMediaList()}), the events a change sends (one per kind
 * that changed, to every open client, through its event queue), the validation of ids, and the fallback of clients
 * whose device is removed.
 */
class DeviceListTest {

    private MediaFixture fixture;

    @BeforeEach
    void setUp() {
        fixture = new MediaFixture("device-list-test");
    }

    @AfterEach
    void tearDown() {
        fixture.close();
    }

    /** The device events one client got, with the thread they came on. */
    private static final class DeviceEvents implements AloAudioListener {
        final List<DeviceListUpdateEvent> events = new CopyOnWriteArrayList<>();
        final List<String> threads = new CopyOnWriteArrayList<>();
        final List<Object> typed = new CopyOnWriteArrayList<>();

        @Override
        public void onEvent(ai.alo.audio.event.AloAudioEvent event) {
            if (event instanceof DeviceListUpdateEvent e) {
                events.add(e);
                threads.add(Thread.currentThread().getName());
            }
        }

        @Override
        public void onDeviceListUpdate(DeviceListUpdateEvent event) {
            typed.add(event);
        }
    }

    @Test
    void getMediaList_hasTheJavaScriptSdkShape() {
        fixture.devices.addToneInput("tone-440", "A4 tone", 440, 0.3);
        fixture.devices.addPcmOutput("sink", "Application sink", frame -> { });
        AloAudio client = fixture.client("c");
        MediaDeviceList list = client.getMediaList();

        Map<String, MediaDevice> inputs = list.devices(MediaDeviceList.MEDIA_DEVICE_LIST_AUDIO_INPUT);
        Map<String, MediaDevice> outputs = list.devices("audiooutput");
        assertEquals(List.of("silence", "tone-440"), List.copyOf(inputs.keySet()), "built-in first, then added");
        assertEquals(List.of("discard", "sink"), List.copyOf(outputs.keySet()));
        MediaDevice tone = inputs.get("tone-440");
        assertEquals("tone-440", tone.id());
        assertEquals("A4 tone", tone.label());
        assertEquals("audioinput", tone.type());
        assertEquals("audiooutput", outputs.get("sink").type());
        assertEquals("Silence", inputs.get("silence").label());
        assertThrows(IllegalArgumentException.class, () -> list.devices("videoinput"));
        assertThrows(UnsupportedOperationException.class, () -> inputs.put("x", tone));
        // the runtime's and the client's views are the same
        assertEquals(list, fixture.runtime.devices().list());
    }

    @Test
    void eachChange_reachesEveryOpenClient_once_perKindThatChanged() throws Exception {
        AloAudio a = fixture.client("a");
        AloAudio b = fixture.client("b");
        AloAudio closed = fixture.client("closed");
        DeviceEvents ea = new DeviceEvents();
        DeviceEvents eb = new DeviceEvents();
        DeviceEvents ec = new DeviceEvents();
        a.addListener(ea);
        b.addListener(eb);
        closed.addListener(ec);
        closed.close();
        List<MediaDeviceList> changes = new CopyOnWriteArrayList<>();
        List<String> changeThreads = new CopyOnWriteArrayList<>();
        ListenerRegistration registration = fixture.devices.addChangeListener(list -> {
            changes.add(list);
            changeThreads.add(Thread.currentThread().getName());
        });

        fixture.devices.addToneInput("tone", "Tone", 440, 0.5);                 // 1: input
        fixture.devices.addPcmOutput("both", "Sink", frame -> { });              // 2: output
        fixture.devices.addPcmInput("both", "Push", Duration.ofSeconds(1));     // 3: input (same id, other kind)
        assertTrue(fixture.devices.remove("both"));                              // 4: input and output
        assertFalse(fixture.devices.remove("never-added"));                      // no change
        assertThrows(AudioDeviceException.class,
                () -> fixture.devices.addToneInput("tone", "Again", 880, 0.5));  // refused: no change
        fixture.devices.addToneInput("last", "Last", 440, 0.5);                  // 5: input (the marker)

        for (DeviceEvents events : List.of(ea, eb)) {
            MediaFixture.await("6 events", () -> events.events.size() >= 6);
            Thread.sleep(50);
            List<DeviceListUpdateEvent> got = events.events;
            assertEquals(6, got.size(), "one event per kind per change: " + got);
            List<MediaDeviceKind> kinds = got.stream().map(DeviceListUpdateEvent::kind).toList();
            assertEquals(List.of(MediaDeviceKind.AUDIO_INPUT, MediaDeviceKind.AUDIO_OUTPUT,
                    MediaDeviceKind.AUDIO_INPUT, MediaDeviceKind.AUDIO_INPUT, MediaDeviceKind.AUDIO_OUTPUT,
                    MediaDeviceKind.AUDIO_INPUT), kinds);
            assertEquals(List.of("silence", "tone"), List.copyOf(got.get(0).devices().keySet()));
            assertEquals(List.of("discard", "both"), List.copyOf(got.get(1).devices().keySet()));
            assertEquals(List.of("silence", "tone", "both"), List.copyOf(got.get(2).devices().keySet()));
            assertEquals(List.of("silence", "tone"), List.copyOf(got.get(3).devices().keySet()));
            assertEquals(List.of("discard"), List.copyOf(got.get(4).devices().keySet()));
            assertEquals(List.of("silence", "tone", "last"), List.copyOf(got.get(5).devices().keySet()));
            assertEquals("audioinput", got.get(0).type());
            assertEquals(6, events.typed.size(), "onDeviceListUpdate was called too");
            assertTrue(events.threads.stream().allMatch(t -> t.startsWith("device-list-test-event-")),
                    "on the runtime's event threads: " + events.threads);
        }
        assertEquals("a", ea.events.get(0).clientName());
        assertEquals("b", eb.events.get(0).clientName());
        assertEquals(List.of(), ec.events, "a closed client gets nothing");

        MediaFixture.await("5 change-listener calls", () -> changes.size() == 5);
        assertEquals(List.of("silence", "tone", "last"), List.copyOf(changes.get(4).audioInputs().keySet()));
        assertTrue(changeThreads.stream().allMatch(t -> t.startsWith("device-list-test-event-")), "" + changeThreads);
        registration.close();
        fixture.devices.addToneInput("after", "After", 440, 0.5);
        MediaFixture.await("the event of the last change", () -> ea.events.size() == 7);
        Thread.sleep(50);
        assertEquals(5, changes.size(), "a removed change listener gets nothing");
    }

    @Test
    void aThrowingChangeListener_isLogged_andOthersStillGetTheChange() throws Exception {
        List<MediaDeviceList> got = new CopyOnWriteArrayList<>();
        try (LogCapture log = new LogCapture()) {
            fixture.devices.addChangeListener(list -> {
                throw new IllegalStateException("listener bug");
            });
            fixture.devices.addChangeListener(got::add);
            fixture.devices.addToneInput("tone", "Tone", 440, 0.5);
            MediaFixture.await("the second listener", () -> got.size() == 1);
            MediaFixture.await("the log line", () -> log.count("ALOAUD-1409") == 1);
        }
    }

    @Test
    void unknownIds_failWithTheIdAndTheKnownIds() {
        fixture.devices.addToneInput("tone", "Tone", 440, 0.5);
        fixture.devices.addPcmOutput("sink", "Sink", frame -> { });
        AloAudio client = fixture.client("c");

        AudioDeviceException unknown = assertThrows(AudioDeviceException.class,
                () -> client.changeAudioInput("microphone-7"));
        assertEquals("microphone-7", unknown.deviceId());
        assertTrue(unknown.getMessage().contains("'microphone-7'"), unknown.getMessage());
        assertTrue(unknown.getMessage().contains("silence, tone"), unknown.getMessage());

        AudioDeviceException wrongKind = assertThrows(AudioDeviceException.class,
                () -> client.changeAudioInput("sink"));
        assertTrue(wrongKind.getMessage().contains("is an audio output"), wrongKind.getMessage());
        AudioDeviceException output = assertThrows(AudioDeviceException.class,
                () -> client.changeAudioOutput("tone"));
        assertTrue(output.getMessage().contains("is an audio input"), output.getMessage());

        AudioDeviceException weird = assertThrows(AudioDeviceException.class,
                () -> client.changeAudioInput("bad\nid\u0000"));
        assertTrue(weird.getMessage().contains("'bad?id?'"), "control characters are not echoed: "
                + weird.getMessage());
        assertThrows(NullPointerException.class, () -> client.changeAudioInput(null));

        assertEquals("silence", client.audioInputDeviceId(), "nothing changed");
        client.changeAudioInput("tone");
        client.changeAudioOutput("sink");
        assertEquals("tone", client.audioInputDeviceId());
        assertEquals("sink", client.audioOutputDeviceId());
    }

    @Test
    void configuredIds_areCheckedWhenTheSessionStarts_withAClearMessage() {
        AloAudio client = fixture.client(MediaFixture.config("configured").audioInputDeviceId("announcer")
                .audioOutputDeviceId("recorder").build());
        assertEquals("announcer", client.audioInputDeviceId(), "the configured choice, not yet checked");
        assertEquals("recorder", client.audioOutputDeviceId());
        ClientAudio audio = fixture.audio(client);
        AudioDeviceException e = assertThrows(AudioDeviceException.class, audio::checkDevices);
        assertEquals("announcer", e.deviceId());
        assertTrue(e.getMessage().contains("client 'configured' is configured with audioInputDeviceId 'announcer'"),
                e.getMessage());
        assertThrows(AudioDeviceException.class, () -> audio.startSession("ch"));

        // the application adds its devices after making the client: then it works
        fixture.devices.addToneInput("announcer", "Announcer", 440, 0.5);
        AudioDeviceException output = assertThrows(AudioDeviceException.class, audio::checkDevices);
        assertTrue(output.getMessage().contains("audioOutputDeviceId 'recorder'"), output.getMessage());
        fixture.devices.addPcmOutput("recorder", "Recorder", frame -> { });
        audio.checkDevices();
        AudioSession session = audio.startSession("ch");
        assertEquals("announcer", session.inputId());
        assertEquals("recorder", session.outputId());
        assertEquals(1, fixture.devices.sessions());
        session.close();
        assertEquals(0, fixture.devices.sessions());
    }

    @Test
    void aChoiceMadeBeforeTheSession_isStored_andUsedByTheNextSession() {
        fixture.devices.addToneInput("tone", "Tone", 440, 0.5);
        fixture.devices.addPcmOutput("sink", "Sink", frame -> { });
        AloAudio client = fixture.client("c");
        assertEquals("silence", client.audioInputDeviceId(), "none configured");
        assertEquals("discard", client.audioOutputDeviceId());
        client.changeAudioInput("tone");
        client.changeAudioOutput("sink");
        assertEquals(0, fixture.devices.sessions());
        AudioSession session = fixture.audio(client).startSession("ch");
        assertEquals("tone", session.inputId());
        assertEquals("sink", session.outputId());
        session.close();
        AudioSession next = fixture.audio(client).startSession("ch");
        assertEquals("tone", next.inputId(), "the choice outlives the session");
        next.close();
    }

    @Test
    void reservedAndTakenIds_areRefused_builtInsCannotBeRemoved() {
        for (String reserved : List.of("silence", "discard", "javasound-in:Mic", "javasound-out:Speaker")) {
            AudioDeviceException e = assertThrows(AudioDeviceException.class,
                    () -> fixture.devices.addToneInput(reserved, "x", 440, 0.5));
            assertTrue(e.getMessage().contains("reserved"), e.getMessage());
            assertThrows(AudioDeviceException.class, () -> fixture.devices.addPcmOutput(reserved, "x", f -> { }));
            assertThrows(AudioDeviceException.class, () -> fixture.devices.remove(reserved));
        }
        fixture.devices.addPcmOutput("sink", "Sink", f -> { });
        AudioDeviceException taken = assertThrows(AudioDeviceException.class,
                () -> fixture.devices.addPcmOutput("sink", "Again", f -> { }));
        assertTrue(taken.getMessage().contains("exists already"), taken.getMessage());
        assertThrows(IllegalArgumentException.class, () -> fixture.devices.addToneInput(" ", "blank", 440, 0.5));
        assertThrows(IllegalArgumentException.class,
                () -> fixture.devices.addToneInput("x".repeat(129), "long", 440, 0.5));
        assertThrows(IllegalArgumentException.class, () -> fixture.devices.addToneInput("t", "t", 19, 0.5));
        assertThrows(IllegalArgumentException.class, () -> fixture.devices.addToneInput("t", "t", 440, 1.01));
        assertThrows(IllegalArgumentException.class, () -> fixture.devices.addToneInput("t", "t", Double.NaN, 1));
        assertEquals(List.of("discard", "sink"), List.copyOf(fixture.devices.list().audioOutputs().keySet()));
    }

    @Test
    void removingAnInputInUse_switchesItsClientsToSilence() {
        fixture.devices.addToneInput("tone", "Tone", 440, 0.5);
        AloAudio speaking = fixture.client(MediaFixture.config("speaking").audioInputDeviceId("tone").build());
        AloAudio waiting = fixture.client(MediaFixture.config("waiting").audioInputDeviceId("tone").build());
        AudioSession session = fixture.audio(speaking).startSession("ch");
        assertTrue(Signals.rms(Signals.samples(session.nextFrame(0))) > 0.3);

        assertTrue(fixture.devices.remove("tone"));

        assertEquals("silence", session.inputId());
        assertEquals("silence", speaking.audioInputDeviceId());
        assertEquals("silence", waiting.audioInputDeviceId(), "the stored choice falls back too");
        assertEquals(0.0, Signals.rms(Signals.samples(session.nextFrame(1))));
    }

    @Test
    void aClosedClient_refusesChanges_butStillLists() {
        AloAudio client = fixture.client("c");
        client.close();
        assertThrows(AloAudioStateException.class, () -> client.changeAudioInput("silence"));
        assertThrows(AloAudioStateException.class, () -> client.changeAudioOutput("discard"));
        assertEquals(List.of("silence"), List.copyOf(client.getMediaList().audioInputs().keySet()));
        assertTrue(fixture.devices.clientAudio(client).isEmpty(), "it left the registry");
    }

    @Test
    void aClosedRuntime_listsTheBuiltInsOnly_andRefusesChanges() {
        fixture.devices.addToneInput("tone", "Tone", 440, 0.5);
        fixture.close();
        assertEquals(List.of("silence"), List.copyOf(fixture.devices.list().audioInputs().keySet()));
        assertThrows(AloAudioStateException.class, () -> fixture.devices.addToneInput("t", "t", 440, 0.5));
        assertThrows(AloAudioStateException.class, () -> fixture.devices.remove("tone"));
    }
}
