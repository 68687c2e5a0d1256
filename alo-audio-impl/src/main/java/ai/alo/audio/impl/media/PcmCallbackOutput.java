package ai.alo.audio.impl.media;

import ai.alo.audio.impl.runtime.EventPool;
import ai.alo.audio.impl.runtime.SerialQueue;
import ai.alo.audio.media.AudioFrame;
import ai.alo.audio.media.AudioFrameListener;
import ai.alo.audio.media.MediaDevice;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An output that hands every frame to the application's {@link AudioFrameListener}. Shared: several clients may play
 * into it, each frame names its client.
 *
 * <h2>Threads and loss</h2>
 * <p>The media engine's thread only stamps the frame and puts it into a mailbox of {@value #CAPACITY} frames (one
 * second); the listener is called on the runtime's event threads, through this output's own ordered queue, one call at
 * a time. A listener that falls more than a second behind loses the oldest frames, and {@link
 * AudioFrameListener#onFramesLost(long)} tells it exactly how many before its next frame. A listener that throws is
 * logged ({@code ALOAUD-1401}: the first failure, then every 1000th) and keeps receiving frames; one that blocks for
 * more than two seconds is reported by the event pool's watchdog ({@code ALOAUD-1303}).
 */
final class PcmCallbackOutput extends OutputDevice {

    /** The most frames waiting for the listener: one second. */
    static final int CAPACITY = 100;

    private static final System.Logger LOG = System.getLogger("ai.alo.audio");
    /** How many frames one drain task delivers before it lets other queues run. */
    private static final int BATCH = 50;

    private final AudioFrameListener listener;
    private final SerialQueue queue;
    private final FrameMailbox<AudioFrame> mailbox;
    private final AtomicLong failures = new AtomicLong();

    PcmCallbackOutput(MediaDevice device, AudioFrameListener listener, EventPool events, String owner) {
        super(device, false);
        this.listener = listener;
        this.queue = events.newQueue(owner, 4);
        this.mailbox = new FrameMailbox<>(CAPACITY, this::schedule);
    }

    @Override
    void deliver(OutputBinding binding, long sequence, byte[] pcm) {
        AudioSession session = binding.session();
        mailbox.offer(new AudioFrame(session.client().clientName(), session.channelId(), sequence, Instant.now(),
                ByteBuffer.wrap(pcm.clone())));
    }

    private void schedule() {
        queue.post(this::drain, false, this);
    }

    private void drain() {
        for (int i = 0; i < BATCH; i++) {
            FrameMailbox.Polled<AudioFrame> next = mailbox.poll();
            if (next == null) {
                return;
            }
            if (next.lostBefore() > 0) {
                call(next.item(), next.lostBefore());
            }
            call(next.item(), 0);
        }
        schedule();
    }

    private void call(AudioFrame frame, long lost) {
        try {
            if (lost > 0) {
                listener.onFramesLost(lost);
            } else {
                listener.onFrame(frame);
            }
        } catch (VirtualMachineError e) {
            throw e;
        } catch (Throwable e) {
            long n = failures.incrementAndGet();
            if (n == 1 || n % 1000 == 0) {
                LOG.log(Level.WARNING, "ALOAUD-1401 [" + device().id() + "] the AudioFrameListener "
                        + listener.getClass().getName() + " threw on " + (lost > 0 ? "onFramesLost" : "onFrame")
                        + " (" + n + " failure(s) so far); it keeps receiving frames", e);
            }
        }
    }

    @Override
    void closed() {
        mailbox.close();
        queue.close();
    }

    /**
     * How many frames this output dropped because its listener fell behind.
     *
     * @return the count
     */
    long framesLost() {
        return mailbox.lostTotal();
    }
}
