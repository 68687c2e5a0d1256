package ai.alo.audio.impl.rtc;

/**
 * A few figures of one {@link RtcPeer}'s audio, from libwebrtc's {@code getStats()} (the W3C {@code RTCStats}
 * dictionaries {@code outbound-rtp}, {@code inbound-rtp}, {@code candidate-pair} and {@code codec}). Counters are 0 and
 * measures {@code NaN} while the stream they belong to does not exist yet.
 *
 * @param bytesSent                payload bytes sent ({@code outbound-rtp.bytesSent})
 * @param packetsSent              RTP packets sent
 * @param bytesReceived            payload bytes received ({@code inbound-rtp.bytesReceived})
 * @param packetsReceived          RTP packets received
 * @param packetsLost              RTP packets lost, as the receiver counts them
 * @param jitterSeconds            interarrival jitter of the received stream, in seconds
 * @param audioLevel               level of the received audio, 0..1 (1 = full scale); {@code NaN} before audio
 * @param totalSamplesReceived     samples the receiver played out (48 kHz)
 * @param concealedSamples         of those, samples that were concealed (lost or late audio)
 * @param jitterBufferMillis       jitter buffer delay per emitted sample ({@code jitterBufferDelay /
 *                                 jitterBufferEmittedCount}), in milliseconds
 * @param roundTripTimeSeconds     current round trip time of the selected ICE candidate pair, in seconds
 * @param receiveCodec             MIME type of the received codec, e.g. {@code audio/opus}; empty before audio
 * @param receiveClockRate         its clock rate, e.g. 48000; 0 before audio
 */
public record RtcStats(long bytesSent, long packetsSent, long bytesReceived, long packetsReceived, long packetsLost,
        double jitterSeconds, double audioLevel, long totalSamplesReceived, long concealedSamples,
        double jitterBufferMillis, double roundTripTimeSeconds, String receiveCodec, long receiveClockRate) {
}
