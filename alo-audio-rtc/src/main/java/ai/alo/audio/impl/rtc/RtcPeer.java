package ai.alo.audio.impl.rtc;

import dev.onvoid.webrtc.CreateSessionDescriptionObserver;
import dev.onvoid.webrtc.PeerConnectionObserver;
import dev.onvoid.webrtc.PortAllocatorConfig;
import dev.onvoid.webrtc.RTCAnswerOptions;
import dev.onvoid.webrtc.RTCConfiguration;
import dev.onvoid.webrtc.RTCIceCandidate;
import dev.onvoid.webrtc.RTCIceGatheringState;
import dev.onvoid.webrtc.RTCOfferOptions;
import dev.onvoid.webrtc.RTCPeerConnection;
import dev.onvoid.webrtc.RTCPeerConnectionState;
import dev.onvoid.webrtc.RTCRtpSender;
import dev.onvoid.webrtc.RTCRtpTransceiver;
import dev.onvoid.webrtc.RTCSdpType;
import dev.onvoid.webrtc.RTCSessionDescription;
import dev.onvoid.webrtc.RTCStatsReport;
import dev.onvoid.webrtc.RTCStatsType;
import dev.onvoid.webrtc.SetSessionDescriptionObserver;
import dev.onvoid.webrtc.media.MediaStreamTrack;
import dev.onvoid.webrtc.media.audio.AudioTrack;
import dev.onvoid.webrtc.media.audio.AudioTrackSink;
import dev.onvoid.webrtc.media.audio.CustomAudioSource;

