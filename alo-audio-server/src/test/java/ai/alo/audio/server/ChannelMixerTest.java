package ai.alo.audio.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.alo.audio.testing.ToneDetector;
import ai.alo.audio.testing.ToneGenerator;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The relay's channel mixer, without WebRTC: sums, own voice, missing frames, queues, membership, speed. */
class ChannelMixerTest {

    /** What one tick gave each participant: a copy of the frame and the voice count. */
    private record Mix(byte[] frame, int voices) {

        int firstSample() {
            return (short) ((frame[0] & 0xff) | (frame[1] << 8));
        }

        boolean constant(int value) {
            for (int i = 0; i < ChannelMixer.FRAME_SAMPLES; i++) {
                if ((short) ((frame[2 * i] & 0xff) | (frame[2 * i + 1] << 8)) != value) {
                    return false;
                }
            }
            return true;
        }
    }

    private static Map<String, Mix> tick(ChannelMixer mixer) {
        Map<String, Mix> mixes = new LinkedHashMap<>();
        int count = mixer.tick((participant, frame, voices) -> {
            assertEquals(ChannelMixer.FRAME_BYTES, frame.length);
            mixes.put(participant.id(), new Mix(frame.clone(), voices));
        });
        assertEquals(count, mixes.size());
        return mixes;
    }

    @Test
    void everyone_hearsTheOthers_neverThemselves() {
        ChannelMixer mixer = new ChannelMixer();
        ChannelMixer.Participant a = mixer.add("a");
        ChannelMixer.Participant b = mixer.add("b");
        ChannelMixer.Participant c = mixer.add("c");
        a.offer(ToneGenerator.constant(1));
        b.offer(ToneGenerator.constant(10));
        c.offer(ToneGenerator.constant(100));
        Map<String, Mix> mixes = tick(mixer);
        assertTrue(mixes.get("a").constant(110), "a hears b + c");
        assertTrue(mixes.get("b").constant(101), "b hears a + c");
        assertTrue(mixes.get("c").constant(11), "c hears a + b");
        mixes.values().forEach(mix -> assertEquals(2, mix.voices()));
    }

    @Test
    void ownVoice_ofASpeakerWithTones_isNotInItsMix() {
        ChannelMixer mixer = new ChannelMixer();
        ChannelMixer.Participant a = mixer.add("a");
        ChannelMixer.Participant b = mixer.add("b");
        ToneGenerator toneA = new ToneGenerator(440, 0.3);
        ToneGenerator toneB = new ToneGenerator(660, 0.3);
        byte[] heardByA = new byte[0];
        byte[] heardByB = new byte[0];
        for (int i = 0; i < 20; i++) {
            a.offer(toneA.nextFrame());
            b.offer(toneB.nextFrame());
            Map<String, Mix> mixes = tick(mixer);
            heardByA = concat(heardByA, mixes.get("a").frame());
            heardByB = concat(heardByB, mixes.get("b").frame());
        }
        assertEquals(660, ToneDetector.dominantFrequency(heardByA, 48_000), 2);
        assertEquals(440, ToneDetector.dominantFrequency(heardByB, 48_000), 2);
        assertTrue(ToneDetector.amplitudeAt(heardByA, 440, 48_000) < 0.001, "a's own 440 Hz is not in a's mix");
        assertTrue(ToneDetector.amplitudeAt(heardByB, 660, 48_000) < 0.001, "b's own 660 Hz is not in b's mix");
    }

    @Test
    void aLoneSpeaker_getsSilence_withNoVoices() {
        ChannelMixer mixer = new ChannelMixer();
        ChannelMixer.Participant a = mixer.add("a");
        a.offer(ToneGenerator.constant(5000));
        Mix mix = tick(mixer).get("a");
        assertEquals(0, mix.voices());
        assertTrue(mix.constant(0));
    }

    @Test
    void sums_saturateTo16Bits_bothWays() {
        ChannelMixer mixer = new ChannelMixer();
        List<ChannelMixer.Participant> loud = new ArrayList<>();
        for (String id : List.of("a", "b", "c", "d")) {
            loud.add(mixer.add(id));
        }
        loud.forEach(p -> p.offer(ToneGenerator.constant(20_000)));
        tick(mixer).values().forEach(mix -> assertTrue(mix.constant(Short.MAX_VALUE), "60000 saturates"));
        loud.forEach(p -> p.offer(ToneGenerator.constant(-20_000)));
        tick(mixer).values().forEach(mix -> assertTrue(mix.constant(Short.MIN_VALUE), "-60000 saturates"));
        // the int sum does not wrap: full scale from three others subtracts back exactly for the fourth
        loud.get(0).offer(ToneGenerator.constant(Short.MAX_VALUE));
        loud.get(1).offer(ToneGenerator.constant(Short.MAX_VALUE));
        loud.get(2).offer(ToneGenerator.constant(-32_000));
        loud.get(3).offer(ToneGenerator.constant(-32_000));
        Map<String, Mix> mixes = tick(mixer);
        assertTrue(mixes.get("a").constant(Short.MAX_VALUE - 64_000), "a hears 32767 - 32000 - 32000 = -31233");
        assertTrue(mixes.get("c").constant(Short.MAX_VALUE), "c hears 32767 + 32767 - 32000 = 33534, saturated");
    }

