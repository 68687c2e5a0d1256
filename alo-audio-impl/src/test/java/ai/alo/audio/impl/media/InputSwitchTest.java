package ai.alo.audio.impl.media;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.alo.audio.AloAudio;
import ai.alo.audio.media.PcmInput;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the pacer sends: an input shared by two clients advances once per tick and both send the same frame; a switch
 * of the input takes effect at the next tick, with no gap and no frame of the old input after it.
 */
class InputSwitchTest {

    private MediaFixture fixture;

    @BeforeEach
    void setUp() {
        fixture = new MediaFixture("input-switch-test");
    }

    @AfterEach
    void tearDown() {
        fixture.close();
    }

    @Test
    void aSharedInput_isConsumedOncePerTick_andBothClientsSendTheSameFrame() throws Exception {
        PcmInput shared = fixture.devices.addPcmInput("shared", "Shared", Duration.ofSeconds(1));
        short[] ramp = new short[480 * 20];
        for (int i = 0; i < ramp.length; i++) {
            ramp[i] = (short) (i + 1);
        }
        shared.write(ramp, 0, ramp.length);
        AloAudio a = fixture.client(MediaFixture.config("a").audioInputDeviceId("shared").build());
        AloAudio b = fixture.client(MediaFixture.config("b").audioInputDeviceId("shared").build());
        AudioSession sa = fixture.audio(a).startSession("ch");
        AudioSession sb = fixture.audio(b).startSession("ch");

        List<byte[]> sent = new ArrayList<>();
        for (long tick = 0; tick < 20; tick++) {
            byte[] fromA = sa.nextFrame(tick);
            byte[] fromB = sb.nextFrame(tick);
            assertSame(fromA, fromB, "tick " + tick + ": one frame, shared");
            assertSame(fromA, sa.nextFrame(tick), "asked again in the same tick: the same frame");
            sent.add(fromA);
        }
        short[] x = Signals.samples(sent);
        for (int i = 0; i < x.length; i++) {
            assertEquals(i + 1, x[i], "sample " + i + ": the input advanced once per tick");
        }
        assertEquals(Duration.ZERO, shared.buffered());
    }

    @Test
    void anInputNobodyUses_doesNotAdvance() throws Exception {
        PcmInput waiting = fixture.devices.addPcmInput("waiting", "Waiting", Duration.ofSeconds(1));
        waiting.write(new short[4800], 0, 4800);
        AudioSession session = fixture.audio(fixture.client("a")).startSession("ch"); // speaks from silence
        for (long tick = 0; tick < 50; tick++) {
            session.nextFrame(tick);
        }
        assertEquals(Duration.ofMillis(100), waiting.buffered(), "nothing was taken from the unused input");
    }

    @Test
    void theSwitch_happensAtATickBoundary() throws Exception {
        PcmInput one = fixture.devices.addPcmInput("one", "One", Duration.ofSeconds(1));
        PcmInput two = fixture.devices.addPcmInput("two", "Two", Duration.ofSeconds(1));
        one.write(constant(1111, 4800), 0, 4800);
        two.write(constant(2222, 4800), 0, 4800);
        AloAudio client = fixture.client(MediaFixture.config("c").audioInputDeviceId("one").build());
        ClientAudio audio = fixture.audio(client);
        AudioSession session = audio.startSession("ch");

        assertEquals(1111, Signals.constantValue(session.nextFrame(0)));
        assertEquals(1111, Signals.constantValue(session.nextFrame(1)));
        client.changeAudioInput("two");
        assertEquals("two", client.audioInputDeviceId());
        assertEquals("two", session.inputId());
        assertEquals(2222, Signals.constantValue(session.nextFrame(2)), "the next tick is the new input's");
        assertEquals(2222, Signals.constantValue(session.nextFrame(3)));
        assertEquals(Duration.ofMillis(80), one.buffered(), "the old input is left where it was");
        assertEquals(Duration.ofMillis(80), two.buffered(), "the new input started with its first frame");
    }

