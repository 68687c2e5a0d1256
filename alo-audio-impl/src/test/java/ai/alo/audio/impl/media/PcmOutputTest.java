package ai.alo.audio.impl.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.alo.audio.AloAudio;
import ai.alo.audio.media.AudioFrame;
import ai.alo.audio.media.AudioFrameListener;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The PCM callback output: frames arrive stamped, in order, on the runtime's event threads; a listener that blocks
 * never blocks the media engine's thread, loses the oldest frames beyond one second and is told exactly how many; a
 * listener that throws keeps receiving frames; one output may serve several clients.
 */
class PcmOutputTest {

    private MediaFixture fixture;

    @BeforeEach
    void setUp() {
        fixture = new MediaFixture("pcm-output-test");
    }

    @AfterEach
    void tearDown() {
        fixture.close();
    }

    /** Records what the listener got, with the thread. */
    private static final class Recorder implements AudioFrameListener {
        final List<Object> calls = new CopyOnWriteArrayList<>(); // AudioFrame or Long (lost)
        final List<String> threads = new CopyOnWriteArrayList<>();
        volatile CountDownLatch gate = new CountDownLatch(0);
        volatile CountDownLatch entered = new CountDownLatch(1);

        @Override
        public void onFrame(AudioFrame frame) {
            threads.add(Thread.currentThread().getName());
            calls.add(frame);
            entered.countDown();
            try {
                gate.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void onFramesLost(long count) {
            calls.add(count);
        }

        List<AudioFrame> frames() {
            List<AudioFrame> out = new ArrayList<>();
            for (Object call : calls) {
                if (call instanceof AudioFrame f) {
                    out.add(f);
                }
            }
            return out;
        }
    }

    @Test
    void frames_areStampedAndDelivered_inOrder_onAnEventThread() throws Exception {
        Recorder recorder = new Recorder();
        fixture.devices.addPcmOutput("app", "App sink", recorder);
        AloAudio client = fixture.client(MediaFixture.config("listener").audioOutputDeviceId("app").build());
        AudioSession session = fixture.audio(client).startSession("dispatch");
        Instant before = Instant.now();
        for (int i = 0; i < 50; i++) {
            session.accept(Signals.constantFrame(i));
        }
        MediaFixture.await("50 frames", () -> recorder.calls.size() == 50);
        List<AudioFrame> frames = recorder.frames();
        for (int i = 0; i < 50; i++) {
            AudioFrame frame = frames.get(i);
            assertEquals("listener", frame.clientName());
            assertEquals("dispatch", frame.channelId());
            assertEquals(i, frame.sequence());
            assertFalse(frame.receivedAt().isBefore(before));
            assertEquals(i, frame.samples().get(0));
            assertEquals(960, frame.pcm().remaining());
        }
        assertTrue(recorder.threads.stream().allMatch(n -> n.startsWith("pcm-output-test-event-")),
                "delivered on the runtime's event threads: " + recorder.threads);
        assertEquals(50, session.framesReceived());
    }

    @Test
    void theCallersArray_mayBeReusedAfterAccept() throws Exception {
        Recorder recorder = new Recorder();
        fixture.devices.addPcmOutput("app", "App sink", recorder);
        AudioSession session = fixture.audio(fixture.client(MediaFixture.config("c").audioOutputDeviceId("app")
                .build())).startSession("ch");
        byte[] reused = Signals.constantFrame(7);
        session.accept(reused);
        System.arraycopy(Signals.constantFrame(8), 0, reused, 0, 960);
        session.accept(reused);
        MediaFixture.await("2 frames", () -> recorder.calls.size() == 2);
        assertEquals(7, recorder.frames().get(0).samples().get(0));
        assertEquals(8, recorder.frames().get(1).samples().get(0));
    }

    @Test
    void aBlockedListener_losesTheOldestFrames_isToldExactlyHowMany_andNeverBlocksTheCaller() throws Exception {
        Recorder recorder = new Recorder();
        recorder.gate = new CountDownLatch(1);
        fixture.devices.addPcmOutput("slow", "Slow sink", recorder);
        AloAudio client = fixture.client(MediaFixture.config("c").audioOutputDeviceId("slow").build());
        AudioSession session = fixture.audio(client).startSession("ch");

        session.accept(Signals.constantFrame(0));
        assertTrue(recorder.entered.await(10, TimeUnit.SECONDS), "the listener got frame 0 and blocks in it");
        int total = 20_000;
        byte[][] sent = new byte[total][];
        for (int i = 1; i < total; i++) {
            sent[i] = Signals.constantFrame(i % 30_000);
        }
        long slowest = 0;
        long sum = 0;
        for (int i = 1; i < total; i++) {
            long start = System.nanoTime();
            session.accept(sent[i]);
            long took = System.nanoTime() - start;
            slowest = Math.max(slowest, took);
            if (i >= total / 2) {
                sum += took; // the mean of the second half, once compiled
            }
        }
        System.out.println("accept() with a blocked listener: mean " + sum / (total / 2) + " ns (second half), "
                + "slowest " + slowest / 1000 + " us of " + total);
        // the listener blocks for up to 60 s: a caller that waited for it would take that long. The bounds are
        // generous for a noisy shared machine (a thread can be descheduled for a few hundred ms under load)
        assertTrue(slowest < TimeUnit.SECONDS.toNanos(5), "slowest accept() " + slowest / 1000 + " us");
        assertTrue(sum / (total / 2) < TimeUnit.MILLISECONDS.toNanos(1), "mean accept() " + sum / (total / 2)
                + " ns");
        assertEquals(1, recorder.calls.size(), "nothing else was delivered while the listener blocked");

        recorder.gate.countDown();
        // frame 0, then the loss, then the newest 100 frames (one second)
        MediaFixture.await("the rest", () -> recorder.calls.size() == 1 + 1 + 100);
        assertEquals(0L, recorder.frames().get(0).sequence());
        assertEquals((long) (total - 1 - 100), recorder.calls.get(1), "onFramesLost(n) with the exact count");
        List<AudioFrame> frames = recorder.frames();
        for (int i = 1; i <= 100; i++) {
            assertEquals(total - 101 + i, frames.get(i).sequence(), "the oldest were dropped, the newest kept");
        }
        PcmCallbackOutput output = (PcmCallbackOutput) fixture.devices.device("slow",
                ai.alo.audio.media.MediaDeviceKind.AUDIO_OUTPUT).orElseThrow();
        assertEquals(total - 1 - 100, output.framesLost());

        session.accept(Signals.constantFrame(1));
        MediaFixture.await("one more", () -> recorder.calls.size() == 103);
        assertTrue(recorder.calls.get(102) instanceof AudioFrame, "no loss reported when none happened");
    }

    @Test
    void aThrowingListener_isLogged_andKeepsReceiving() throws Exception {
        List<Long> got = new CopyOnWriteArrayList<>();
        AudioFrameListener throwing = frame -> {
            got.add(frame.sequence());
            throw new IllegalStateException("listener bug");
        };
        try (LogCapture log = new LogCapture()) {
            fixture.devices.addPcmOutput("bad", "Bad sink", throwing);
            AudioSession session = fixture.audio(fixture.client(MediaFixture.config("c").audioOutputDeviceId("bad")
                    .build())).startSession("ch");
            for (int i = 0; i < 30; i++) {
                session.accept(Signals.constantFrame(i));
            }
            MediaFixture.await("30 frames", () -> got.size() == 30);
            assertEquals(1, log.count("ALOAUD-1401"), "logged once (then every 1000th): " + log.allText());
            assertTrue(log.allText().contains("listener bug"));
        }
        for (int i = 0; i < 30; i++) {
            assertEquals(i, got.get(i));
        }
    }

    @Test
    void oneOutput_servesSeveralClients_eachFrameNamesItsClient() throws Exception {
        Recorder recorder = new Recorder();
        fixture.devices.addPcmOutput("shared", "Shared sink", recorder);
        AudioSession a = fixture.audio(fixture.client(MediaFixture.config("a").audioOutputDeviceId("shared")
                .build())).startSession("ch-a");
        AudioSession b = fixture.audio(fixture.client(MediaFixture.config("b").audioOutputDeviceId("shared")
                .build())).startSession("ch-b");
        for (int i = 0; i < 10; i++) {
            a.accept(Signals.constantFrame(1));
            b.accept(Signals.constantFrame(2));
        }
        MediaFixture.await("20 frames", () -> recorder.calls.size() == 20);
        for (AudioFrame frame : recorder.frames()) {
            int value = frame.samples().get(0);
            assertEquals(value == 1 ? "a" : "b", frame.clientName());
            assertEquals(value == 1 ? "ch-a" : "ch-b", frame.channelId());
        }
        assertEquals(10, recorder.frames().stream().filter(f -> f.clientName().equals("a")).count());
    }

    @Test
    void framesOfTheWrongLength_areDroppedAndCounted_neverThrown() throws Exception {
        Recorder recorder = new Recorder();
        fixture.devices.addPcmOutput("app", "App sink", recorder);
        AudioSession session = fixture.audio(fixture.client(MediaFixture.config("c").audioOutputDeviceId("app")
                .build())).startSession("ch");
        session.accept(new byte[10]);
        session.accept(null);
        session.accept(new byte[960]);
        MediaFixture.await("1 frame", () -> recorder.calls.size() == 1);
        assertEquals(2, session.framesRejected());
        assertEquals(0, recorder.frames().get(0).sequence());
    }

    @Test
    void switchingTheOutput_takesEffectWithTheNextFrame_andTheSequenceGoesOn() throws Exception {
        Recorder first = new Recorder();
        Recorder second = new Recorder();
        fixture.devices.addPcmOutput("first", "First", first);
        fixture.devices.addPcmOutput("second", "Second", second);
        AloAudio client = fixture.client(MediaFixture.config("c").audioOutputDeviceId("first").build());
        AudioSession session = fixture.audio(client).startSession("ch");
        session.accept(Signals.constantFrame(1));
        client.changeAudioOutput("second");
        assertEquals("second", session.outputId());
        session.accept(Signals.constantFrame(2));
        MediaFixture.await("both", () -> first.calls.size() == 1 && second.calls.size() == 1);
        assertEquals(0, first.frames().get(0).sequence());
        assertEquals(1, second.frames().get(0).sequence());
        client.changeAudioOutput("discard");
        session.accept(Signals.constantFrame(3));
        Thread.sleep(50);
        assertEquals(1, second.calls.size(), "discarded");
        assertEquals(3, session.framesReceived());
    }
}