    @Test
    void aParticipantWithoutAFreshFrame_contributesNothing_andNothingStaleIsRepeated() {
        ChannelMixer mixer = new ChannelMixer();
        ChannelMixer.Participant a = mixer.add("a");
        ChannelMixer.Participant b = mixer.add("b");
        ChannelMixer.Participant c = mixer.add("c");
        a.offer(ToneGenerator.constant(1));
        c.offer(ToneGenerator.constant(100));
        Map<String, Mix> first = tick(mixer);
        assertTrue(first.get("a").constant(100));
        assertEquals(1, first.get("a").voices());
        assertTrue(first.get("b").constant(101));
        assertEquals(2, first.get("b").voices());
        assertTrue(first.get("c").constant(1));
        assertEquals(1, b.underruns());

        Map<String, Mix> second = tick(mixer);
        second.values().forEach(mix -> {
            assertTrue(mix.constant(0), "no frame was offered: silence, not the last frame again");
            assertEquals(0, mix.voices());
        });
        assertEquals(1, a.underruns());
        assertEquals(2, b.underruns());
    }

    @Test
    void aFullQueue_dropsItsOldestFrame_andCountsIt() {
        ChannelMixer mixer = new ChannelMixer(3, 1000);
        ChannelMixer.Participant a = mixer.add("a");
        mixer.add("listener");
        for (int value = 1; value <= 5; value++) {
            assertTrue(a.offer(ToneGenerator.constant(value)));
        }
        assertEquals(5, a.received());
        assertEquals(2, a.overflowDrops());
        assertEquals(3, a.queued());
        for (int expected = 3; expected <= 5; expected++) {
            assertTrue(tick(mixer).get("listener").constant(expected), "oldest first, frames 1 and 2 dropped");
        }
        assertEquals(0, a.queued());
        assertTrue(tick(mixer).get("listener").constant(0));
    }

    @Test
    void aStandingBacklog_isCutBackToOneTickOfQueueing() {
        int settle = 5;
        ChannelMixer mixer = new ChannelMixer(3, settle);
        ChannelMixer.Participant a = mixer.add("a");
        mixer.add("listener");
        int next = 1;
        // a burst leaves two frames waiting; from then on one frame arrives per tick
        a.offer(ToneGenerator.constant(next++));
        a.offer(ToneGenerator.constant(next++));
        List<Integer> heard = new ArrayList<>();
        for (int tick = 0; tick < 40; tick++) {
            a.offer(ToneGenerator.constant(next++));
            heard.add(tick(mixer).get("listener").firstSample());
        }
        assertEquals(2, a.latencyDrops(), "one frame dropped per settle period until none waits");
        assertEquals(0, a.queued(), "each frame is now taken at the first tick after it arrives");
        assertEquals(0, a.overflowDrops());
        for (int i = 1; i < heard.size(); i++) {
            assertTrue(heard.get(i) > heard.get(i - 1), () -> "order kept: " + heard);
        }
        assertEquals(next - 1, heard.get(heard.size() - 1), "the newest frame is the one heard");
        // steady state: no more drops
        for (int tick = 0; tick < 100; tick++) {
            a.offer(ToneGenerator.constant(1));
            tick(mixer);
        }
        assertEquals(2, a.latencyDrops());
    }

    @Test
    void jitter_aroundTheTick_doesNotDropFrames() {
        ChannelMixer mixer = new ChannelMixer(3, 5);
        ChannelMixer.Participant a = mixer.add("a");
        mixer.add("listener");
        // frames arrive in pairs every other tick (a late thread): one of each pair waits one tick, then none waits
        for (int round = 0; round < 50; round++) {
            tick(mixer);
            a.offer(ToneGenerator.constant(1));
            a.offer(ToneGenerator.constant(2));
            tick(mixer);
        }
        assertEquals(0, a.latencyDrops());
        assertEquals(0, a.overflowDrops());
        assertEquals(100, a.mixed() + a.queued());
    }

