package ai.alo.audio.impl.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.alo.audio.AloAudio;
import ai.alo.audio.AloAudioListener;
import ai.alo.audio.event.DeviceListUpdateEvent;
import ai.alo.audio.media.AudioDeviceException;
import ai.alo.audio.media.MediaDeviceKind;
import ai.alo.audio.media.MediaDeviceList;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.sound.sampled.AudioFormat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Java Sound lines as devices. This machine has no sound card: the first test checks the "none" case on the real
 * Java Sound; the real-line tests run only where lines exist (they are skipped here, with a message). The others plug
 * a {@link SoftwareMixer} into Java Sound's own provider lookup, so that the listing, the capture reader thread, the
 * playback thread, the change detection and the fallback run through the same code as with a real card.
 */
class JavaSoundTest {

    private static final AudioFormat MONO_48K = new AudioFormat(48_000, 16, 1, true, false);
    private static final AudioFormat STEREO_44K = new AudioFormat(44_100, 16, 2, true, false);
    private static final AudioFormat STEREO_48K_BE = new AudioFormat(48_000, 16, 2, true, true);

    private MediaFixture fixture;

    @BeforeEach
    void setUp() {
        SoftwareMixerProvider.unplugAll();
        fixture = new MediaFixture("javasound-test");
    }

    @AfterEach
    void tearDown() {
        fixture.close();
        SoftwareMixerProvider.unplugAll();
    }

    private static List<String> javaSoundIds(MediaDeviceList list) {
        List<String> ids = new ArrayList<>();
        list.audioInputs().keySet().stream().filter(id -> id.startsWith("javasound-")).forEach(ids::add);
        list.audioOutputs().keySet().stream().filter(id -> id.startsWith("javasound-")).forEach(ids::add);
        return ids;
    }

    @Test
    void theRealJavaSound_canBeAsked_andTheListHoldsExactlyItsLines() {
        List<JavaSound.Line> lines = JavaSound.scan();
        assertNotNull(lines, "Java Sound answered");
        List<String> scanned = lines.stream().map(l -> l.device().id()).toList();
        assertEquals(scanned, javaSoundIds(fixture.devices.list()));
        if (scanned.isEmpty()) {
            // the "none" case (a server without a sound card, like this one): only the built-in devices
            assertEquals(List.of("silence"), List.copyOf(fixture.devices.list().audioInputs().keySet()));
            assertEquals(List.of("discard"), List.copyOf(fixture.devices.list().audioOutputs().keySet()));
            AudioDeviceException e = assertThrows(AudioDeviceException.class,
                    () -> fixture.client("c").changeAudioInput("javasound-in:default"));
            assertTrue(e.getMessage().contains("javasound-in:default"), e.getMessage());
        }
    }

    @Test
    void aRealCaptureLine_capturesAudio() throws Exception {
        String id = fixture.devices.list().audioInputs().keySet().stream()
                .filter(i -> i.startsWith("javasound-in:")).findFirst().orElse(null);
        Assumptions.assumeTrue(id != null, "no Java Sound capture line on this machine (no sound card): the capture "
                + "path is tested with a software mixer below");
        AudioSession session = fixture.audio(fixture.client(MediaFixture.config("c").audioInputDeviceId(id)
                .build())).startSession("ch");
        List<byte[]> frames = pace(session, 100);
        session.close();
        assertEquals(100, frames.size());
    }

    @Test
    void aRealPlaybackLine_plays() throws Exception {
        String id = fixture.devices.list().audioOutputs().keySet().stream()
                .filter(i -> i.startsWith("javasound-out:")).findFirst().orElse(null);
        Assumptions.assumeTrue(id != null, "no Java Sound playback line on this machine (no sound card): the "
                + "playback path is tested with a software mixer below");
        AudioSession session = fixture.audio(fixture.client(MediaFixture.config("c").audioOutputDeviceId(id)
                .build())).startSession("ch");
        for (int i = 0; i < 100; i++) {
            session.accept(Signals.constantFrame(0));
            Thread.sleep(10);
        }
        session.close();
        assertTrue(MediaFixture.threadsNamed("javasound-test-playback-").isEmpty());
    }

