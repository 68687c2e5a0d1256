package ai.alo.audio.impl.media;

import ai.alo.audio.media.AudioDeviceException;
import ai.alo.audio.media.MediaDevice;
import ai.alo.audio.media.PcmInput;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The input the application writes PCM into: a ring buffer of 48 kHz samples with a fixed capacity. Writers block
 * (or, with {@link #offer}, wait a bounded time) while it is full; each tick takes up to one frame out of it, padding
 * with silence when less is buffered, so what was written is sent in order with no sample lost. The pacer's side
 * never waits for a writer: a writer holds the lock only while it copies.
 *
 * <p>Thread-safe.
 */
final class DefaultPcmInput extends InputDevice implements PcmInput {

    private static final int CHUNK = 4096;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition space = lock.newCondition();
    private final Condition emptied = lock.newCondition();
    private final short[] ring;
    private final Duration capacity;
    // guarded by lock
    private int head;
    private int size;
    private boolean removed;

    DefaultPcmInput(MediaDevice device, Duration capacity) {
        super(device);
        this.capacity = capacity;
        this.ring = new short[(int) Pcm.samples(capacity)];
    }

    @Override
    public void write(short[] samples, int offset, int length) throws InterruptedException {
        checkRange(samples, offset, length);
        lock.lockInterruptibly();
        try {
            int left = length;
            int at = offset;
            while (left > 0) {
                while (size == ring.length && !removed) {
                    space.await();
                }
                checkNotRemoved();
                int n = copyInLocked(samples, at, left);
                at += n;
                left -= n;
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void write(byte[] pcm) throws InterruptedException {
        Objects.requireNonNull(pcm, "pcm");
        if ((pcm.length & 1) != 0) {
            throw new IllegalArgumentException("16-bit PCM has an even number of bytes, not " + pcm.length);
        }
        short[] chunk = new short[Math.min(CHUNK, pcm.length / 2)];
        for (int done = 0; done < pcm.length / 2; ) {
            int n = Math.min(chunk.length, pcm.length / 2 - done);
            for (int i = 0; i < n; i++) {
                chunk[i] = Pcm.sample(pcm, done + i);
            }
            write(chunk, 0, n);
            done += n;
        }
    }

    @Override
    public int offer(short[] samples, int offset, int length, Duration timeout) throws InterruptedException {
        checkRange(samples, offset, length);
        long nanos = Objects.requireNonNull(timeout, "timeout").toNanos();
        lock.lockInterruptibly();
        try {
            int written = 0;
            while (written < length) {
                while (size == ring.length && !removed) {
                    if (nanos <= 0) {
                        return written;
                    }
                    nanos = space.awaitNanos(nanos);
                }
                checkNotRemoved();
                written += copyInLocked(samples, offset + written, length - written);
            }
            return written;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean drain(Duration timeout) throws InterruptedException {
        long nanos = Objects.requireNonNull(timeout, "timeout").toNanos();
        lock.lockInterruptibly();
        try {
            while (size > 0 && !removed) {
                if (nanos <= 0) {
                    return false;
                }
                nanos = emptied.awaitNanos(nanos);
            }
            return size == 0 && !removed;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void clear() {
        lock.lock();
        try {
            size = 0;
            head = 0;
            space.signalAll();
            emptied.signalAll();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Duration buffered() {
        lock.lock();
        try {
            return Pcm.duration(size);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Duration capacity() {
        return capacity;
    }

    @Override
    byte[] nextFrame() {
        lock.lock();
        try {
            if (size == 0) {
                return Pcm.SILENT_FRAME;
            }
            byte[] frame = new byte[Pcm.FRAME_BYTES];
            int n = Math.min(size, Pcm.FRAME_SAMPLES);
            int first = Math.min(n, ring.length - head);
            Pcm.toBytes(ring, head, first, frame, 0);
            if (first < n) {
                Pcm.toBytes(ring, 0, n - first, frame, 2 * first);
            }
            head = (head + n) % ring.length;
            size -= n;
            space.signalAll();
            if (size == 0) {
                emptied.signalAll();
            }
            return frame;
        } finally {
            lock.unlock();
        }
    }

    @Override
    void closed() {
        lock.lock();
        try {
            removed = true;
            size = 0;
            space.signalAll();
            emptied.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private int copyInLocked(short[] samples, int offset, int length) {
        int n = Math.min(length, ring.length - size);
        int tail = (head + size) % ring.length;
        int first = Math.min(n, ring.length - tail);
        System.arraycopy(samples, offset, ring, tail, first);
        if (first < n) {
            System.arraycopy(samples, offset + first, ring, 0, n - first);
        }
        size += n;
        return n;
    }

    private void checkNotRemoved() {
        if (removed) {
            throw new AudioDeviceException(device().id(), "the PCM input '" + device().id() + "' was removed");
        }
    }

    private static void checkRange(short[] samples, int offset, int length) {
        Objects.requireNonNull(samples, "samples");
        if (offset < 0 || length < 0 || offset > samples.length - length) {
            throw new IllegalArgumentException("samples [" + offset + ", " + offset + " + " + length
                    + ") are outside an array of " + samples.length);
        }
    }

    /** For tests: how many samples are buffered. */
    int bufferedSamples() {
        lock.lock();
        try {
            return size;
        } finally {
            lock.unlock();
        }
    }
}
