package ai.alo.audio.it.app;

import ai.alo.audio.media.AudioFrame;
import ai.alo.audio.media.AudioFrameListener;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The media application's output device ({@code app-ears}): keeps the last second (100 frames of 10 ms, 48 kHz mono
 * 16-bit PCM) of what the default client received, and counts frames, so that the test JVM can analyse what the
 * application heard. Called on the runtime's event threads; thread-safe.
 */
@ApplicationScoped
public class MediaEars implements AudioFrameListener {

    /** Frames kept: one second. */
    public static final int KEPT = 100;

    private final Deque<byte[]> recent = new ArrayDeque<>();
    private long frames;
    private long lost;

    @Override
    public synchronized void onFrame(AudioFrame frame) {
        ByteBuffer pcm = frame.pcm();
        byte[] bytes = new byte[pcm.remaining()];
        pcm.get(bytes);
        recent.addLast(bytes);
        if (recent.size() > KEPT) {
            recent.removeFirst();
        }
        frames++;
    }

    @Override
    public synchronized void onFramesLost(long count) {
        lost += count;
    }

    /** Forgets what was heard. */
    public synchronized void reset() {
        recent.clear();
        frames = 0;
        lost = 0;
    }

    public synchronized long frames() {
        return frames;
    }

    public synchronized long lost() {
        return lost;
    }

    /** The last second heard (at most), as one PCM buffer. */
    public synchronized byte[] lastSecond() {
        int length = recent.stream().mapToInt(b -> b.length).sum();
        byte[] all = new byte[length];
        int at = 0;
        for (byte[] b : recent) {
            System.arraycopy(b, 0, all, at, b.length);
            at += b.length;
        }
        return all;
    }
}
