package ai.alo.audio.impl.rtc;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An {@link RtcPeer.Listener} that records: arrival times of every frame, the last frames (a bounded window), the
 * states in order, and the threads it was called on. onFrame does no blocking work.
 */
final class RecordingListener implements RtcPeer.Listener {

    private static final int KEEP_FRAMES = 400;

    private final BlockingQueue<RtcPeerState> states = new LinkedBlockingQueue<>();
    private final List<RtcPeerState> allStates = new ArrayList<>();
    private final List<byte[]> frames = new ArrayList<>();
    private final List<Long> arrivals = new ArrayList<>();
    private final AtomicLong frameCount = new AtomicLong();
    private final AtomicBoolean stateOnFrameThread = new AtomicBoolean();
    private volatile Thread frameThread;
    private volatile long lastFrameNanos;
    private volatile String nativeFrameThreadName;

    private final java.util.concurrent.CopyOnWriteArrayList<java.util.function.Consumer<byte[]>> watchers =
            new java.util.concurrent.CopyOnWriteArrayList<>();

    /** A consumer called with every frame (on the frame thread) until closed. */
    interface FrameWatch extends AutoCloseable {
        @Override
        void close();
    }

    FrameWatch watch(java.util.function.Consumer<byte[]> watcher) {
        watchers.add(watcher);
        return () -> watchers.remove(watcher);
    }

    @Override
    public void onFrame(byte[] pcm) {
        for (java.util.function.Consumer<byte[]> w : watchers) {
            w.accept(pcm);
        }
        long now = System.nanoTime();
        if (frameThread == null) {
            try {
                nativeFrameThreadName = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/thread-self/comm"))
                        .strip();
            } catch (java.io.IOException e) {
                nativeFrameThreadName = "?";
            }
        }
        frameThread = Thread.currentThread();
        frameCount.incrementAndGet();
        lastFrameNanos = now;
        synchronized (frames) {
            frames.add(pcm);
            arrivals.add(now);
            if (frames.size() > KEEP_FRAMES) {
                frames.remove(0);
            }
            if (arrivals.size() > 100_000) {
                arrivals.subList(0, 50_000).clear();
            }
            frames.notifyAll();
        }
    }

    @Override
    public void onStateChange(RtcPeerState state) {
        if (Thread.currentThread() == frameThread) {
            stateOnFrameThread.set(true);
        }
        synchronized (allStates) {
            allStates.add(state);
        }
        states.add(state);
    }

    /** Waits for {@code wanted}, skipping other states; fails on FAILED/CLOSED when they are not wanted. */
    void awaitState(RtcPeerState wanted) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(MediaTestSupport.WAIT_SECONDS);
        while (true) {
            long left = deadline - System.nanoTime();
            RtcPeerState s;
            try {
                s = left <= 0 ? null : states.poll(left, TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
            if (s == null) {
                fail("timed out waiting for " + wanted + "; states so far " + states());
            }
            if (s == wanted) {
                return;
            }
            if (s == RtcPeerState.FAILED || s == RtcPeerState.CLOSED) {
                fail("wanted " + wanted + " but got " + s + "; states " + states());
            }
        }
    }

    List<RtcPeerState> states() {
        synchronized (allStates) {
            return new ArrayList<>(allStates);
        }
    }

    long frameCount() {
        return frameCount.get();
    }

    long lastFrameNanos() {
        return lastFrameNanos;
    }

    boolean stateChangeRanOnFrameThread() {
        return stateOnFrameThread.get();
    }

    Thread frameThread() {
        return frameThread;
    }

    /** The native name (/proc/thread-self/comm) of the thread that delivered the first frame. */
    String nativeFrameThreadName() {
        return nativeFrameThreadName;
    }

    /** Frames that arrived in [from, to) (System.nanoTime). */
    int framesBetween(long from, long to) {
        synchronized (frames) {
            int n = 0;
            for (long t : arrivals) {
                if (t >= from && t < to) {
                    n++;
                }
            }
            return n;
        }
    }

    /** The last {@code n} frames (fewer if not that many arrived). */
    List<byte[]> lastFrames(int n) {
        synchronized (frames) {
            return new ArrayList<>(frames.subList(Math.max(0, frames.size() - n), frames.size()));
        }
    }

    /** Waits until at least {@code n} frames arrived. */
    void awaitFrames(long n) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(MediaTestSupport.WAIT_SECONDS);
        synchronized (frames) {
            while (frameCount.get() < n) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    fail("timed out waiting for " + n + " frames; got " + frameCount.get());
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(frames, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError(e);
                }
            }
        }
    }
}
