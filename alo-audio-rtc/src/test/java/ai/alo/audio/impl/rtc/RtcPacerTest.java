package ai.alo.audio.impl.rtc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

/** {@link RtcPacer}: rhythm without drift, bounded catch-up, failing ticks, registration and close semantics. */
class RtcPacerTest {

    private static final long WAIT = 20;

    private static RtcPacer newPacer(String name) {
        return new RtcPacer(r -> {
            Thread t = new Thread(r);
            t.setDaemon(true);
            return t;
        }, name);
    }

    @Test
    void ticks_runEvery10msOnOneThread_withoutDrift() throws Exception {
        try (RtcPacer pacer = newPacer("pacer-rhythm")) {
            int ticks = 200;
            List<Long> deadlines = Collections.synchronizedList(new ArrayList<>());
            List<Long> numbers = Collections.synchronizedList(new ArrayList<>());
            AtomicReference<Thread> thread = new AtomicReference<>();
            AtomicBoolean otherThread = new AtomicBoolean();
            CountDownLatch done = new CountDownLatch(ticks);
            long t0 = System.nanoTime();
            RtcPacer.Registration r = pacer.add((n, deadline) -> {
                if (!thread.compareAndSet(null, Thread.currentThread()) && thread.get() != Thread.currentThread()) {
                    otherThread.set(true);
                }
                if (done.getCount() > 0) {
                    numbers.add(n);
                    deadlines.add(deadline);
                }
                done.countDown();
            });
            assertTrue(done.await(WAIT, TimeUnit.SECONDS));
            long elapsed = System.nanoTime() - t0;
            r.close();
            assertFalse(otherThread.get(), "every tick on one thread");
            assertEquals("pacer-rhythm", thread.get().getName());
            // Deadlines are exactly 10 ms apart (absolute schedule), whatever the lateness of each call.
            for (int i = 1; i < deadlines.size(); i++) {
                long step = deadlines.get(i) - deadlines.get(i - 1);
                long numberStep = numbers.get(i) - numbers.get(i - 1);
                assertEquals(numberStep * RtcPacer.PERIOD_NANOS, step, "deadline " + i);
            }
            // 200 ticks take about 2 s: no drift that adds up (generous bounds: shared machine).
            double seconds = elapsed / 1e9;
            System.out.printf("pacer: %d ticks in %.3f s, %d skipped%n", ticks, seconds, pacer.skippedTicks());
            assertTrue(seconds > 1.9 && seconds < 2.5, "200 ticks in about 2 s, took " + seconds);
        }
    }

    @Test
    void lateRound_catchesUpAtMostThreeTicks_andSkipsTheRest() throws Exception {
        try (RtcPacer pacer = newPacer("pacer-late")) {
            List<Long> numbers = Collections.synchronizedList(new ArrayList<>());
            List<Long> calledAt = Collections.synchronizedList(new ArrayList<>());
            AtomicLong secondStall = new AtomicLong(-1);
            CountDownLatch enough = new CountDownLatch(1);
            pacer.add((n, deadline) -> {
                numbers.add(n);
                calledAt.add(System.nanoTime());
                // Two ticks that block for 150 ms each: 15 deadlines pass. The first stall also pays for the first
                // ALOAUD-2031 line (logging's start-up); the second, measured one logs nothing (once a minute).
                if (n == 10 || (n > 40 && secondStall.get() < 0)) {
                    if (n > 40) {
                        secondStall.set(n);
                    }
                    long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(150);
                    while (System.nanoTime() < until) {
                        Thread.onSpinWait();
                    }
                }
                if (secondStall.get() >= 0 && n > secondStall.get() + 30) {
                    enough.countDown();
                }
            });
            assertTrue(enough.await(WAIT, TimeUnit.SECONDS));
            assertTrue(pacer.skippedTicks() >= 2 * 12, "deadlines skipped: " + pacer.skippedTicks());
            // After the stall, the late deadlines: 12 are skipped, MAX_CATCH_UP (3) run back to back, then the rhythm.
            int index = numbers.indexOf(secondStall.get());
            long next = numbers.get(index + 1);
            int burst = 0;
            for (int i = index + 2; i < calledAt.size(); i++) {
                if (calledAt.get(i) - calledAt.get(i - 1) < TimeUnit.MILLISECONDS.toNanos(3)) {
                    burst++;
                } else {
                    break;
                }
            }
            System.out.printf("pacer: after a 150 ms stall at tick %d the next was %d, then %d back to back; %d "
                    + "skipped in all%n", secondStall.get(), next, burst, pacer.skippedTicks());
            assertTrue(next - secondStall.get() >= 12, "numbers jump over the skipped deadlines: "
                    + numbers.subList(index, Math.min(numbers.size(), index + 8)));
            // MAX_CATCH_UP late rounds, plus at most one whose deadline passes while they run: never the 15 missed.
            assertTrue(burst <= RtcPacer.MAX_CATCH_UP + 1, "catch-up burst " + burst);
        }
    }

