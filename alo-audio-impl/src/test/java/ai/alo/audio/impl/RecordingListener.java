package ai.alo.audio.impl;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.alo.audio.AloAudioListener;
import ai.alo.audio.ConnectionState;
import ai.alo.audio.event.AloAudioEvent;
import ai.alo.audio.event.ConnectionChangeEvent;
import ai.alo.audio.event.DisconnectEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** Records every event with the thread it arrived on; waits are bounded. */
final class RecordingListener implements AloAudioListener {

    static final long WAIT_SECONDS = 10;

    private final BlockingQueue<AloAudioEvent> queue = new LinkedBlockingQueue<>();
    final List<AloAudioEvent> all = new CopyOnWriteArrayList<>();
    final List<Thread> threads = new CopyOnWriteArrayList<>();

    @Override
    public void onEvent(AloAudioEvent event) {
        threads.add(Thread.currentThread());
        all.add(event);
        queue.add(event);
        synchronized (this) {
            notifyAll();
        }
    }

    /** The next event of a type, skipping events of other types. */
    <T extends AloAudioEvent> T next(Class<T> type) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (true) {
            long left = deadline - System.nanoTime();
            AloAudioEvent event = queue.poll(Math.max(0, left), TimeUnit.NANOSECONDS);
            assertNotNull(event, () -> "timed out waiting for " + type.getSimpleName() + "; saw " + all);
            if (type.isInstance(event)) {
                return type.cast(event);
            }
        }
    }

    /** Waits for the state change to {@code state}, skipping others. */
    ConnectionChangeEvent awaitState(ConnectionState state) throws InterruptedException {
        while (true) {
            ConnectionChangeEvent e = next(ConnectionChangeEvent.class);
            if (e.state() == state) {
                return e;
            }
        }
    }

    DisconnectEvent nextDisconnect() throws InterruptedException {
        return assertInstanceOf(DisconnectEvent.class, next(DisconnectEvent.class));
    }

    List<DisconnectEvent> disconnects() {
        List<DisconnectEvent> out = new ArrayList<>();
        for (AloAudioEvent e : all) {
            if (e instanceof DisconnectEvent d) {
                out.add(d);
            }
        }
        return out;
    }

    long count(Predicate<AloAudioEvent> filter) {
        return all.stream().filter(filter).count();
    }

    /** Waits until {@code condition} holds on the recorded events. */
    synchronized void await(String what, Predicate<List<AloAudioEvent>> condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (!condition.test(all)) {
            long left = deadline - System.nanoTime();
            assertTrue(left > 0, () -> "timed out waiting for " + what + "; saw " + all);
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
    }

    void clear() {
        queue.clear();
        all.clear();
        threads.clear();
    }
}
