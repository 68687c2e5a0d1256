package ai.alo.audio.impl.media;

import ai.alo.audio.impl.runtime.EventPool;
import ai.alo.audio.impl.runtime.SerialQueue;
import ai.alo.audio.media.AudioDeviceException;
import ai.alo.audio.media.MediaDevice;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An output that records what one client hears into a WAV file (48 kHz mono 16-bit PCM). Exclusive.
 *
 * <h2>The file</h2>
 * <p>Created (or replaced) when a client's media session starts playing into the device; completed (the RIFF and
 * data sizes written, the file closed) when that session stops using it, the device is removed or the runtime closes.
 * The sizes are also brought up to date about once a second while recording, so a file cut short by a crash of the
 * JVM still reads as a valid WAV file up to about the last second. A WAV file holds at most 4 GiB: about 12 h 25 min
 * at this rate; recording stops there ({@code ALOAUD-1403}).
 *
 * <h2>Threads</h2>
 * <p>The media engine's thread copies each frame into a mailbox of {@value #CAPACITY} frames (5 s); this output's
 * ordered queue writes them on an event thread. If the disk falls more than 5 s behind, the oldest frames are dropped
 * and logged ({@code ALOAUD-1410}). Completing the file writes what is still waiting first, on the thread that stops
 * the session, so the file holds every frame that was accepted (and not dropped).
 */
final class WavRecorderOutput extends OutputDevice {

    /** The most frames waiting to be written: five seconds. */
    static final int CAPACITY = 500;
    /** The largest data chunk a WAV file can describe, in whole frames of this format. */
    static final long MAX_DATA_BYTES = (0xFFFFFFFFL - 36) / Pcm.FRAME_BYTES * Pcm.FRAME_BYTES;

    private static final System.Logger LOG = System.getLogger("ai.alo.audio");
    private static final int HEADER_BYTES = 44;
    private static final int BATCH = 50;
    private static final long HEADER_EVERY_BYTES = (long) Pcm.RATE * 2;

    /** A frame waiting to be written, with the binding it came through. */
    private record Pending(OutputBinding binding, byte[] pcm) {
    }

    private final Path file;
    private final SerialQueue queue;
    private final FrameMailbox<Pending> mailbox;
    private final Object writeLock = new Object();
    private final AtomicLong droppedReported = new AtomicLong();
    // guarded by writeLock
    private FileChannel channel;
    private volatile OutputBinding recording;
    private long dataBytes;
    private long headerWrittenAt;
    private boolean failed;
    private boolean full;
    private long lastDataBytes = -1;

    WavRecorderOutput(MediaDevice device, Path file, EventPool events, String owner) {
        super(device, true);
        this.file = file;
        this.queue = events.newQueue(owner, 4);
        this.mailbox = new FrameMailbox<>(CAPACITY, this::schedule);
    }

    Path file() {
        return file;
    }