    @Test
    void tickThatThrows_isLogged_andTheOthersGoOn() throws Exception {
        try (RtcPacer pacer = newPacer("pacer-throws")) {
            AtomicInteger bad = new AtomicInteger();
            CountDownLatch good = new CountDownLatch(50);
            pacer.add((n, d) -> {
                bad.incrementAndGet();
                throw new IllegalStateException("tick bug (expected by the test)");
            });
            pacer.add((n, d) -> good.countDown());
            assertTrue(good.await(WAIT, TimeUnit.SECONDS));
            assertTrue(bad.get() >= 49, "the failing tick keeps being called: " + bad.get());
            assertTrue(pacer.failedTicks() >= 49);
        }
    }

    @Test
    void registrationClose_fromAnotherThread_waitsForARunningTick() throws Exception {
        try (RtcPacer pacer = newPacer("pacer-close-wait")) {
            CountDownLatch inside = new CountDownLatch(1);
            AtomicBoolean running = new AtomicBoolean();
            AtomicLong callsAfterClose = new AtomicLong();
            AtomicBoolean closed = new AtomicBoolean();
            RtcPacer.Registration r = pacer.add((n, d) -> {
                if (closed.get()) {
                    callsAfterClose.incrementAndGet();
                }
                running.set(true);
                inside.countDown();
                long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(30);
                while (System.nanoTime() < until) {
                    Thread.onSpinWait();
                }
                running.set(false);
            });
            assertTrue(inside.await(WAIT, TimeUnit.SECONDS));
            r.close();
            closed.set(true);
            assertFalse(running.get(), "close() returned while the tick was running");
            MediaTestSupport.waitTicks(pacer, 10);
            assertEquals(0, callsAfterClose.get(), "the tick ran after close()");
            assertEquals(0, pacer.registrations());
            r.close();
        }
    }

    @Test
    void registrationClose_fromTheTickItself_endsItsCalls() throws Exception {
        try (RtcPacer pacer = newPacer("pacer-self-close")) {
            AtomicInteger calls = new AtomicInteger();
            AtomicReference<RtcPacer.Registration> self = new AtomicReference<>();
            CountDownLatch registered = new CountDownLatch(1);
            self.set(pacer.add((n, d) -> {
                try {
                    registered.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                if (calls.incrementAndGet() == 3) {
                    self.get().close();
                }
            }));
            registered.countDown();
            MediaTestSupport.waitTicks(pacer, 20);
            assertEquals(3, calls.get());
            assertEquals(0, pacer.registrations(), "no registration left");
        }
    }

    @Test
    void close_endsTheThread_andLaterAddsAreRefused() throws Exception {
        AtomicReference<Thread> thread = new AtomicReference<>();
        RtcPacer pacer = newPacer("pacer-close");
        assertFalse(pacer.threadAlive(), "no thread before the first registration");
        CountDownLatch ticked = new CountDownLatch(1);
        pacer.add((n, d) -> {
            thread.set(Thread.currentThread());
            ticked.countDown();
        });
        assertTrue(ticked.await(WAIT, TimeUnit.SECONDS));
        assertTrue(pacer.threadAlive());
        pacer.close();
        assertFalse(thread.get().isAlive(), "the pacer thread ended within close()");
        assertFalse(pacer.threadAlive());
        IllegalStateException refused = assertThrows(IllegalStateException.class, () -> pacer.add((n, d) -> { }));
        assertTrue(refused.getMessage().contains("closed"));
        pacer.close();
    }

    @Test
    void idlePacer_keepsItsThreadWithoutTicking_andRestartsNumbering() throws Exception {
        try (RtcPacer pacer = newPacer("pacer-idle"); RtcPacer clock = newPacer("pacer-idle-clock")) {
            MediaTestSupport.waitTicks(pacer, 5);
            long rounds = pacer.rounds();
            MediaTestSupport.waitTicks(clock, 10);
            assertEquals(rounds, pacer.rounds(), "no rounds while nothing is registered");
            assertTrue(pacer.threadAlive(), "the thread waits for the next registration");
            AtomicLong first = new AtomicLong(-1);
            CountDownLatch one = new CountDownLatch(1);
            RtcPacer.Registration r = pacer.add((n, d) -> {
                first.compareAndSet(-1, n);
                one.countDown();
            });
            assertTrue(one.await(WAIT, TimeUnit.SECONDS));
            r.close();
            assertEquals(0, first.get(), "numbering restarts after an idle period");
        }
    }

    @Test
    void constructor_andAdd_refuseNulls() {
        assertThrows(NullPointerException.class, () -> new RtcPacer(null, "x"));
        assertThrows(NullPointerException.class, () -> new RtcPacer(Thread::new, null));
        try (RtcPacer pacer = newPacer("pacer-null")) {
            assertThrows(NullPointerException.class, () -> pacer.add(null));
            assertFalse(pacer.threadAlive());
        }
    }
}
