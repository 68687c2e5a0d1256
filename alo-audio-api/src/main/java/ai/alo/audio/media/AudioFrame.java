package ai.alo.audio.media;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.ShortBuffer;
import java.time.Instant;
import java.util.Objects;

/**
 * One 10 ms frame of audio a client received, as an output device gets it: {@link PcmFormat#STANDARD} PCM, 960
 * bytes, the mix of what the other participants of the channel said (never this client's own voice).
 *
 * @param clientName the client that received it
 * @param channelId  the channel it came from
 * @param sequence   the number of this frame among the frames the client received in this media session, from 0;
 *                   frames an output lost (see {@link AudioFrameListener#onFramesLost(long)}) leave gaps
 * @param receivedAt when the client received it
 * @param pcm        the samples: 16-bit little-endian, read-only, positioned at 0
 * @since 0.2
 */
public record AudioFrame(String clientName, String channelId, long sequence, Instant receivedAt, ByteBuffer pcm) {

    /**
     * Validates the components and makes {@code pcm} a read-only little-endian view.
     *
     * @throws NullPointerException     if a component is null
     * @throws IllegalArgumentException if {@code pcm} does not hold exactly one standard frame
     */
    public AudioFrame {
        Objects.requireNonNull(clientName, "clientName");
        Objects.requireNonNull(channelId, "channelId");
        Objects.requireNonNull(receivedAt, "receivedAt");
        Objects.requireNonNull(pcm, "pcm");
        if (pcm.remaining() != PcmFormat.STANDARD.frameBytes()) {
            throw new IllegalArgumentException("an audio frame holds " + PcmFormat.STANDARD.frameBytes()
                    + " bytes, not " + pcm.remaining());
        }
        pcm = pcm.slice().asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * The samples as 16-bit values.
     *
     * @return a read-only view of 480 samples
     */
    public ShortBuffer samples() {
        return pcm.duplicate().order(ByteOrder.LITTLE_ENDIAN).asShortBuffer();
    }

    /**
     * The frame's level: the root mean square of its samples relative to full scale, 0 (silence) to 1.
     *
     * @return the level
     */
    public double level() {
        ShortBuffer s = samples();
        double sum = 0;
        int n = s.remaining();
        for (int i = 0; i < n; i++) {
            double v = s.get(i) / 32768.0;
            sum += v * v;
        }
        return Math.sqrt(sum / n);
    }
}
