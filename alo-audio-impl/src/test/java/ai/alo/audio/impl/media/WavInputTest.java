package ai.alo.audio.impl.media;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.alo.audio.media.AudioDeviceException;
import ai.alo.audio.media.MediaDevice;
import ai.alo.audio.media.MediaDeviceKind;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.sound.sampled.AudioFileFormat;
import javax.sound.sampled.AudioFormat.Encoding;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * WAV inputs: files in every accepted format (written with Java Sound) come out as 48 kHz mono 16-bit with the same
 * tone, level and length; the end of the file gives silence or loops without a gap; bad files fail when added, with a
 * message that names the problem, and leave no file open.
 */
class WavInputTest {

    @TempDir
    Path dir;
    private MediaFixture fixture;

    @BeforeEach
    void setUp() {
        fixture = new MediaFixture("wav-test");
    }

    @AfterEach
    void tearDown() {
        fixture.close();
    }

    private WavInput added(String id, Path file, boolean loop) {
        fixture.devices.addWavInput(id, "WAV " + id, file, loop);
        return (WavInput) fixture.devices.device(id, MediaDeviceKind.AUDIO_INPUT).orElseThrow();
    }

    private static short[] play(InputDevice input, int frames) {
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < frames; i++) {
            out.add(input.frame(i));
        }
        return Signals.samples(out);
    }

    @ParameterizedTest(name = "{0} {1} Hz {2} bit {3} ch")
    @CsvSource({
        "PCM_UNSIGNED, 8000, 8, 1, 0.02",
        "PCM_SIGNED, 8000, 16, 1, 0.01",
        "PCM_SIGNED, 16000, 16, 1, 0.01",
        "PCM_SIGNED, 22050, 16, 2, 0.01",
        "PCM_SIGNED, 44100, 24, 2, 0.01",
        "PCM_SIGNED, 48000, 32, 1, 0.01",
        "PCM_SIGNED, 96000, 16, 1, 0.01",
        "PCM_FLOAT, 44100, 32, 1, 0.01",
        "ULAW, 8000, 8, 1, 0.03",
        "ALAW, 8000, 8, 1, 0.03",
    })
    void everyAcceptedFormat_becomes48kMono_withTheSameToneLevelAndLength(String encoding, int rate, int bits,
                                                                           int channels, double tolerance)
            throws Exception {
        double frequency = 1000;
        double level = 0.5;
        int frames = rate; // one second
        Path file = TestWavFiles.write(dir.resolve(encoding + rate + "x" + bits + "x" + channels + ".wav"),
                new Encoding(encoding), rate, bits, channels, frames, TestWavFiles.sine(frequency, level, rate));

        WavInput input = added("wav", file, false);

        assertEquals(48_000, input.length(), "one second at 48 kHz");
        short[] x = play(input, 100);
        // the middle, away from the edges of the file
        assertEquals(level, Signals.amplitudeAt(x, 4800, 43200, frequency, 48_000), tolerance * 2,
                "amplitude at " + frequency + " Hz");
        assertEquals(level / Math.sqrt(2), Signals.rms(x, 4800, 43200), tolerance, "rms");
        double elsewhere = Math.max(Signals.amplitudeAt(x, 4800, 43200, 1500, 48_000),
                Signals.amplitudeAt(x, 4800, 43200, frequency * 7, 48_000));
        assertTrue(elsewhere < level * (rate == 8000 && bits == 8 ? 0.06 : 0.02), "energy elsewhere " + elsewhere);
        assertFalse(MediaFixture.isOpen(file), "the file is closed once added");
    }

    @Test
    void aMinuteOfCdAudio_isConvertedInReasonableTime() throws Exception {
        Path file = TestWavFiles.write(dir.resolve("minute.wav"), Encoding.PCM_SIGNED, 44_100, 16, 2, 60 * 44_100,
                TestWavFiles.sine(440, 0.5, 44_100));
        long start = System.nanoTime();
        WavInput input = added("minute", file, false);
        long millis = (System.nanoTime() - start) / 1_000_000;
        System.out.println("a 60 s 44.1 kHz stereo 16-bit WAV file (" + Files.size(file) / 1024 + " KiB) was added "
                + "in " + millis + " ms");
        assertEquals(60 * 48_000, input.length());
        assertTrue(millis < 60_000, "a generous bound: " + millis + " ms");
    }

    @Test
    void stereo_isTheAverageOfItsChannels() throws Exception {
        Path file = TestWavFiles.write(dir.resolve("stereo.wav"), Encoding.PCM_SIGNED, 44_100, 16, 2, 44_100,
                (channel, i) -> channel == 0 ? 0.6 * Math.sin(2 * Math.PI * 440 * i / 44_100.0)
                        : 0.4 * Math.sin(2 * Math.PI * 2500 * i / 44_100.0));
        short[] x = play(added("stereo", file, false), 100);
        assertEquals(0.3, Signals.amplitudeAt(x, 4800, 43200, 440, 48_000), 0.01);
        assertEquals(0.2, Signals.amplitudeAt(x, 4800, 43200, 2500, 48_000), 0.01);
    }

    @Test
    void at48kMono16_theSamplesPassUnchanged() throws Exception {
        Path file = TestWavFiles.write(dir.resolve("same.wav"), Encoding.PCM_SIGNED, 48_000, 16, 1, 1000,
                (c, i) -> ((i * 37) % 2000 - 1000) / 32767.0);
        short[] x = play(added("same", file, false), 3);
        for (int i = 0; i < 1000; i++) {
            assertEquals((i * 37) % 2000 - 1000, x[i], "sample " + i);
        }
        for (int i = 1000; i < x.length; i++) {
            assertEquals(0, x[i], "after the end: silence");
        }
    }

    @Test
    void withoutLoop_theEndIsFollowedBySilence() throws Exception {
        Path file = TestWavFiles.write(dir.resolve("short.wav"), Encoding.PCM_SIGNED, 48_000, 16, 1, 12_000,
                TestWavFiles.sine(440, 0.5, 48_000)); // 250 ms: 25 frames
        WavInput input = added("short", file, false);
        input.acquire();
        for (int tick = 0; tick < 25; tick++) {
            assertTrue(Signals.rms(Signals.samples(input.frame(tick))) > 0.3, "frame " + tick + " has the tone");
        }
        for (int tick = 25; tick < 60; tick++) {
            assertSame(Pcm.SILENT_FRAME, input.frame(tick), "frame " + tick + " is silent");
        }
    }

    @Test
    void withLoop_theFileStartsOverWithoutAGap() throws Exception {
        int length = 12_345; // not a whole number of frames
        Path file = TestWavFiles.write(dir.resolve("loop.wav"), Encoding.PCM_SIGNED, 48_000, 16, 1, length,
                (c, i) -> (i % 1000 + 1) / 32767.0);
        WavInput input = added("loop", file, true);
        input.acquire();
        short[] x = play(input, 100);
        for (int i = 0; i < x.length; i++) {
            assertEquals((i % length) % 1000 + 1, x[i], "sample " + i);
        }
    }

    @Test
    void aNewUse_afterNobodyUsedIt_startsFromTheBeginning() throws Exception {
        Path file = TestWavFiles.write(dir.resolve("restart.wav"), Encoding.PCM_SIGNED, 48_000, 16, 1, 4800,
                (c, i) -> (i + 1) / 32767.0);
        WavInput input = added("restart", file, false);
        input.acquire();
        input.frame(0);
        input.frame(1);
        input.acquire(); // a second session: no restart
        assertEquals(961, Signals.samples(input.frame(2))[0]);
        input.release();
        input.release();
        input.acquire(); // used again after nobody used it: from the start
        assertEquals(1, Signals.samples(input.frame(3))[0]);
    }

    @Test
    void truncatedData_givesTheSamplesThatAreThere() throws Exception {
        Path full = TestWavFiles.write(dir.resolve("full.wav"), Encoding.PCM_SIGNED, 48_000, 16, 1, 48_000,
                TestWavFiles.sine(440, 0.5, 48_000));
        Path cut = dir.resolve("cut.wav");
        byte[] bytes = Files.readAllBytes(full);
        Files.write(cut, Arrays.copyOf(bytes, 44 + 24_000 * 2 + 1)); // half of the data, and half a sample
        assertEquals(24_000, added("cut", cut, false).length());
    }

    // --------------------------------------------------------------------------------------------------------------
    // bad files

    private AudioDeviceException refused(String id, Path file) {
        AudioDeviceException e = assertThrows(AudioDeviceException.class,
                () -> fixture.devices.addWavInput(id, "bad", file, false));
        assertEquals(id, e.deviceId());
        assertTrue(e.getMessage().contains(id), e.getMessage());
        assertFalse(fixture.devices.list().audioInputs().containsKey(id), "not added");
        assertFalse(MediaFixture.isOpen(file), "the file was closed: " + MediaFixture.openFiles());
        return e;
    }

    private static void assertMentions(AudioDeviceException e, String... words) {
        for (String word : words) {
            assertTrue(e.getMessage().contains(word), "'" + word + "' in: " + e.getMessage());
        }
    }

    @Test
    void missingFile_folder_emptyFile_textFile() throws Exception {
        assertMentions(refused("missing", dir.resolve("nope.wav")), "there is no file", "nope.wav");
        assertMentions(refused("folder", dir), "is a folder");
        assertMentions(refused("empty", Files.write(dir.resolve("empty.wav"), new byte[0])), "not a WAV file",
                "0 bytes");
        Path text = Files.write(dir.resolve("notes.wav"), "hello, this is not audio at all\n"
                .getBytes(StandardCharsets.US_ASCII));
        assertMentions(refused("text", text), "not a WAV file", "'hello, this ", "RIFF....WAVE");
    }

    @Test
    void otherAudioFiles_areNotWavFiles() throws Exception {
        Path aiff = TestWavFiles.write(dir.resolve("tone.aiff"), AudioFileFormat.Type.AIFF, Encoding.PCM_SIGNED,
                44_100, 16, 1, 4410, TestWavFiles.sine(440, 0.5, 44_100));
        assertMentions(refused("aiff", aiff), "not a WAV file", "FORM");
        Path au = TestWavFiles.write(dir.resolve("tone.au"), AudioFileFormat.Type.AU, Encoding.PCM_SIGNED,
                8000, 16, 1, 800, TestWavFiles.sine(440, 0.5, 8000));
        assertMentions(refused("au", au), "not a WAV file");
    }

    @Test
    void truncatedHeader() throws Exception {
        Path good = TestWavFiles.write(dir.resolve("good.wav"), Encoding.PCM_SIGNED, 16_000, 16, 1, 1600,
                TestWavFiles.sine(440, 0.5, 16_000));
        byte[] bytes = Files.readAllBytes(good);
        assertMentions(refused("t8", Files.write(dir.resolve("t8.wav"), Arrays.copyOf(bytes, 8))), "not a WAV file",
                "8 bytes");
        assertMentions(refused("t20", Files.write(dir.resolve("t20.wav"), Arrays.copyOf(bytes, 20))), "truncated");
        assertMentions(refused("t30", Files.write(dir.resolve("t30.wav"), Arrays.copyOf(bytes, 30))), "truncated");
        assertMentions(refused("t12", Files.write(dir.resolve("t12.wav"), Arrays.copyOf(bytes, 12))), "truncated");
    }

    @Test
    void unsupportedFormats_areNamed() throws Exception {
        assertMentions(refused("f64", TestWavFiles.handMade(dir.resolve("f64.wav"), 3, 1, 48_000, 64, 800, 800)),
                "floating-point PCM, 64 bit", "only 32-bit floating-point", "ffmpeg");
        assertMentions(refused("adpcm", TestWavFiles.handMade(dir.resolve("adpcm.wav"), 0x11, 1, 8000, 4, 256,
                256)), "IMA ADPCM", "compressed", "0x0011");
        assertMentions(refused("mp3", TestWavFiles.handMade(dir.resolve("mp3.wav"), 0x55, 2, 44_100, 0, 256, 256)),
                "MP3", "compressed");
        assertMentions(refused("gsm", TestWavFiles.handMade(dir.resolve("gsm.wav"), 0x31, 1, 8000, 0, 65, 65)),
                "GSM 6.10");
        assertMentions(refused("surround", TestWavFiles.handMade(dir.resolve("six.wav"), 1, 6, 48_000, 16, 1200,
                1200)), "6 channels", "only mono and stereo");
        assertMentions(refused("slow", TestWavFiles.handMade(dir.resolve("slow.wav"), 1, 1, 4000, 16, 800, 800)),
                "4000 Hz", "8,000 to 192,000");
        assertMentions(refused("odd", TestWavFiles.handMade(dir.resolve("odd.wav"), 1, 1, 8000, 12, 800, 800)),
                "12 bit", "8, 16, 24 or 32");
    }

    @Test
    void tooLong_isRefusedBeforeItIsRead() throws Exception {
        // the header claims 11 minutes at 48 kHz mono 16-bit; the data is short
        int declared = 11 * 60 * 48_000 * 2;
        AudioDeviceException e = refused("long", TestWavFiles.handMade(dir.resolve("long.wav"), 1, 1, 48_000, 16,
                9600, declared));
        assertMentions(e, "660 s long", "at most 600 s");
    }

    @Test
    void resampledLength_isRoundedFromTheSourceLength() {
        assertEquals(48_000, Resampler.outputLength(44_100, 44_100, 48_000));
        assertEquals(6, Resampler.outputLength(1, 8000, 48_000));
        assertEquals(2, Resampler.outputLength(4, 96_000, 48_000));
        assertEquals(1, Resampler.outputLength(1, 96_000, 48_000)); // 0.5 rounds up
        MediaDevice device = new MediaDevice("x", "x", MediaDeviceKind.AUDIO_INPUT);
        assertEquals(0, new WavInput(device, new short[0], true).length());
        assertSame(Pcm.SILENT_FRAME, new WavInput(device, new short[0], true).frame(0), "an empty loop is silent");
    }

    @Test
    void addingUnderATakenId_doesNotReadTheFile() throws Exception {
        Path file = TestWavFiles.write(dir.resolve("a.wav"), Encoding.PCM_SIGNED, 48_000, 16, 1, 480,
                TestWavFiles.sine(440, 0.5, 48_000));
        fixture.devices.addWavInput("a", "A", file, false);
        AudioDeviceException e = assertThrows(AudioDeviceException.class,
                () -> fixture.devices.addWavInput("a", "again", dir.resolve("does-not-exist.wav"), false));
        assertMentions(e, "exists already");
        assertArrayEquals(new String[] {"silence", "a"},
                fixture.devices.list().audioInputs().keySet().toArray(new String[0]));
    }
}
