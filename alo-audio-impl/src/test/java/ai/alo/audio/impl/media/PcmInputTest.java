package ai.alo.audio.impl.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.alo.audio.media.AudioDeviceException;
import ai.alo.audio.media.PcmInput;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The PCM push input: a bounded buffer that paces a fast writer (it blocks while full and goes on as ticks take
 * frames out) and loses nothing; offer with a timeout, drain, clear, interrupt and removal.
 */
class PcmInputTest {

    private MediaFixture fixture;
    private DefaultPcmInput input;
    private long tick;

    @BeforeEach
    void setUp() {
        fixture = new MediaFixture("pcm-input-test");
        input = (DefaultPcmInput) fixture.devices.addPcmInput("bot", "Bot voice", Duration.ofMillis(100));
    }

    @AfterEach
    void tearDown() {
        fixture.close();
    }

    private static short[] ramp(int from, int count) {
        short[] s = new short[count];
        for (int i = 0; i < count; i++) {
            s[i] = (short) (1 + (from + i) % 30_000); // never 0, so that padding is told apart
        }
        return s;
    }

    private short[] takeFrames(int frames) {
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < frames; i++) {
            out.add(input.frame(tick++));
        }
        return Signals.samples(out);
    }

    private static void awaitBlocked(Thread thread) throws InterruptedException {
        MediaFixture.await("the writer to block", () -> thread.getState() == Thread.State.WAITING
                || thread.getState() == Thread.State.TIMED_WAITING);
    }

    @Test
    void aWriterFasterThanRealTime_isPacedByTheTicks_andNothingIsLost() throws Exception {
        assertEquals(Duration.ofMillis(100), input.capacity());
        int total = 48_000; // one second into a buffer of 100 ms
        short[] written = ramp(0, total);
        CompletableFuture<Void> writer = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            try {
                input.write(written, 0, total);
                writer.complete(null);
            } catch (Throwable e) {
                writer.completeExceptionally(e);
            }
        }, "pcm-writer");
        thread.start();
        awaitBlocked(thread);
        assertFalse(writer.isDone(), "blocked while full");
        assertEquals(4800, input.bufferedSamples(), "the buffer is full");
        assertEquals(Duration.ofMillis(100), input.buffered());

        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            out.add(input.frame(tick++));
        }
        MediaFixture.await("the writer to refill what 5 ticks took", () -> input.bufferedSamples() == 4800);
        assertFalse(writer.isDone(), "still blocked: 1 s does not fit");

        // each tick frees room for one frame, which the writer fills before the next tick
        for (int frame = 5; frame < 100; frame++) {
            MediaFixture.await("a full buffer before tick " + frame,
                    () -> input.bufferedSamples() == 4800 || writer.isDone());
            out.add(input.frame(tick++));
        }
        writer.get(10, TimeUnit.SECONDS);
        short[] all = Signals.samples(out);
        for (int i = 0; i < total; i++) {
            assertEquals(written[i], all[i], "sample " + i);
        }
        assertEquals(0, input.bufferedSamples());
        assertSame(Pcm.SILENT_FRAME, input.frame(tick++), "empty: silence");
    }

    @Test
    void aPartialFrame_isPaddedWithSilence() throws Exception {
        input.write(ramp(0, 100), 0, 100);
        short[] frame = takeFrames(1);
        for (int i = 0; i < 480; i++) {
            assertEquals(i < 100 ? i + 1 : 0, frame[i], "sample " + i);
        }
    }

    @Test
    void offer_returnsHowManyFit_withinTheTimeout() throws Exception {
        assertEquals(4000, input.offer(ramp(0, 4000), 0, 4000, Duration.ZERO));
        long start = System.nanoTime();
        int n = input.offer(ramp(4000, 2000), 0, 2000, Duration.ofMillis(50));
        long waited = System.nanoTime() - start;
        assertEquals(800, n, "only 800 more fit");
        assertTrue(waited >= TimeUnit.MILLISECONDS.toNanos(40), "waited for room: " + waited / 1_000_000 + " ms");
        assertEquals(0, input.offer(ramp(0, 10), 0, 10, Duration.ZERO));
        takeFrames(1);
        assertEquals(10, input.offer(ramp(0, 10), 0, 10, Duration.ZERO), "room after a tick");
    }

    @Test
    void drain_waitsUntilTheTicksTookEverything() throws Exception {
        input.write(ramp(0, 2400), 0, 2400);
        assertFalse(input.drain(Duration.ofMillis(20)), "nothing was taken");
        CompletableFuture<Boolean> drained = CompletableFuture.supplyAsync(() -> {
            try {
                return input.drain(Duration.ofSeconds(10));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        takeFrames(4);
        assertFalse(drained.isDone() && drained.getNow(false), "one frame is left");
        takeFrames(1);
        assertTrue(drained.get(10, TimeUnit.SECONDS));
        assertTrue(input.drain(Duration.ZERO), "empty now");
    }

    @Test
    void clear_dropsWhatIsBuffered_andUnblocksTheWriter() throws Exception {
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            try {
                input.write(ramp(0, 6000), 0, 6000);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        MediaFixture.await("full", () -> input.bufferedSamples() == 4800);
        input.clear();
        writer.get(10, TimeUnit.SECONDS);
        assertEquals(1200, input.bufferedSamples(), "the rest of the write, after the clear");
        assertEquals(4801, takeFrames(1)[0], "the first sample after the clear is sample 4800 of the write");
    }

    @Test
    void interruptingABlockedWriter_keepsWhatWasWritten() throws Exception {
        CompletableFuture<Throwable> outcome = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            try {
                input.write(ramp(0, 10_000), 0, 10_000);
                outcome.complete(null);
            } catch (Throwable e) {
                outcome.complete(e);
            }
        }, "pcm-writer");
        thread.start();
        awaitBlocked(thread);
        thread.interrupt();
        assertInstanceOf(InterruptedException.class, outcome.get(10, TimeUnit.SECONDS));
        assertEquals(4800, input.bufferedSamples(), "the samples written before the interrupt stay");
        assertEquals(1, takeFrames(1)[0]);
    }

    @Test
    void removingTheInput_failsBlockedAndLaterWriters() throws Exception {
        CompletableFuture<Throwable> outcome = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            try {
                input.write(ramp(0, 10_000), 0, 10_000);
                outcome.complete(null);
            } catch (Throwable e) {
                outcome.complete(e);
            }
        }, "pcm-writer");
        thread.start();
        awaitBlocked(thread);
        assertTrue(fixture.devices.remove("bot"));
        AudioDeviceException e = assertInstanceOf(AudioDeviceException.class, outcome.get(10, TimeUnit.SECONDS));
        assertEquals("bot", e.deviceId());
        assertTrue(e.getMessage().contains("removed"), e.getMessage());
        assertThrows(AudioDeviceException.class, () -> input.write(new byte[2]));
        assertThrows(AudioDeviceException.class, () -> input.offer(new short[1], 0, 1, Duration.ZERO));
        assertFalse(input.drain(Duration.ZERO), "removed: what was written is not sent");
    }

    @Test
    void writeBytes_isLittleEndian_andRefusesAnOddLength() throws Exception {
        input.write(new byte[] {0x34, 0x12, (byte) 0xff, (byte) 0xff});
        short[] frame = takeFrames(1);
        assertEquals(0x1234, frame[0]);
        assertEquals(-1, frame[1]);
        assertThrows(IllegalArgumentException.class, () -> input.write(new byte[3]));
        assertThrows(IllegalArgumentException.class, () -> input.write(new short[10], 5, 6));
        assertThrows(IllegalArgumentException.class, () -> input.write(new short[10], -1, 2));
        assertThrows(IllegalArgumentException.class, () -> input.offer(new short[10], 0, 11, Duration.ZERO));
    }

    @Test
    void capacity_mustBe20msTo60s() {
        assertThrows(IllegalArgumentException.class,
                () -> fixture.devices.addPcmInput("tiny", "x", Duration.ofMillis(19)));
        assertThrows(IllegalArgumentException.class,
                () -> fixture.devices.addPcmInput("huge", "x", Duration.ofSeconds(61)));
        PcmInput min = fixture.devices.addPcmInput("min", "x", Duration.ofMillis(20));
        assertEquals(Duration.ofMillis(20), min.capacity());
        assertEquals("min", min.device().id());
    }

    @Test
    void aWriterThread_andAPacerThread_loseNothing() throws Exception {
        // a writer that writes 10 ms chunks as fast as it can, a pacer that ticks on its own thread (faster than
        // real time); frames may be partial when the pacer gets ahead: the padding is zeros, the samples never are
        int total = 300 * 480;
        List<byte[]> frames = new ArrayList<>();
        AtomicInteger received = new AtomicInteger();
        Thread pacer = new Thread(() -> {
            long t = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (received.get() < total && System.nanoTime() < deadline) {
                byte[] frame = input.frame(t++);
                if (frame != Pcm.SILENT_FRAME) {
                    frames.add(frame);
                    for (short v : Signals.samples(frame)) {
                        if (v != 0) {
                            received.incrementAndGet();
                        }
                    }
                }
                try {
                    Thread.sleep(0, 200_000);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "test-pacer");
        pacer.start();
        for (int c = 0; c < 300; c++) {
            input.write(ramp(c * 480, 480), 0, 480);
        }
        pacer.join(TimeUnit.SECONDS.toMillis(30));
        assertFalse(pacer.isAlive());
        short[] all = Signals.samples(frames);
        int at = 0;
        for (short v : all) {
            if (v != 0) {
                assertEquals(1 + at % 30_000, v, "sample " + at + " in order");
                at++;
            }
        }
        assertEquals(total, at, "every sample arrived");
    }

    @Test
    void offerAfterRemovalOfAnotherDevice_isUnaffected() throws Exception {
        fixture.devices.addToneInput("tone", "Tone", 440, 0.5);
        fixture.devices.remove("tone");
        assertEquals(10, input.offer(new short[10], 0, 10, Duration.ZERO));
    }
}