    /** Calls the session like the pacer does: once every 10 ms, for {@code ticks} ticks. */
    private static List<byte[]> pace(AudioSession session, int ticks) throws InterruptedException {
        List<byte[]> frames = new ArrayList<>();
        long start = System.nanoTime();
        for (int tick = 0; tick < ticks; tick++) {
            long due = start + tick * 10_000_000L;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            }
            frames.add(session.nextFrame(tick));
        }
        return frames;
    }

    /**
     * The frames carry the line's tone: most are not silent (a pacer on a busy machine is late now and then, and a
     * late or early tick gets silence or loses a frame: the buffer between the reader and the pacer absorbs only
     * 100 ms), and each one that is not silent is the tone, at its level and frequency (zero crossings per frame).
     */
    private static void assertToneFrames(List<byte[]> frames, double frequency, double level) {
        int tone = 0;
        double crossingsPerFrame = 2 * frequency / 100;
        for (byte[] frame : frames) {
            short[] x = Signals.samples(frame);
            if (Signals.rms(x) == 0) {
                continue;
            }
            tone++;
            int crossings = 0;
            for (int i = 1; i < x.length; i++) {
                if ((x[i - 1] < 0) != (x[i] < 0)) {
                    crossings++;
                }
            }
            assertEquals(crossingsPerFrame, crossings, 1.5, "zero crossings in a frame of a " + frequency + " Hz tone");
            assertEquals(level / Math.sqrt(2), Signals.rms(x), 0.05, "level of a frame");
        }
        assertTrue(tone >= frames.size() / 2, tone + " of " + frames.size() + " frames carry the tone");
    }

    @Test
    void softwareCard_isListed_withItsIdsAndLabel() {
        SoftwareMixerProvider.plugIn(new SoftwareMixer("Card A", MONO_48K, MONO_48K, 440));
        SoftwareMixerProvider.plugIn(new SoftwareMixer("Mic only", STEREO_44K, null, 440));
        SoftwareMixerProvider.plugIn(new SoftwareMixer("Speaker only", null, STEREO_48K_BE, 440));
        SoftwareMixerProvider.plugIn(new SoftwareMixer("Unusable", new AudioFormat(48_000, 8, 1, true, false),
                new AudioFormat(22_050, 8, 1, false, false), 440));
        MediaDeviceList list = fixture.devices.list();
        assertEquals(List.of("silence", "javasound-in:Card A", "javasound-in:Mic only"),
                List.copyOf(list.audioInputs().keySet()));
        assertEquals(List.of("discard", "javasound-out:Card A", "javasound-out:Speaker only"),
                List.copyOf(list.audioOutputs().keySet()));
        assertEquals("Card A (software sound card)", list.audioInputs().get("javasound-in:Card A").label());
        assertEquals("audioinput", list.audioInputs().get("javasound-in:Card A").type());
    }

    @Test
    void capture_runsAReaderThreadOnlyWhileUsed_andSendsTheLinesAudio() throws Exception {
        SoftwareMixer card = new SoftwareMixer("Card A", MONO_48K, null, 440);
        SoftwareMixerProvider.plugIn(card);
        fixture.devices.list();
        AloAudio a = fixture.client(MediaFixture.config("a").audioInputDeviceId("javasound-in:Card A").build());
        AloAudio b = fixture.client(MediaFixture.config("b").audioInputDeviceId("javasound-in:Card A").build());
        assertTrue(MediaFixture.threadsNamed("javasound-test-capture-").isEmpty(), "nothing runs while unused");

        AudioSession sa = fixture.audio(a).startSession("ch");
        AudioSession sb = fixture.audio(b).startSession("ch");
        assertEquals(1, MediaFixture.threadsNamed("javasound-test-capture-").size(), "one reader for two sessions");
        assertEquals(1, card.opened.get(), "the line opened once");
        List<byte[]> frames = pace(sa, 150);
        assertEquals(frames.get(149), sb.nextFrame(149), "the other session sends the same frame in the tick");

        assertToneFrames(frames.subList(50, 150), 440, 0.5);

        sa.close();
        assertEquals(1, MediaFixture.threadsNamed("javasound-test-capture-").size(), "b still uses it");
        sb.close();
        assertTrue(MediaFixture.threadsNamed("javasound-test-capture-").isEmpty(), "the reader ended");
        assertEquals(1, card.closed.get(), "the line was closed");

        AudioSession again = fixture.audio(a).startSession("ch");
        assertEquals(2, card.opened.get(), "opened again for the next session");
        again.close();
        assertTrue(MediaFixture.threadsNamed("javasound-test-capture-").isEmpty());
    }

    @Test
    void capture_inAnotherFormat_isConvertedByJavaSound() throws Exception {
        SoftwareMixerProvider.plugIn(new SoftwareMixer("Mic 44k", STEREO_44K, null, 1000));
        fixture.devices.list();
        AudioSession session = fixture.audio(fixture.client(MediaFixture.config("c")
                .audioInputDeviceId("javasound-in:Mic 44k").build())).startSession("ch");
        List<byte[]> frames = pace(session, 150);
        session.close();
        assertToneFrames(frames.subList(50, 150), 1000, 0.5); // 44.1 kHz stereo became 48 kHz mono
    }

    @Test
    void playback_writesTheFramesOnAPlaybackThread_oneClientAtATime() throws Exception {
        SoftwareMixer card = new SoftwareMixer("Speaker", null, STEREO_48K_BE, 440);
        SoftwareMixerProvider.plugIn(card);
        fixture.devices.list();
        AloAudio a = fixture.client(MediaFixture.config("a").audioOutputDeviceId("javasound-out:Speaker").build());
        AloAudio b = fixture.client("b");
        AudioSession session = fixture.audio(a).startSession("ch");
        assertEquals(1, MediaFixture.threadsNamed("javasound-test-playback-").size());
        AudioDeviceException busy = assertThrows(AudioDeviceException.class,
                () -> b.changeAudioOutput("javasound-out:Speaker"));
        assertTrue(busy.getMessage().contains("one client at a time"), busy.getMessage());

        for (int i = 0; i < 10; i++) {
            session.accept(Signals.constantFrame(0x0102 + i));
            Thread.sleep(10);
        }
        SoftwareMixer.Playback line = card.playbacks.get(0);
        MediaFixture.await("10 frames played", () -> line.bytes().length == 10 * 1920);
        byte[] played = line.bytes();
        for (int f = 0; f < 10; f++) {
            int value = 0x0102 + f;
            // stereo big-endian: each sample twice, high byte first
            assertEquals((byte) (value >> 8), played[f * 1920]);
            assertEquals((byte) value, played[f * 1920 + 1]);
            assertEquals((byte) (value >> 8), played[f * 1920 + 2]);
            assertEquals((byte) value, played[f * 1920 + 1919]);
        }
        session.close();
        assertTrue(MediaFixture.threadsNamed("javasound-test-playback-").isEmpty(), "the playback thread ended");
        assertEquals(1, card.closed.get());
        b.changeAudioOutput("javasound-out:Speaker");
        assertEquals("javasound-out:Speaker", b.audioOutputDeviceId(), "free again");
    }

    /** The device events one client got. */
    private static final class DeviceEvents implements AloAudioListener {
        final List<DeviceListUpdateEvent> events = new CopyOnWriteArrayList<>();

        @Override
        public void onDeviceListUpdate(DeviceListUpdateEvent event) {
            events.add(event);
        }
    }

    @Test
    void aLineThatAppearsOrDisappears_firesEvents_andItsClientsFallBack() throws Exception {
        fixture.devices.list(); // the first look: no lines
        AloAudio client = fixture.client("c");
        DeviceEvents events = new DeviceEvents();
        client.addListener(events);

        SoftwareMixer card = new SoftwareMixer("USB headset", MONO_48K, MONO_48K, 440);
        SoftwareMixerProvider.plugIn(card);
        assertTrue(client.getMediaList().audioInputs().containsKey("javasound-in:USB headset"));
        MediaFixture.await("two events", () -> events.events.size() == 2);
        assertEquals(MediaDeviceKind.AUDIO_INPUT, events.events.get(0).kind());
        assertEquals(MediaDeviceKind.AUDIO_OUTPUT, events.events.get(1).kind());
        assertTrue(events.events.get(1).devices().containsKey("javasound-out:USB headset"));

        fixture.devices.list();
        client.getMediaList();
        Thread.sleep(50);
        assertEquals(2, events.events.size(), "no event when nothing changed");

        client.changeAudioInput("javasound-in:USB headset");
        client.changeAudioOutput("javasound-out:USB headset");
        AudioSession session = fixture.audio(client).startSession("ch");
        assertEquals(1, MediaFixture.threadsNamed("javasound-test-capture-").size());
        assertEquals(1, MediaFixture.threadsNamed("javasound-test-playback-").size());

        SoftwareMixerProvider.unplug(card);
        fixture.devices.list();
        MediaFixture.await("two more events", () -> events.events.size() == 4);
        assertEquals(List.of("silence"), List.copyOf(events.events.get(2).devices().keySet()));
        assertEquals(List.of("discard"), List.copyOf(events.events.get(3).devices().keySet()));
        assertEquals("silence", session.inputId(), "fell back");
        assertEquals("discard", session.outputId(), "fell back");
        assertEquals("silence", client.audioInputDeviceId());
        assertTrue(MediaFixture.threadsNamed("javasound-test-capture-").isEmpty(), "the reader ended");
        assertTrue(MediaFixture.threadsNamed("javasound-test-playback-").isEmpty(), "the player ended");
        assertEquals(2, card.closed.get(), "both lines closed");
        session.close();
    }

    @Test
    void whileASessionRuns_theLinesAreReadOnTheTimer() throws Exception {
        fixture.runtime.ensureStarted();
        fixture.devices.pollPeriod(Duration.ofMillis(100));
        fixture.devices.list();
        AloAudio client = fixture.client("c");
        DeviceEvents events = new DeviceEvents();
        client.addListener(events);
        assertFalse(fixture.devices.polling(), "no session: no polling");

        AudioSession session = fixture.audio(client).startSession("ch");
        assertTrue(fixture.devices.polling());
        SoftwareMixerProvider.plugIn(new SoftwareMixer("Hot-plugged", MONO_48K, null, 440));
        MediaFixture.await("the event, without a list() call", () -> events.events.size() == 1);
        assertTrue(events.events.get(0).devices().containsKey("javasound-in:Hot-plugged"));

        session.close();
        assertFalse(fixture.devices.polling(), "the last session ended: no polling");
        assertEquals(0, fixture.runtime.pendingTimerTasks(), "no timer task left behind");
    }

    @Test
    void aLineThatCannotOpen_failsTheSession_withAClearMessage() throws Exception {
        SoftwareMixer card = new SoftwareMixer("Busy card", MONO_48K, null, 440);
        SoftwareMixerProvider.plugIn(card);
        fixture.devices.list();
        card.getLine(new javax.sound.sampled.DataLine.Info(javax.sound.sampled.TargetDataLine.class, MONO_48K));
        card.captures.get(0).open(MONO_48K); // another program holds it
        AloAudio client = fixture.client(MediaFixture.config("c").audioInputDeviceId("javasound-in:Busy card")
                .build());
        AudioDeviceException e = assertThrows(AudioDeviceException.class,
                () -> fixture.audio(client).startSession("ch"));
        assertTrue(e.getMessage().contains("cannot be opened") && e.getMessage().contains("in use"),
                e.getMessage());
        assertTrue(MediaFixture.threadsNamed("javasound-test-capture-").isEmpty());
        assertEquals(0, fixture.devices.sessions());
        // without a session the choice is only stored; in a session the switch fails and the old input stays
        AloAudio speaking = fixture.client("d");
        AudioSession session = fixture.audio(speaking).startSession("ch");
        AudioDeviceException change = assertThrows(AudioDeviceException.class,
                () -> speaking.changeAudioInput("javasound-in:Busy card"));
        assertEquals("javasound-in:Busy card", change.deviceId());
        assertEquals("silence", session.inputId());
        assertEquals("silence", speaking.audioInputDeviceId());
        session.close();
        speaking.changeAudioInput("javasound-in:Busy card");
        assertEquals("javasound-in:Busy card", speaking.audioInputDeviceId());
    }
}
