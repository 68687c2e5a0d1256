package ai.alo.audio.benchmarks;

import ai.alo.audio.impl.rtc.RtcEngine;
import ai.alo.audio.impl.rtc.RtcPacer;
import ai.alo.audio.impl.rtc.RtcPeer;
import ai.alo.audio.impl.rtc.RtcPeerState;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongFunction;

/**
 * The media benchmark's baseline: two bare peer connections of one {@link RtcEngine} ({@code alo-audio-rtc}, the thin
 * layer over webrtc-java that the client and the relay use too), negotiated in process (offer, answer, no signalling
 * server), each fed by the shared {@link RtcPacer} from a frame source and heard by its own
 * {@link MediaBenchmarkEars}. No client, no relay, no event threads: what webrtc-java itself costs for the same
 * operation.
 *
 * <p>Lifecycle: {@link #open} creates both peers and registers both sources with the pacer (frames pushed before the
 * connection is up are dropped by libwebrtc, like a speaker who already speaks); {@link #negotiate()} connects them;
 * {@link #closeOffererTimed()} and {@link #close()} stop the pacer registrations first and then close the peers, in
 * the order {@code RtcPeer.close()} documents. Not thread-safe: one benchmark thread drives it.
 */
final class MediaBenchmarkBarePair implements AutoCloseable {

    private static final long WAIT_SECONDS = 20;

    /** One side: its peer, what it sends, what it hears, when it connected. */
    static final class Side implements RtcPeer.Listener, RtcPacer.Tick {
        final MediaBenchmarkEars ears;
        final CompletableFuture<Long> connectedAt = new CompletableFuture<>();
        private final LongFunction<byte[]> source;
        private long sent;
        /** {nanoTime, n}, stamped on the pacer thread right before the source's frame {@code onsetEvery * n} is pushed. */
        private final java.util.List<long[]> onsetsSent = new java.util.concurrent.CopyOnWriteArrayList<>();
        private final int onsetEvery;
        volatile RtcPeer peer;
        private RtcPacer.Registration registration;

        Side(LongFunction<byte[]> source, MediaBenchmarkEars ears, int onsetEvery) {
            this.source = source;
            this.ears = ears;
            this.onsetEvery = onsetEvery;
        }

        @Override
        public void onFrame(byte[] pcm) {
            ears.heard(pcm);
        }

        @Override
        public void onStateChange(RtcPeerState state) {
            if (state == RtcPeerState.CONNECTED) {
                connectedAt.complete(System.nanoTime());
            }
        }

        @Override
        public void tick(long tickNumber, long nanoTime) {
            RtcPeer p = peer;
            if (p == null) {
                return;
            }
            long index = sent++;
            if (onsetEvery > 0 && index % onsetEvery == 0) {
                onsetsSent.add(new long[] {System.nanoTime(), index / onsetEvery});
            }
            p.send(source.apply(index));
        }

        java.util.List<long[]> onsetsSent() {
            return onsetsSent;
        }

        void stopSending() {
            RtcPacer.Registration r = registration;
            if (r != null) {
                r.close();
            }
        }
    }

    final Side offerer;
    final Side answerer;

    private MediaBenchmarkBarePair(Side offerer, Side answerer) {
        this.offerer = offerer;
        this.answerer = answerer;
    }

    /**
     * Creates both peers and starts feeding them.
     *
     * @param onsetEvery with a gated source, the source's period in frames: the pacer stamps every frame
     *                   {@code onsetEvery * n} as sent; 0 for none
     */
    static MediaBenchmarkBarePair open(RtcEngine engine, RtcPacer pacer, LongFunction<byte[]> offererSends,
                                       MediaBenchmarkEars offererEars, LongFunction<byte[]> answererSends,
                                       MediaBenchmarkEars answererEars, int onsetEvery) {
        Side o = new Side(offererSends, offererEars, onsetEvery);
        Side a = new Side(answererSends, answererEars, onsetEvery);
        MediaBenchmarkBarePair pair = new MediaBenchmarkBarePair(o, a);
        try {
            o.peer = engine.newPeer(o);
            a.peer = engine.newPeer(a);
            o.registration = pacer.add(o);
            a.registration = pacer.add(a);
        } catch (RuntimeException e) {
            pair.close();
            throw e;
        }
        return pair;
    }

    /** Offer, answer, and waits until both sides are connected. */
    void negotiate() throws Exception {
        String offer = offerer.peer.createOffer().get(WAIT_SECONDS, TimeUnit.SECONDS);
        String answer = answerer.peer.acceptOffer(offer).get(WAIT_SECONDS, TimeUnit.SECONDS);
        offerer.peer.acceptAnswer(answer).get(WAIT_SECONDS, TimeUnit.SECONDS);
        offerer.connectedAt.get(WAIT_SECONDS, TimeUnit.SECONDS);
        answerer.connectedAt.get(WAIT_SECONDS, TimeUnit.SECONDS);
    }

    /**
     * Closes the offerer's peer, timed like a client's {@code disconnect()}: its pacer registration is removed first
     * (as the client's {@code stopSending()}), then {@code RtcPeer.close()}.
     *
     * @return nanoseconds from the start of the call until the peer is closed
     */
    long closeOffererTimed() {
        long t0 = System.nanoTime();
        offerer.stopSending();
        offerer.peer.close();
        return System.nanoTime() - t0;
    }

    @Override
    public void close() {
        for (Side side : new Side[] {offerer, answerer}) {
            side.stopSending();
            RtcPeer p = side.peer;
            if (p != null) {
                p.close();
            }
        }
    }
}
