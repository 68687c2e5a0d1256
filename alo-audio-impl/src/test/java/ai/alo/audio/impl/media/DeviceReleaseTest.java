package ai.alo.audio.impl.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.alo.audio.AloAudio;
import ai.alo.audio.media.AudioDeviceException;
import ai.alo.audio.media.AudioFrame;
import ai.alo.audio.media.PcmInput;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javax.sound.sampled.AudioFormat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Closing the runtime releases every device on one path: the Java Sound lines are closed and their threads end, the
 * WAV recording is completed and its file closed, the PCM input's blocked writer is woken, no thread of the runtime is
 * left and the process holds no more descriptors than before. Repeated, nothing grows.
 */
class DeviceReleaseTest {

    private static final AudioFormat MONO_48K = new AudioFormat(48_000, 16, 1, true, false);

    @TempDir
    Path dir;

    @AfterEach
    void unplug() {
        SoftwareMixerProvider.unplugAll();
    }

    /** Runs a runtime with every kind of device in use, then closes it. */
    private void cycle(int n, SoftwareMixer card) throws Exception {
        MediaFixture fixture = new MediaFixture("release-test");
        fixture.runtime.ensureStarted();
        DeviceRegistry devices = fixture.devices;
        Path file = dir.resolve("cycle-" + n + ".wav");
        devices.addWavRecorder("rec", "Recorder", file);
        List<AudioFrame> heard = new CopyOnWriteArrayList<>();
        devices.addPcmOutput("sink", "Sink", heard::add);
        PcmInput push = devices.addPcmInput("push", "Push", Duration.ofMillis(20));
        devices.addToneInput("tone", "Tone", 440, 0.5);
        devices.list();

        AloAudio capturing = fixture.client(MediaFixture.config("capturing")
                .audioInputDeviceId("javasound-in:Card").audioOutputDeviceId("rec").build());
        AloAudio playing = fixture.client(MediaFixture.config("playing")
                .audioInputDeviceId("tone").audioOutputDeviceId("javasound-out:Card").build());
        AloAudio pushing = fixture.client(MediaFixture.config("pushing")
                .audioInputDeviceId("push").audioOutputDeviceId("sink").build());
        AudioSession a = fixture.audio(capturing).startSession("ch");
        AudioSession b = fixture.audio(playing).startSession("ch");
        AudioSession c = fixture.audio(pushing).startSession("ch");
        for (int tick = 0; tick < 20; tick++) {
            byte[] frame = b.nextFrame(tick);
            a.nextFrame(tick);
            c.nextFrame(tick);
            a.accept(frame);
            b.accept(frame);
            c.accept(frame);
        }
        MediaFixture.await("the sink got 20 frames", () -> heard.size() == 20);
        CompletableFuture<Throwable> writer = CompletableFuture.supplyAsync(() -> {
            try {
                push.write(new short[48_000], 0, 48_000); // blocks: 20 ms of room
                return null;
            } catch (Throwable e) {
                return e;
            }
        });
        MediaFixture.await("the writer to fill the input", () -> push.buffered().equals(Duration.ofMillis(20)));
        assertEquals(1, MediaFixture.threadsNamed("release-test-capture-").size());
        assertEquals(1, MediaFixture.threadsNamed("release-test-playback-").size());
        assertTrue(MediaFixture.isOpen(file));

        fixture.close();

        assertTrue(fixture.runtime.liveThreads().isEmpty(), "threads left: " + fixture.runtime.liveThreads());
        assertFalse(MediaFixture.isOpen(file), "the recording's file was closed");
        assertEquals(20 * 480, TestWavFiles.read48kMono(file).length, "and completed");
        AudioDeviceException woken = assertInstanceOf(AudioDeviceException.class,
                writer.get(10, TimeUnit.SECONDS));
        assertEquals("push", woken.deviceId());
        assertTrue(a.isClosed() && b.isClosed() && c.isClosed());
        assertEquals(n + 1, card.closed.get() / 2, "both lines of the card closed in each cycle");
    }

    @Test
    void closingTheRuntime_releasesEveryDevice_andRepeatingItLeaksNothing() throws Exception {
        SoftwareMixer card = new SoftwareMixer("Card", MONO_48K, MONO_48K, 440);
        SoftwareMixerProvider.plugIn(card);
        cycle(0, card); // warm up: classes, the common pool's thread
        int threadsBefore = settledThreads(Integer.MAX_VALUE);
        int fdsBefore = MediaFixture.fileDescriptors();
        List<String> filesBefore = MediaFixture.openFiles();
        for (int i = 1; i <= 10; i++) {
            cycle(i, card);
        }
        int threadsAfter = settledThreads(threadsBefore);
        int fdsAfter = settledFds(fdsBefore);
        System.out.println("10 runtimes with every device in use: threads " + threadsBefore + " -> " + threadsAfter
                + ", fds " + fdsBefore + " -> " + fdsAfter);
        assertTrue(threadsAfter <= threadsBefore, "threads " + threadsBefore + " -> " + threadsAfter);
        List<String> opened = new java.util.ArrayList<>(MediaFixture.openFiles());
        filesBefore.forEach(opened::remove);
        assertTrue(fdsAfter <= fdsBefore, "file descriptors " + fdsBefore + " -> " + fdsAfter + ", new: " + opened);
        assertTrue(MediaFixture.threadsNamed("release-test-").isEmpty(), "" + MediaFixture.threadsNamed("release-"));
    }

    @Test
    void sessionsThatEnd_giveBackTheirLines_andTheRuntimeKeepsNoThreadForThem() throws Exception {
        SoftwareMixer card = new SoftwareMixer("Card", MONO_48K, MONO_48K, 440);
        SoftwareMixerProvider.plugIn(card);
        try (MediaFixture fixture = new MediaFixture("session-release")) {
            fixture.devices.list();
            AloAudio client = fixture.client(MediaFixture.config("c").audioInputDeviceId("javasound-in:Card")
                    .audioOutputDeviceId("javasound-out:Card").build());
            for (int i = 0; i < 20; i++) {
                AudioSession session = fixture.audio(client).startSession("ch");
                session.nextFrame(0);
                session.accept(new byte[960]);
                if (i % 2 == 0) {
                    session.close();
                } else {
                    fixture.audio(client).endSession();
                }
                assertTrue(MediaFixture.threadsNamed("session-release-capture-").isEmpty(), "cycle " + i);
                assertTrue(MediaFixture.threadsNamed("session-release-playback-").isEmpty(), "cycle " + i);
            }
            assertEquals(40, card.opened.get());
            assertEquals(40, card.closed.get());
            assertEquals(0, fixture.devices.sessions());
        }
    }

    /** The descriptor count once it is at most {@code atMost} (a transient one, such as a jar being read, goes). */
    private static int settledFds(int atMost) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        int count = MediaFixture.fileDescriptors();
        while (count > atMost && System.nanoTime() < deadline) {
            Thread.sleep(20);
            count = MediaFixture.fileDescriptors();
        }
        return count;
    }

    private static int settledThreads(int atMost) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        int count = Thread.getAllStackTraces().size();
        while (count > atMost && System.nanoTime() < deadline) {
            Thread.sleep(20);
            count = Thread.getAllStackTraces().size();
        }
        return count;
    }
}