import java.lang.System.Logger.Level;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * One WebRTC peer connection with one audio stream each way (Opus, 48 kHz, {@code sendrecv}), made by
 * {@link RtcEngine#newPeer}.
 *
 * <p><b>Negotiation</b> is non-trickle: {@link #createOffer()} and {@link #acceptOffer(String)} wait until ICE
 * gathering is complete and return a description that carries every candidate (host candidates only; no STUN or TURN).
 * An offerer calls {@code createOffer()} then {@link #acceptAnswer(String)}; an answerer calls {@code acceptOffer()}.
 * Each peer is negotiated once; a call out of that order gets a failed future with {@link IllegalStateException}.
 * Refused descriptions fail the future with {@link RtcException}; its message never contains the description.
 *
 * <p><b>Audio.</b> {@link #send(byte[])} feeds one 10 ms frame (48 kHz mono 16-bit little-endian, 960 bytes) into
 * the send track. Received audio arrives at {@link Listener#onFrame} in the same format, 100 frames per second while
 * connected.
 *
 * <p><b>Threads.</b> Futures complete and {@link Listener#onStateChange} is called on the engine's callback thread
 * (one per engine, in order); do not block there. {@link Listener#onFrame} is called on libwebrtc's audio playout
 * thread. {@code send} is serialized by a lock of this peer (libwebrtc aborts the JVM when two threads push into one
 * send stream at the same time), but is meant to be called by exactly one thread, an {@link RtcPacer}: that keeps the
 * 10 ms rhythm and keeps the lock uncontended. {@code close()}, {@code state()} and {@code stats()} may be called from
 * any thread.
 *
 * <p><b>Teardown</b> ({@link #close()}) follows webrtc-notes.md: stop sending (no push in flight), stop delivering
 * frames, remove the receive sink, {@code removeTrack(sender)}, {@code close()} the peer connection, dispose the local
 * track and source. webrtc-java 0.14.0 never frees the native peer connection object (its JNI {@code close()} drops
 * the handle only): each peer costs some resident memory for the life of the process (docs/media.md).
 */
public final class RtcPeer {

    /** Size of one frame: 10 ms at 48 kHz, mono, 16 bits. */
    public static final int FRAME_BYTES = 960;
    /** Samples in one frame. */
    public static final int FRAME_SAMPLES = 480;
    /** Sample rate of every frame. */
    public static final int SAMPLE_RATE = 48_000;

    private static final System.Logger LOG = System.getLogger("ai.alo.audio.rtc");

    /**
     * Receives what a peer hears and how its connection goes.
     */
    public interface Listener {
        /**
         * One received 10 ms frame (48 kHz mono 16-bit little-endian, 960 bytes; a new array each call, owned by the
         * listener). Called on libwebrtc's audio playout thread, 100 times a second: must not block, and must not
         * call {@link RtcPeer#close()} (a close from here is deferred to the engine's callback thread) or
         * {@link RtcEngine#close()} (refused with {@link IllegalStateException}). A throwable is caught and logged
         * ({@code ALOAUD-2021}).
         */
        void onFrame(byte[] pcm);

        /**
         * The connection state changed. Called on the engine's callback thread, in order, never concurrently for one
         * engine; {@link RtcPeerState#CLOSED} is the last call. A throwable is caught and logged.
         */
        void onStateChange(RtcPeerState state);
    }

    private enum Phase { NONE, OFFERING, OFFERED, ANSWERING, DONE }

    private final RtcEngine engine;
    private final String name;
    private final Listener listener;
    private final RTCPeerConnection pc;
    private final CustomAudioSource source;
    private final AudioTrack sendTrack;
    private final RTCRtpSender sender;

    private final AtomicReference<Phase> phase = new AtomicReference<>(Phase.NONE);
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Set<CompletableFuture<?>> pending = ConcurrentHashMap.newKeySet();
    private final CompletableFuture<Void> gathered = new CompletableFuture<>();
    private volatile RtcPeerState state = RtcPeerState.NEW;

    /** Held around every call into the peer connection from our threads; never taken on a libwebrtc thread. */
    private final Object pcLock = new Object();
    private boolean pcClosed;

    /** Held while a frame is pushed; close() takes it to know that no push is in flight or follows. */
    private final Object sendLock = new Object();
    private boolean sendClosed;

    /** Held while a frame is delivered to the listener; close() takes it to end delivery. */
    private final Object frameLock = new Object();
    private boolean receiving = true;
    private volatile Thread deliveringThread;

    /** Guards the receive track between onTrack (signalling thread) and close(). */
    private final Object trackLock = new Object();
    private AudioTrack receiveTrack;
    private boolean trackClosed;

    private final AtomicLong framesSent = new AtomicLong();
    private final AtomicLong framesReceived = new AtomicLong();
    private final AtomicLong framesDropped = new AtomicLong();
    private final AtomicBoolean formatWarned = new AtomicBoolean();
    private volatile long peerConnectionCloseNanos = -1;

    private final AudioTrackSink sink = this::onData;

    private RtcPeer(RtcEngine engine, String name, Listener listener) {
        this.engine = engine;
        this.name = name;
        this.listener = listener;
        RtcEngine.Options options = engine.options();
        RTCConfiguration config = new RTCConfiguration();
        config.iceServers.clear();
        config.portAllocatorConfig = new PortAllocatorConfig(options.minPort, options.maxPort, 0);
        RTCPeerConnection created;
        try {
            created = engine.factory().createPeerConnection(config, new Observer());
        } catch (RuntimeException | Error e) {
            throw new RtcException("could not create a peer connection: " + Redaction.redact(String.valueOf(
                    e.getMessage())), e);
        }
        if (created == null) {
            throw new RtcException("could not create a peer connection (libwebrtc returned none)");
        }
        this.pc = created;
        CustomAudioSource src = null;
        AudioTrack track = null;
        try {
            src = new CustomAudioSource();
            track = engine.factory().createAudioTrack(name + "-send", src);
            // Before any description: the offer (or the answer, as JSEP reuses this transceiver) is sendrecv.
            this.sender = pc.addTrack(track, List.of(name));
        } catch (RuntimeException | Error e) {
            closeQuietly(() -> pc.close());
            if (track != null) {
                AudioTrack t = track;
                closeQuietly(t::dispose);
            }
            if (src != null) {
                CustomAudioSource s = src;
                closeQuietly(s::dispose);
            }
            throw new RtcException("could not add the audio track to a peer connection: " + e, e);
        }
        this.source = src;
        this.sendTrack = track;
    }

    static RtcPeer open(RtcEngine engine, String name, Listener listener) {
        return new RtcPeer(engine, name, Objects.requireNonNull(listener, "listener"));
    }

    /** This peer's name ({@code <engine>-peer-<n>}), as in log lines. */
    public String name() {
        return name;
    }

    /**
     * Offerer: creates the offer, sets it as the local description, waits for ICE gathering to complete.
     *
     * @return completes on the engine's callback thread with the complete offer (every candidate in it); fails with
     *         {@link RtcException} (also when gathering found no address: WebRTC ignores loopback) or
     *         {@link IllegalStateException} if this peer was negotiated already or is closed
     */
    public CompletableFuture<String> createOffer() {
        CompletableFuture<String> result = track(new CompletableFuture<>());
        if (!enter(Phase.NONE, Phase.OFFERING, "createOffer()", result)) {
            return result;
        }
        onCallbackThread(result, () -> pc.createOffer(new RTCOfferOptions(), new CreateObserver(result,
                "creating the offer", offer -> setLocal(offer, RTCSdpType.OFFER, Phase.OFFERED, result))));
        return result;
    }

    /**
     * Answerer: sets the remote offer, creates the answer, sets it as the local description, waits for ICE gathering.
     *
     * @param sdp the remote peer's complete offer
     * @return completes on the engine's callback thread with the complete answer; fails with {@link RtcException} if
     *         the offer is refused (no Opus audio, unparseable; the message says which, without the description) or
     *         {@link IllegalStateException} if this peer was negotiated already or is closed
     * @throws NullPointerException if {@code sdp} is null
     */
    public CompletableFuture<String> acceptOffer(String sdp) {
        Objects.requireNonNull(sdp, "sdp");
        CompletableFuture<String> result = track(new CompletableFuture<>());
        if (!SdpText.hasOpusAudio(sdp)) {
            result.completeExceptionally(new RtcException("the offer has no audio section with Opus at 48 kHz"));
            return result;
        }
        if (!enter(Phase.NONE, Phase.ANSWERING, "acceptOffer()", result)) {
            return result;
        }
        onCallbackThread(result, () -> pc.setRemoteDescription(new RTCSessionDescription(RTCSdpType.OFFER, sdp),
                new SetObserver(result, "setting the remote offer", () -> onCallbackThread(result,
                        () -> pc.createAnswer(new RTCAnswerOptions(), new CreateObserver(result, "creating the answer",
                                answer -> setLocal(answer, RTCSdpType.ANSWER, Phase.DONE, result)))))));
        return result;
    }

    /**
     * Offerer: sets the remote answer to the offer from {@link #createOffer()}.
     *
     * @param sdp the remote peer's complete answer
     * @return completes on the engine's callback thread once the answer is set (connecting then starts; see
     *         {@link Listener#onStateChange}); fails with {@link RtcException} if it is refused or
     *         {@link IllegalStateException} if no offer was made or this peer is closed
     * @throws NullPointerException if {@code sdp} is null
     */
    public CompletableFuture<Void> acceptAnswer(String sdp) {
        Objects.requireNonNull(sdp, "sdp");
        CompletableFuture<Void> result = track(new CompletableFuture<>());
        if (!SdpText.hasOpusAudio(sdp)) {
            result.completeExceptionally(new RtcException("the answer has no audio section with Opus at 48 kHz"));
            return result;
        }
        if (!enter(Phase.OFFERED, Phase.DONE, "acceptAnswer()", result)) {
            return result;
        }
        onCallbackThread(result, () -> pc.setRemoteDescription(new RTCSessionDescription(RTCSdpType.ANSWER, sdp),
                new SetObserver(result, "setting the remote answer", () -> complete(result, null))));
        return result;
    }

    /**
     * Pushes one 10 ms frame into the send track. Meant for one thread only (the pacer); concurrent calls are
     * serialized. A no-op once closed, and before the connection is up (the frame is dropped by libwebrtc).
     *
     * @param pcm960 48 kHz mono 16-bit little-endian, exactly {@value #FRAME_BYTES} bytes; not kept after the call
     * @throws IllegalArgumentException if {@code pcm960} is null or not 960 bytes
     */
    public void send(byte[] pcm960) {
        if (pcm960 == null || pcm960.length != FRAME_BYTES) {
            throw new IllegalArgumentException("a frame is " + FRAME_BYTES + " bytes (10 ms, 48 kHz mono 16-bit "
                    + "little-endian), was " + (pcm960 == null ? "null" : pcm960.length + " bytes"));
        }
        synchronized (sendLock) {
            if (sendClosed) {
                return;
            }
            source.pushAudio(pcm960, 16, SAMPLE_RATE, 1, FRAME_SAMPLES);
        }
        framesSent.incrementAndGet();
    }

    /** The current connection state. */
    public RtcPeerState state() {
        return state;
    }

    /**
     * A few figures from libwebrtc's statistics.
     *
     * @return completes on the engine's callback thread; fails with {@link IllegalStateException} once closed
     */
    public CompletableFuture<RtcStats> stats() {
        CompletableFuture<RtcStats> result = track(new CompletableFuture<>());
        synchronized (pcLock) {
            if (pcClosed || closed.get()) {
                result.completeExceptionally(new IllegalStateException("the peer " + name + " is closed"));
                return result;
            }
            try {
                pc.getStats(report -> engine.callback(() -> {
                    try {
                        complete(result, StatsReader.read(report));
                    } catch (RuntimeException e) {
                        fail(result, new RtcException("could not read the statistics: " + e, e));
                    }
                }));
            } catch (RuntimeException | Error e) {
                fail(result, new RtcException("could not get the statistics: " + e, e));
            }
        }
        return result;
    }

    /** Whether the calling thread is inside this peer's {@link Listener#onFrame} right now. */
    boolean deliversOnCurrentThread() {
        return deliveringThread == Thread.currentThread();
    }

    /** Frames passed to {@link #send} and pushed (not counting calls after close). */
    public long framesSent() {
        return framesSent.get();
    }

    /** Frames delivered to {@link Listener#onFrame}. */
    public long framesReceived() {
        return framesReceived.get();
    }

    /** Received frames dropped because of an unexpected format (logged once as {@code ALOAUD-2022}). */
    public long framesDropped() {
        return framesDropped.get();
    }

    /** How long the native peer connection's {@code close()} took, in nanoseconds; -1 before {@link #close()}. */
    public long peerConnectionCloseNanos() {
        return peerConnectionCloseNanos;
    }

    /**
     * Tears this peer down in the order of webrtc-notes.md and tells the listener {@link RtcPeerState#CLOSED}.
     * Idempotent. Pending futures fail with {@link RtcException}. When it returns, no {@link #send} push is in
     * flight, no {@link Listener#onFrame} call is in flight and none follows. Called from {@code onFrame} (which the
     * listener contract forbids), it stops delivery and sending at once and leaves the native teardown to the engine's
     * callback thread.
     *
     * @return nanoseconds this call took (0 if the peer was closed already)
     */
    public long close() {
        if (!closed.compareAndSet(false, true)) {
            return 0;
        }
        long t0 = System.nanoTime();
        synchronized (sendLock) {
            sendClosed = true;
        }
        boolean fromFrameThread;
        synchronized (frameLock) {
            receiving = false;
            fromFrameThread = deliveringThread == Thread.currentThread();
        }
        if (fromFrameThread) {
            engine.callback(this::teardown);
        } else {
            teardown();
        }
        return System.nanoTime() - t0;
    }

    private void teardown() {
        AudioTrack receive;
        synchronized (trackLock) {
            trackClosed = true;
            receive = receiveTrack;
            receiveTrack = null;
        }
        if (receive != null) {
            closeQuietly(() -> receive.removeSink(sink));
        }
        synchronized (pcLock) {
            pcClosed = true;
            closeQuietly(() -> pc.removeTrack(sender));
            long c0 = System.nanoTime();
            closeQuietly(pc::close);
            peerConnectionCloseNanos = System.nanoTime() - c0;
        }
        closeQuietly(sendTrack::dispose);
        closeQuietly(source::dispose);
        RtcException closedError = new RtcException("the peer " + name + " was closed");
        for (CompletableFuture<?> f : pending) {
            f.completeExceptionally(closedError);
        }
        pending.clear();
        gathered.completeExceptionally(closedError);
        state = RtcPeerState.CLOSED;
        engine.peerClosed(this);
        engine.callback(() -> notifyState(RtcPeerState.CLOSED));
    }

    // ---- negotiation helpers (callback thread) ----

    private boolean enter(Phase from, Phase to, String operation, CompletableFuture<?> result) {
        if (closed.get()) {
            result.completeExceptionally(new IllegalStateException(operation + ": the peer " + name + " is closed"));
            return false;
        }
        if (!phase.compareAndSet(from, to)) {
            result.completeExceptionally(new IllegalStateException(operation + " is not allowed now: the peer " + name
                    + " is " + describe(phase.get())));
            return false;
        }
        return true;
    }

    private static String describe(Phase p) {
        switch (p) {
            case NONE: return "not negotiated yet";
            case OFFERING: return "creating an offer";
            case OFFERED: return "waiting for an answer";
            case ANSWERING: return "answering an offer";
            default: return "negotiated already";
        }
    }

    private void setLocal(RTCSessionDescription created, RTCSdpType type, Phase next, CompletableFuture<String> result) {
        String sdp = SdpText.withPacketTime(created.sdp, engine.options().packetTimeMillis);
        onCallbackThread(result, () -> pc.setLocalDescription(new RTCSessionDescription(type, sdp),
                new SetObserver(result, "setting the local " + (type == RTCSdpType.OFFER ? "offer" : "answer"),
                        () -> awaitGathering(next, result))));
    }

    private void awaitGathering(Phase next, CompletableFuture<String> result) {
        ScheduledFuture<?> timeout = engine.schedule(() -> fail(result, new RtcException("ICE gathering did not "
                + "complete within " + engine.options().gatheringTimeout.toMillis() + " ms")),
                engine.options().gatheringTimeout);
        gathered.whenComplete((ok, error) -> engine.callback(() -> {
            if (timeout != null) {
                timeout.cancel(false);
            }
            if (error != null) {
                fail(result, error);
                return;
            }
            String sdp;
            synchronized (pcLock) {
                if (pcClosed) {
                    fail(result, new RtcException("the peer " + name + " was closed"));
                    return;
                }
                RTCSessionDescription local = pc.getLocalDescription();
                sdp = local == null ? null : local.sdp;
            }
            if (sdp == null) {
                fail(result, new RtcException("no local description after ICE gathering"));
                return;
            }
            if (SdpText.candidateCount(sdp) == 0) {
                fail(result, new RtcException("ICE gathering found no network address to offer: WebRTC ignores "
                        + "loopback, so this machine needs another network interface (the project's media tests run "
                        + "inside bin/netns-exec)"));
                return;
            }
            phase.compareAndSet(next == Phase.OFFERED ? Phase.OFFERING : Phase.ANSWERING, next);
            complete(result, sdp);
        }));
    }

    /** Runs a call into the peer connection on the callback thread, under pcLock; failures fail {@code result}. */
    private void onCallbackThread(CompletableFuture<?> result, Runnable call) {
        engine.callback(() -> {
            synchronized (pcLock) {
                if (pcClosed || closed.get()) {
                    fail(result, new RtcException("the peer " + name + " was closed"));
                    return;
                }
                try {
                    call.run();
                } catch (RuntimeException | Error e) {
                    fail(result, new RtcException("the peer connection refused the call: " + Redaction.redact(
                            String.valueOf(e.getMessage())), e));
                }
            }
        });
    }

    private <T> CompletableFuture<T> track(CompletableFuture<T> f) {
        pending.add(f);
        f.whenComplete((v, e) -> pending.remove(f));
        if (closed.get()) {
            f.completeExceptionally(new IllegalStateException("the peer " + name + " is closed"));
        }
        return f;
    }

    private <T> void complete(CompletableFuture<T> f, T value) {
        f.complete(value);
    }

    private void fail(CompletableFuture<?> f, Throwable error) {
        f.completeExceptionally(error);
    }

    // ---- libwebrtc callbacks: never throw into native code, never block ----

    private void onData(byte[] data, int bits, int rate, int channels, int frames) {
        try {
            byte[] pcm = toMono48k(data, bits, rate, channels, frames);
            if (pcm == null) {
                return;
            }
            synchronized (frameLock) {
                if (!receiving) {
                    return;
                }
                deliveringThread = Thread.currentThread();
                try {
                    framesReceived.incrementAndGet();
                    listener.onFrame(pcm);
                } finally {
                    deliveringThread = null;
                }
            }
        } catch (Throwable t) {
            listenerFailed("onFrame", t);
        }
    }

    private byte[] toMono48k(byte[] data, int bits, int rate, int channels, int frames) {
        if (bits == 16 && rate == SAMPLE_RATE && frames == FRAME_SAMPLES && data != null) {
            if (channels == 1 && data.length == FRAME_BYTES) {
                return data;
            }
            if (channels == 2 && data.length == 2 * FRAME_BYTES) {
                byte[] mono = new byte[FRAME_BYTES];
                for (int i = 0; i < FRAME_SAMPLES; i++) {
                    int l = (short) ((data[4 * i] & 0xff) | (data[4 * i + 1] << 8));
                    int r = (short) ((data[4 * i + 2] & 0xff) | (data[4 * i + 3] << 8));
                    int m = (l + r) / 2;
                    mono[2 * i] = (byte) m;
                    mono[2 * i + 1] = (byte) (m >> 8);
                }
                return mono;
            }
        }
        framesDropped.incrementAndGet();
        if (formatWarned.compareAndSet(false, true)) {
            LOG.log(Level.WARNING, "ALOAUD-2022 peer " + name + " received audio as " + bits + "-bit " + rate + " Hz "
                    + channels + " channel(s), " + frames + " samples per call; only 16-bit 48 kHz 10 ms frames are "
                    + "delivered, the others are dropped");
        }
        return null;
    }

    private void notifyState(RtcPeerState next) {
        if (next != RtcPeerState.CLOSED && closed.get()) {
            return;
        }
        try {
            listener.onStateChange(next);
        } catch (Throwable t) {
            listenerFailed("onStateChange", t);
        }
    }

    private void listenerFailed(String method, Throwable t) {
        try {
            LOG.log(Level.WARNING, "ALOAUD-2021 the listener of peer " + name + " threw from " + method
                    + "; the exception was dropped", t);
        } catch (Throwable ignored) {
            // never into native code
        }
    }

    private void closeQuietly(Runnable step) {
        try {
            step.run();
        } catch (RuntimeException | Error e) {
            LOG.log(Level.WARNING, "ALOAUD-2023 a teardown step of peer " + name + " failed: " + Redaction.redact(
                    String.valueOf(e.getMessage())), e);
        }
    }

    private static RtcPeerState map(RTCPeerConnectionState s) {
        switch (s) {
            case NEW: return RtcPeerState.NEW;
            case CONNECTING: return RtcPeerState.CONNECTING;
            case CONNECTED: return RtcPeerState.CONNECTED;
            case DISCONNECTED: return RtcPeerState.DISCONNECTED;
            case FAILED: return RtcPeerState.FAILED;
            default: return RtcPeerState.CLOSED;
        }
    }

    /** libwebrtc's observer: runs on the signalling thread; hands everything to the callback thread. */
    private final class Observer implements PeerConnectionObserver {
        @Override
        public void onIceCandidate(RTCIceCandidate candidate) {
            // non-trickle: the candidates are read from the local description once gathering is complete
        }

        @Override
        public void onIceGatheringChange(RTCIceGatheringState gathering) {
            if (gathering == RTCIceGatheringState.COMPLETE) {
                gathered.complete(null);
            }
        }

        @Override
        public void onConnectionChange(RTCPeerConnectionState connection) {
            try {
                RtcPeerState next = map(connection);
                if (next == RtcPeerState.CLOSED || closed.get()) {
                    return;
                }
                engine.callback(() -> {
                    if (!closed.get()) {
                        state = next;
                        notifyState(next);
                    }
                });
            } catch (Throwable t) {
                listenerFailed("onConnectionChange", t);
            }
        }

        @Override
        public void onTrack(RTCRtpTransceiver transceiver) {
            try {
                MediaStreamTrack track = transceiver.getReceiver().getTrack();
                if (!(track instanceof AudioTrack)) {
                    return;
                }
                synchronized (trackLock) {
                    if (trackClosed || receiveTrack != null) {
                        return;
                    }
                    AudioTrack audio = (AudioTrack) track;
                    audio.addSink(sink);
                    receiveTrack = audio;
                }
            } catch (Throwable t) {
                listenerFailed("onTrack", t);
            }
        }
    }

    /** Create-offer/answer observer: libwebrtc's signalling thread; continues on the callback thread. */
    private final class CreateObserver implements CreateSessionDescriptionObserver {
        private final CompletableFuture<?> result;
        private final String step;
        private final Consumer<RTCSessionDescription> next;

        CreateObserver(CompletableFuture<?> result, String step, Consumer<RTCSessionDescription> next) {
            this.result = result;
            this.step = step;
            this.next = next;
        }

        @Override
        public void onSuccess(RTCSessionDescription description) {
            engine.callback(() -> {
                try {
                    next.accept(description);
                } catch (RuntimeException e) {
                    fail(result, new RtcException(step + " failed: " + Redaction.redact(e.getMessage()), e));
                }
            });
        }

        @Override
        public void onFailure(String error) {
            engine.callback(() -> fail(result, new RtcException(step + " failed: " + Redaction.redact(error))));
        }
    }

    /** Set-description observer: libwebrtc's signalling thread; continues on the callback thread. */
    private final class SetObserver implements SetSessionDescriptionObserver {
        private final CompletableFuture<?> result;
        private final String step;
        private final Runnable next;

        SetObserver(CompletableFuture<?> result, String step, Runnable next) {
            this.result = result;
            this.step = step;
            this.next = next;
        }

        @Override
        public void onSuccess() {
            engine.callback(() -> {
                try {
                    next.run();
                } catch (RuntimeException e) {
                    fail(result, new RtcException(step + " failed: " + Redaction.redact(e.getMessage()), e));
                }
            });
        }

        @Override
        public void onFailure(String error) {
            engine.callback(() -> fail(result, new RtcException(step + " failed: " + Redaction.redact(error))));
        }
    }

    /** Reads the few figures of {@link RtcStats} from a report. */
    static final class StatsReader {
        private StatsReader() {
        }

        static RtcStats read(RTCStatsReport report) {
            long bytesSent = 0;
            long packetsSent = 0;
            long bytesReceived = 0;
            long packetsReceived = 0;
            long packetsLost = 0;
            double jitter = Double.NaN;
            double audioLevel = Double.NaN;
            long totalSamples = 0;
            long concealed = 0;
            double bufferMillis = Double.NaN;
            double rtt = Double.NaN;
            String codecId = null;
            Map<String, dev.onvoid.webrtc.RTCStats> all = report.getStats();
            for (dev.onvoid.webrtc.RTCStats s : all.values()) {
                Map<String, Object> a = s.getAttributes();
                if (s.getType() == RTCStatsType.OUTBOUND_RTP) {
                    bytesSent += asLong(a.get("bytesSent"));
                    packetsSent += asLong(a.get("packetsSent"));
                } else if (s.getType() == RTCStatsType.INBOUND_RTP) {
                    bytesReceived += asLong(a.get("bytesReceived"));
                    packetsReceived += asLong(a.get("packetsReceived"));
                    packetsLost += asLong(a.get("packetsLost"));
                    jitter = asDouble(a.get("jitter"));
                    audioLevel = asDouble(a.get("audioLevel"));
                    totalSamples += asLong(a.get("totalSamplesReceived"));
                    concealed += asLong(a.get("concealedSamples"));
                    double delay = asDouble(a.get("jitterBufferDelay"));
                    long emitted = asLong(a.get("jitterBufferEmittedCount"));
                    if (emitted > 0 && !Double.isNaN(delay)) {
                        bufferMillis = delay / emitted * 1000.0;
                    }
                    Object c = a.get("codecId");
                    codecId = c == null ? null : c.toString();
                } else if (s.getType() == RTCStatsType.CANDIDATE_PAIR) {
                    if (Boolean.TRUE.equals(a.get("nominated")) && "succeeded".equals(String.valueOf(a.get("state")))) {
                        rtt = asDouble(a.get("currentRoundTripTime"));
                    }
                }
            }
            String mime = "";
            long clock = 0;
            if (codecId != null && all.get(codecId) != null) {
                Map<String, Object> codec = all.get(codecId).getAttributes();
                mime = String.valueOf(codec.getOrDefault("mimeType", ""));
                clock = asLong(codec.get("clockRate"));
            }
            return new RtcStats(bytesSent, packetsSent, bytesReceived, packetsReceived, packetsLost, jitter, audioLevel,
                    totalSamples, concealed, bufferMillis, rtt, mime, clock);
        }

        private static long asLong(Object v) {
            return v instanceof Number ? ((Number) v).longValue() : 0;
        }

        private static double asDouble(Object v) {
            return v instanceof Number ? ((Number) v).doubleValue() : Double.NaN;
        }
    }
}