    /**
     * A pacer thread ticks (faster than real time) while the test switches back and forth: the sent stream changes
     * only at tick boundaries (every frame is entirely one input's), and every tick that began after {@code
     * changeAudioInput} returned is the new input's.
     */
    @Test
    void switchingWhileThePacerRuns_neverSendsTheOldInputAfterTheSwitch() throws Exception {
        AudioDevicesHelper.addConstantTone(fixture.devices, "low", 1000);
        AudioDevicesHelper.addConstantTone(fixture.devices, "high", 3000);
        AloAudio client = fixture.client(MediaFixture.config("c").audioInputDeviceId("low").build());
        AudioSession session = fixture.audio(client).startSession("ch");

        int switches = 200;
        long[] before = new long[switches];
        long[] after = new long[switches];
        int[] expected = new int[switches];
        AtomicLong ticksStarted = new AtomicLong();
        List<int[]> sent = new ArrayList<>(); // {tick, value}
        CountDownLatch stop = new CountDownLatch(1);
        Thread pacer = new Thread(() -> {
            long tick = 0;
            while (stop.getCount() > 0) {
                ticksStarted.set(tick + 1); // ticks 0..tick have started, 0..tick-1 have ended
                byte[] frame = session.nextFrame(tick);
                synchronized (sent) {
                    sent.add(new int[] {(int) tick, Signals.constantValue(frame)});
                }
                tick++;
                Thread.onSpinWait();
            }
        }, "test-pacer");
        pacer.start();
        for (int i = 0; i < switches; i++) {
            String id = i % 2 == 0 ? "high" : "low";
            before[i] = ticksStarted.get();
            client.changeAudioInput(id);
            after[i] = ticksStarted.get(); // ticks numbered from here on started after the switch returned
            expected[i] = id.equals("high") ? 3000 : 1000;
            Thread.sleep(0, 300_000);
        }
        Thread.sleep(5);
        stop.countDown();
        pacer.join(10_000);

        synchronized (sent) {
            assertTrue(sent.size() > switches, "the pacer ran: " + sent.size() + " ticks");
            int checked = 0;
            for (int i = 0; i < switches; i++) {
                // from the first tick that began after switch i returned to the last tick that ended before
                // switch i + 1 began: only input i's frames
                long first = after[i];
                long last = i + 1 < switches ? before[i + 1] - 2 : Long.MAX_VALUE;
                for (int[] tickAndValue : sent) {
                    if (tickAndValue[0] >= first && tickAndValue[0] <= last) {
                        assertEquals(expected[i], tickAndValue[1], "tick " + tickAndValue[0] + " after switch " + i);
                        checked++;
                    }
                }
            }
            assertTrue(checked > sent.size() / 2, "most ticks were checked: " + checked + " of " + sent.size());
        }
    }

    private static short[] constant(int value, int n) {
        short[] s = new short[n];
        java.util.Arrays.fill(s, (short) value);
        return s;
    }

    @Test
    void aClosedSession_sendsSilence() {
        fixture.devices.addToneInput("tone", "Tone", 440, 0.5);
        AloAudio client = fixture.client(MediaFixture.config("c").audioInputDeviceId("tone").build());
        AudioSession session = fixture.audio(client).startSession("ch");
        assertTrue(Signals.rms(Signals.samples(session.nextFrame(0))) > 0.3);
        session.close();
        session.close();
        assertSame(Pcm.SILENT_FRAME, session.nextFrame(1));
        assertArrayEquals(new byte[960], session.nextFrame(2));
    }

    @Test
    void pacerCalls_areCheap() {
        fixture.devices.addToneInput("tone", "Tone", 440, 0.5);
        AloAudio client = fixture.client(MediaFixture.config("c").audioInputDeviceId("tone").build());
        AudioSession session = fixture.audio(client).startSession("ch");
        for (long tick = 0; tick < 20_000; tick++) {
            session.nextFrame(tick); // warm up
        }
        long start = System.nanoTime();
        for (long tick = 20_000; tick < 120_000; tick++) {
            session.nextFrame(tick);
        }
        long perTick = (System.nanoTime() - start) / 100_000;
        // a generous bound (a tick is 10 ms); the figure is printed for the report
        System.out.println("nextFrame of a tone: " + perTick + " ns per tick");
        assertTrue(perTick < TimeUnit.MILLISECONDS.toNanos(1), perTick + " ns per tick");
    }
}
