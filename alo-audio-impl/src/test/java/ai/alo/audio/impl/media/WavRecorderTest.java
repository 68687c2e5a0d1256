package ai.alo.audio.impl.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.alo.audio.AloAudio;
import ai.alo.audio.media.AudioDeviceException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The WAV recorder: a valid 48 kHz mono 16-bit file with exactly the frames accepted, completed when the session stops
 * using it, the device is removed or the runtime closes; one client at a time.
 */
class WavRecorderTest {

    @TempDir
    Path dir;
    private MediaFixture fixture;

    @BeforeEach
    void setUp() {
        fixture = new MediaFixture("recorder-test");
    }

    @AfterEach
    void tearDown() {
        fixture.close();
    }

    private static void assertFrames(short[] samples, int firstValue, int frames) {
        assertEquals(frames * 480, samples.length, "samples in the file");
        for (int f = 0; f < frames; f++) {
            for (int i = 0; i < 480; i++) {
                assertEquals(firstValue + f, samples[f * 480 + i], "frame " + f + " sample " + i);
            }
        }
    }

    @Test
    void theFile_holdsExactlyTheFramesAccepted_andIsValidOnceTheSessionEnds() throws Exception {
        Path file = dir.resolve("heard.wav");
        fixture.devices.addWavRecorder("rec", "Recorder", file);
        assertFalse(Files.exists(file), "created only when a client starts using it");
        AloAudio client = fixture.client(MediaFixture.config("c").audioOutputDeviceId("rec").build());
        AudioSession session = fixture.audio(client).startSession("ch");
        assertTrue(Files.exists(file));
        try (LogCapture log = new LogCapture()) {
            for (int i = 0; i < 777; i++) {
                session.accept(Signals.constantFrame(i + 1));
                if (i % 20 == 19) {
                    Thread.sleep(1); // at most 20 times real time: a burst of more than 5 s would drop frames
                }
            }
            session.close();
            assertEquals(0, log.count("ALOAUD-1410"), "nothing dropped");
        }
        assertFalse(MediaFixture.isOpen(file), "closed when the session ended");
        assertFrames(TestWavFiles.read48kMono(file), 1, 777);
        assertEquals(44 + 777 * 960, Files.size(file));
    }

    @Test
    void whileRecording_theHeaderIsKeptUpToDate() throws Exception {
        Path file = dir.resolve("live.wav");
        fixture.devices.addWavRecorder("rec", "Recorder", file);
        AudioSession session = fixture.audio(fixture.client(MediaFixture.config("c").audioOutputDeviceId("rec")
                .build())).startSession("ch");
        for (int i = 0; i < 250; i++) {
            session.accept(Signals.constantFrame(5));
        }
        // written on an event thread; about once a second of audio the sizes are brought up to date
        MediaFixture.await("two seconds written", () -> {
            try {
                return Files.size(file) == 44 + 250 * 960;
            } catch (java.io.IOException e) {
                return false;
            }
        });
        short[] partial = TestWavFiles.readPrefix48kMono(file);
        assertEquals(200 * 480, partial.length, "the header covers the first two seconds while recording");
        session.close();
        assertEquals(250 * 480, TestWavFiles.read48kMono(file).length);
    }

    @Test
    void asecondClient_isRefused_whileTheFirstRecords() throws Exception {
        Path file = dir.resolve("one.wav");
        fixture.devices.addWavRecorder("rec", "Recorder", file);
        AloAudio first = fixture.client(MediaFixture.config("first").audioOutputDeviceId("rec").build());
        AloAudio second = fixture.client(MediaFixture.config("second").audioOutputDeviceId("rec").build());
        AudioSession recording = fixture.audio(first).startSession("ch");

        AudioDeviceException e = assertThrows(AudioDeviceException.class,
                () -> fixture.audio(second).startSession("ch"));
        assertEquals("rec", e.deviceId());
        assertTrue(e.getMessage().contains("one client at a time") && e.getMessage().contains("'first'"),
                e.getMessage());
        AloAudio third = fixture.client("third");
        assertThrows(AudioDeviceException.class, () -> third.changeAudioOutput("rec"));
        assertEquals("discard", third.audioOutputDeviceId(), "the refused choice was not stored");
        assertThrows(AudioDeviceException.class, () -> fixture.audio(second).checkDevices());

        recording.accept(Signals.constantFrame(1));
        recording.close();
        recording.close(); // idempotent
        AudioSession next = fixture.audio(second).startSession("ch");
        next.accept(Signals.constantFrame(9));
        next.accept(Signals.constantFrame(10));
        next.close();
        assertFrames(TestWavFiles.read48kMono(file), 9, 2);
    }