    @Test
    void membership_changesBetweenTicks_takeEffectAtTheNextTick() {
        ChannelMixer mixer = new ChannelMixer();
        ChannelMixer.Participant a = mixer.add("a");
        ChannelMixer.Participant b = mixer.add("b");
        a.offer(ToneGenerator.constant(1));
        b.offer(ToneGenerator.constant(10));
        assertEquals(Set.of("a", "b"), tick(mixer).keySet());

        ChannelMixer.Participant c = mixer.add("c");
        a.offer(ToneGenerator.constant(1));
        b.offer(ToneGenerator.constant(10));
        c.offer(ToneGenerator.constant(100));
        Map<String, Mix> three = tick(mixer);
        assertTrue(three.get("a").constant(110));

        b.offer(ToneGenerator.constant(10));
        assertTrue(mixer.remove("b"));
        assertFalse(mixer.remove("b"));
        assertFalse(b.offer(ToneGenerator.constant(10)), "a removed participant's frames are dropped");
        a.offer(ToneGenerator.constant(1));
        c.offer(ToneGenerator.constant(100));
        Map<String, Mix> after = tick(mixer);
        assertEquals(Set.of("a", "c"), after.keySet(), "no mix for the removed participant");
        assertTrue(after.get("a").constant(100), "the frame b queued before its removal is not heard");
        assertTrue(after.get("c").constant(1));

        ChannelMixer.Participant again = mixer.add("b");
        assertNotSame(b, again);
        assertEquals(List.of("a", "c", "b"), mixer.participants().stream().map(ChannelMixer.Participant::id).toList());
        assertThrows(IllegalArgumentException.class, () -> mixer.add("a"));
    }

    @Test
    void forwardOnly_restrictsWhoIsHeard_andEveryoneElseStillHears() {
        ChannelMixer mixer = new ChannelMixer();
        List<ChannelMixer.Participant> all = List.of(mixer.add("a"), mixer.add("b"), mixer.add("c"));
        mixer.forwardOnly(List.of("a"));
        for (int round = 0; round < 3; round++) {
            all.get(0).offer(ToneGenerator.constant(1));
            all.get(1).offer(ToneGenerator.constant(10));
            all.get(2).offer(ToneGenerator.constant(100));
            Map<String, Mix> mixes = tick(mixer);
            assertTrue(mixes.get("a").constant(0), "the speaker hears nobody");
            assertEquals(0, mixes.get("a").voices());
            assertTrue(mixes.get("b").constant(1), "b hears only the speaker");
            assertTrue(mixes.get("c").constant(1));
            assertEquals(1, mixes.get("c").voices());
        }
        all.forEach(p -> assertEquals(0, p.queued(), "frames of those not forwarded are consumed, not queued"));

        mixer.forwardOnly(List.of());
        all.forEach(p -> p.offer(ToneGenerator.constant(7)));
        tick(mixer).values().forEach(mix -> assertTrue(mix.constant(0)));

        mixer.forwardEveryone();
        all.get(0).offer(ToneGenerator.constant(1));
        all.get(1).offer(ToneGenerator.constant(10));
        all.get(2).offer(ToneGenerator.constant(100));
        assertTrue(tick(mixer).get("a").constant(110));
    }

    @Test
    void listenersWithoutAVoice_shareOneArray_computedOnce() {
        ChannelMixer mixer = new ChannelMixer();
        ChannelMixer.Participant speaker = mixer.add("speaker");
        mixer.add("l1");
        mixer.add("l2");
        speaker.offer(ToneGenerator.constant(42));
        Map<String, byte[]> arrays = new HashMap<>();
        mixer.tick((participant, frame, voices) -> arrays.put(participant.id(), frame));
        assertSame(arrays.get("l1"), arrays.get("l2"));
        assertArrayEquals(ToneGenerator.constant(42), arrays.get("l1"));
    }

    @Test
    void badInput_isRefusedClearly() {
        ChannelMixer mixer = new ChannelMixer();
        ChannelMixer.Participant a = mixer.add("a");
        IllegalArgumentException shortFrame = assertThrows(IllegalArgumentException.class,
                () -> a.offer(new byte[480]));
        assertTrue(shortFrame.getMessage().contains("960 bytes"), shortFrame.getMessage());
        assertThrows(IllegalArgumentException.class, () -> a.offer(null));
        assertEquals(0, a.received());
        assertThrows(IllegalArgumentException.class, () -> new ChannelMixer(0, 1));
        assertThrows(IllegalArgumentException.class, () -> new ChannelMixer(3, 0));
        assertThrows(NullPointerException.class, () -> mixer.add(null));
    }