    @Override
    void opened(OutputBinding first) {
        synchronized (writeLock) {
            mailbox.clear();
            try {
                channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                        StandardOpenOption.WRITE);
                dataBytes = 0;
                headerWrittenAt = 0;
                failed = false;
                full = false;
                writeFully(header(0), 0);
                channel.position(HEADER_BYTES);
            } catch (IOException | RuntimeException e) {
                closeQuietly();
                throw new AudioDeviceException(device().id(), "the WAV recorder '" + device().id()
                        + "' cannot create " + file + ": " + e.getMessage(), e);
            }
            recording = first;
        }
    }

    @Override
    void deliver(OutputBinding binding, long sequence, byte[] pcm) {
        if (binding == recording && mailbox.offer(new Pending(binding, pcm.clone()))) {
            reportDrop();
        }
    }

    private void schedule() {
        queue.post(this::drain, false, this);
    }

    private void drain() {
        for (int i = 0; i < BATCH; i++) {
            synchronized (writeLock) {
                FrameMailbox.Polled<Pending> next = mailbox.poll();
                if (next == null) {
                    return;
                }
                writeLocked(next.item());
            }
        }
        schedule();
    }

    @Override
    void idle() {
        synchronized (writeLock) {
            FrameMailbox.Polled<Pending> next;
            while ((next = mailbox.poll()) != null) {
                writeLocked(next.item());
            }
            recording = null;
            if (channel != null) {
                try {
                    updateSizes();
                    lastDataBytes = dataBytes;
                } catch (IOException e) {
                    LOG.log(Level.ERROR, "ALOAUD-1404 [" + device().id() + "] could not complete the WAV file " + file
                            + " (" + dataBytes + " bytes of audio): its header may give the wrong length", e);
                } finally {
                    closeQuietly();
                }
            }
        }
    }

    @Override
    void closed() {
        mailbox.close();
        queue.close();
    }

    private void writeLocked(Pending pending) {
        if (channel == null || failed || pending.binding() != recording) {
            return;
        }
        if (dataBytes + Pcm.FRAME_BYTES > MAX_DATA_BYTES) {
            if (!full) {
                full = true;
                LOG.log(Level.WARNING, "ALOAUD-1403 [{0}] the WAV file {1} reached the 4 GiB limit of the WAV format; "
                        + "recording stopped", device().id(), file);
            }
            return;
        }
        try {
            ByteBuffer buffer = ByteBuffer.wrap(pending.pcm());
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            dataBytes += Pcm.FRAME_BYTES;
            if (dataBytes - headerWrittenAt >= HEADER_EVERY_BYTES) {
                updateSizes();
            }
        } catch (IOException e) {
            failed = true;
            LOG.log(Level.ERROR, "ALOAUD-1402 [" + device().id() + "] writing the WAV file " + file + " failed after "
                    + dataBytes + " bytes of audio; recording stopped", e);
        }
    }

    private void updateSizes() throws IOException {
        ByteBuffer sizes = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
        sizes.putInt(0, (int) (36 + dataBytes));
        writeFully(sizes, 4);
        sizes.putInt(0, (int) dataBytes);
        writeFully(sizes.rewind(), 40);
        headerWrittenAt = dataBytes;
    }

    private void writeFully(ByteBuffer buffer, long position) throws IOException {
        long at = position;
        while (buffer.hasRemaining()) {
            at += channel.write(buffer, at);
        }
    }

    private void reportDrop() {
        // never the device's lock here: this runs on the media engine's thread
        long lost = mailbox.lostTotal();
        long reported = droppedReported.get();
        boolean report = (lost == 1 || lost - reported >= 1000) && droppedReported.compareAndSet(reported, lost);
        if (report) {
            LOG.log(Level.WARNING, "ALOAUD-1410 [{0}] writing {1} fell more than 5 s behind: {2} frame(s) of 10 ms "
                    + "dropped so far", device().id(), file, String.valueOf(lost));
        }
    }

    private void closeQuietly() {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                // nothing more can be done with it
            }
            channel = null;
        }
    }

    /**
     * A WAV header for 48 kHz mono 16-bit PCM.
     *
     * @param dataBytes the length of the data chunk
     * @return 44 bytes
     */
    static ByteBuffer header(long dataBytes) {
        ByteBuffer h = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        h.put(new byte[] {'R', 'I', 'F', 'F'}).putInt((int) (36 + dataBytes)).put(new byte[] {'W', 'A', 'V', 'E'});
        h.put(new byte[] {'f', 'm', 't', ' '}).putInt(16).putShort((short) 1).putShort((short) 1).putInt(Pcm.RATE)
                .putInt(Pcm.RATE * 2).putShort((short) 2).putShort((short) 16);
        h.put(new byte[] {'d', 'a', 't', 'a'}).putInt((int) dataBytes);
        return h.flip();
    }

    /**
     * How many bytes of audio the last completed recording holds, for tests; -1 before the first.
     *
     * @return the count
     */
    long lastRecordingBytes() {
        synchronized (writeLock) {
            return lastDataBytes;
        }
    }
}