    @Test
    void removingTheRecorder_completesTheFile_andTheClientFallsBackToDiscard() throws Exception {
        Path file = dir.resolve("removed.wav");
        fixture.devices.addWavRecorder("rec", "Recorder", file);
        AloAudio client = fixture.client(MediaFixture.config("c").audioOutputDeviceId("rec").build());
        AudioSession session = fixture.audio(client).startSession("ch");
        for (int i = 0; i < 30; i++) {
            session.accept(Signals.constantFrame(i + 1));
        }
        assertTrue(fixture.devices.remove("rec"));
        assertFrames(TestWavFiles.read48kMono(file), 1, 30);
        assertFalse(MediaFixture.isOpen(file));
        assertEquals("discard", session.outputId());
        assertEquals("discard", client.audioOutputDeviceId());
        session.accept(Signals.constantFrame(99));
        assertEquals(31, session.framesReceived());
        assertFrames(TestWavFiles.read48kMono(file), 1, 30);
    }

    @Test
    void closingTheRuntime_completesTheFile() throws Exception {
        Path file = dir.resolve("runtime.wav");
        fixture.devices.addWavRecorder("rec", "Recorder", file);
        AudioSession session = fixture.audio(fixture.client(MediaFixture.config("c").audioOutputDeviceId("rec")
                .build())).startSession("ch");
        for (int i = 0; i < 120; i++) {
            session.accept(Signals.constantFrame(i + 1));
        }
        fixture.close();
        assertTrue(session.isClosed());
        assertFalse(MediaFixture.isOpen(file));
        assertFrames(TestWavFiles.read48kMono(file), 1, 120);
    }

    @Test
    void aNewSession_replacesTheFile() throws Exception {
        Path file = dir.resolve("again.wav");
        Files.write(file, new byte[100_000]);
        fixture.devices.addWavRecorder("rec", "Recorder", file);
        ClientAudio audio = fixture.audio(fixture.client(MediaFixture.config("c").audioOutputDeviceId("rec")
                .build()));
        AudioSession one = audio.startSession("ch");
        one.accept(Signals.constantFrame(1));
        one.close();
        assertFrames(TestWavFiles.read48kMono(file), 1, 1);
        AudioSession two = audio.startSession("ch");
        two.close();
        assertEquals(0, TestWavFiles.read48kMono(file).length, "replaced by an empty recording");
    }

    @Test
    void aRecorderThatCannotCreateItsFile_failsTheSession_andHoldsNothing() throws Exception {
        Path folder = Files.createDirectory(dir.resolve("later"));
        Path file = folder.resolve("x.wav");
        fixture.devices.addWavRecorder("rec", "Recorder", file);
        Files.createDirectory(file); // the path is now a folder
        fixture.devices.addToneInput("tone", "Tone", 440, 0.5);
        AloAudio client = fixture.client(MediaFixture.config("c").audioInputDeviceId("tone")
                .audioOutputDeviceId("rec").build());
        AudioDeviceException e = assertThrows(AudioDeviceException.class,
                () -> fixture.audio(client).startSession("ch"));
        assertTrue(e.getMessage().contains("cannot create") && e.getMessage().contains("x.wav"), e.getMessage());
        InputDevice tone = (InputDevice) fixture.devices.device("tone",
                ai.alo.audio.media.MediaDeviceKind.AUDIO_INPUT).orElseThrow();
        assertEquals(0, tone.uses(), "the input taken for the session was given back");
        assertEquals(0, fixture.devices.sessions());
    }

    @Test
    void addingARecorder_checksItsFolder() throws Exception {
        AudioDeviceException missing = assertThrows(AudioDeviceException.class,
                () -> fixture.devices.addWavRecorder("r1", "R", dir.resolve("no/such/folder/x.wav")));
        assertTrue(missing.getMessage().contains("does not exist"), missing.getMessage());
        AudioDeviceException folder = assertThrows(AudioDeviceException.class,
                () -> fixture.devices.addWavRecorder("r2", "R", dir));
        assertTrue(folder.getMessage().contains("is a folder"), folder.getMessage());
        assertFalse(fixture.devices.list().audioOutputs().containsKey("r1"));
    }

    @Test
    void theHeader_isAStandardWavHeader() {
        java.nio.ByteBuffer h = WavRecorderOutput.header(960);
        byte[] bytes = new byte[44];
        h.get(bytes);
        assertEquals("RIFF", new String(bytes, 0, 4, java.nio.charset.StandardCharsets.US_ASCII));
        assertEquals("WAVEfmt ", new String(bytes, 8, 8, java.nio.charset.StandardCharsets.US_ASCII));
        assertEquals("data", new String(bytes, 36, 4, java.nio.charset.StandardCharsets.US_ASCII));
        assertEquals(0xFFFFFFFFL - 36 - (0xFFFFFFFFL - 36) % 960, WavRecorderOutput.MAX_DATA_BYTES);
    }
}