    @Test
    void concurrentOffers_whileTicking_loseNoFrameUncounted() throws Exception {
        ChannelMixer mixer = new ChannelMixer();
        List<ChannelMixer.Participant> participants = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            participants.add(mixer.add("p" + i));
        }
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch done = new CountDownLatch(participants.size());
        for (ChannelMixer.Participant participant : participants) {
            Thread producer = new Thread(() -> {
                try {
                    byte[] frame = ToneGenerator.constant(3);
                    for (int i = 0; i < 20_000 && running.get(); i++) {
                        participant.offer(frame);
                        if (i % 16 == 0) {
                            Thread.yield();
                        }
                    }
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                } finally {
                    done.countDown();
                }
            }, "producer-" + participant.id());
            producer.setDaemon(true);
            producer.start();
        }
        while (done.getCount() > 0) {
            mixer.tick((participant, frame, voices) -> {
                assertTrue(voices <= 3);
            });
        }
        assertTrue(done.await(30, TimeUnit.SECONDS));
        running.set(false);
        assertEquals(null, failure.get());
        for (ChannelMixer.Participant participant : participants) {
            assertEquals(participant.received(), participant.mixed() + participant.overflowDrops()
                    + participant.latencyDrops() + participant.queued(), "every frame is heard, dropped or queued");
        }
    }

    @Test
    void fiftyParticipants_mixFarFasterThanRealTime() {
        int participants = 50;
        int ticks = 1000;
        ChannelMixer mixer = new ChannelMixer();
        List<ChannelMixer.Participant> all = new ArrayList<>();
        List<ToneGenerator> tones = new ArrayList<>();
        for (int i = 0; i < participants; i++) {
            all.add(mixer.add("p" + i));
            tones.add(new ToneGenerator(200 + 10 * i, 0.02));
        }
        // frames made beforehand: only the mixer is timed
        byte[][][] frames = new byte[ticks + 200][participants][];
        for (int t = 0; t < frames.length; t++) {
            for (int p = 0; p < participants; p++) {
                frames[t][p] = tones.get(p).nextFrame();
            }
        }
        long[] sink = new long[1];
        ChannelMixer.MixTarget target = (participant, frame, voices) -> sink[0] += frame[100] + voices;
        for (int t = 0; t < 200; t++) { // warm-up
            for (int p = 0; p < participants; p++) {
                all.get(p).offer(frames[t][p]);
            }
            mixer.tick(target);
        }
        long start = System.nanoTime();
        for (int t = 200; t < 200 + ticks; t++) {
            for (int p = 0; p < participants; p++) {
                all.get(p).offer(frames[t][p]);
            }
            mixer.tick(target);
        }
        long elapsedNanos = System.nanoTime() - start;
        double perTickMicros = elapsedNanos / 1000.0 / ticks;
        System.out.printf("ChannelMixer: %d participants x %d ticks (all talking) in %.1f ms: %.1f us per tick, "
                + "%.2f%% of real time (10 ms per tick)%n", participants, ticks, elapsedNanos / 1e6, perTickMicros,
                100.0 * elapsedNanos / (ticks * 10_000_000.0));
        assertTrue(sink[0] != 0);
        all.forEach(p -> assertEquals(0, p.overflowDrops()));

        // push-to-talk: one speaker forwarded, 49 listeners share one encoded mix
        mixer.forwardOnly(List.of("p0"));
        long pttStart = System.nanoTime();
        for (int t = 0; t < ticks; t++) {
            for (int p = 0; p < participants; p++) {
                all.get(p).offer(frames[t][p]);
            }
            mixer.tick(target);
        }
        long pttNanos = System.nanoTime() - pttStart;
        System.out.printf("ChannelMixer: %d participants x %d ticks (one forwarded speaker) in %.1f ms: %.1f us per "
                + "tick%n", participants, ticks, pttNanos / 1e6, pttNanos / 1000.0 / ticks);
        assertTrue(pttNanos < TimeUnit.SECONDS.toNanos(2), () -> "took " + pttNanos / 1_000_000 + " ms");
        // 1000 ticks are 10 s of audio; a generous bound for a shared 2-core machine
        assertTrue(elapsedNanos < TimeUnit.SECONDS.toNanos(2), () -> "took " + elapsedNanos / 1_000_000 + " ms");
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] all = new byte[a.length + b.length];
        System.arraycopy(a, 0, all, 0, a.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
