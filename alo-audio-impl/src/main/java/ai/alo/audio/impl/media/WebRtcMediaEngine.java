package ai.alo.audio.impl.media;

import ai.alo.audio.impl.rtc.RtcEngine;
import ai.alo.audio.impl.rtc.RtcPacer;
import ai.alo.audio.impl.rtc.RtcPeer;
import ai.alo.audio.impl.rtc.RtcPeerState;
import ai.alo.audio.impl.rtc.RtcUnavailableException;
import java.lang.System.Logger.Level;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The media engine on webrtc-java (module {@code alo-audio-rtc}): one {@link RtcEngine} (the headless audio module and
 * one peer connection factory, made in the only order that works) and one {@link RtcPacer} thread for all the
 * sessions of a runtime.
 *
 * <h2>Starting</h2>
 * <p>Nothing native is touched until the first {@link #open}: signalling-only clients never load the library. The
 * first {@code open} loads it and starts the engine; when that fails, the failure is kept and every later
 * {@code open} throws the same {@link MediaUnavailableException} at once (the load is tried once per runtime).
 *
 * <h2>Threads</h2>
 * <p>Ours: the pacer thread (every session's frames are pushed from it, 10 ms at a time, so each send stream has one
 * producer) and the engine's callback thread, both from the runtime's thread factory and ended by {@link #close()}.
 * libwebrtc's own native threads: about 6 for the engine and about 2 per connected session.
 *
 * <p>Thread-safe.
 */
public final class WebRtcMediaEngine implements MediaEngine {

    private static final System.Logger LOG = System.getLogger("ai.alo.audio.media");

    private final String name;
    private final ThreadFactory threads;
    private final Executor closer;
    private final Object lock = new Object();
    private final Set<Session> sessions = ConcurrentHashMap.newKeySet();
    // guarded by lock
    private RtcEngine engine;
    private RtcPacer pacer;
    private MediaUnavailableException failure;
    private boolean closed;

    /**
     * Creates an engine that starts on first use.
     *
     * @param name    the prefix of thread names and log lines
     * @param threads makes the pacer and callback threads
     * @param closer  runs {@link MediaSession#closeLater()} teardowns (an event thread of the runtime)
     */
    public WebRtcMediaEngine(String name, ThreadFactory threads, Executor closer) {
        this.name = Objects.requireNonNull(name, "name");
        this.threads = Objects.requireNonNull(threads, "threads");
        this.closer = Objects.requireNonNull(closer, "closer");
    }

    @Override
    public MediaSession open(AudioSession audio, MediaSession.Listener listener) {
        Objects.requireNonNull(audio, "audio");
        Objects.requireNonNull(listener, "listener");
        RtcEngine rtc;
        RtcPacer ticks;
        synchronized (lock) {
            startLocked();
            rtc = engine;
            ticks = pacer;
        }
        Session session = new Session(audio, listener);
        try {
            session.start(rtc, ticks);
        } catch (RuntimeException e) {
            session.close();
            throw new MediaUnavailableException("could not open a WebRTC session: " + e.getMessage(), e);
        }
        return session;
    }

    @Override
    public void checkAvailable() {
        synchronized (lock) {
            startLocked();
        }
    }

    /** Starts the engine once; throws the kept failure, or that it is closed. */
    private void startLocked() {
        if (closed) {
            throw new MediaUnavailableException("the media engine of runtime " + name + " is closed", null);
        }
        if (failure != null) {
            throw failure;
        }
        if (engine != null) {
            return;
        }
        try {
            engine = RtcEngine.create(RtcEngine.Options.builder().name(name + "-rtc").threads(threads).build());
        } catch (RtcUnavailableException e) {
            failure = new MediaUnavailableException("Native audio is not available: " + e.getMessage(), e);
            LOG.log(Level.ERROR, "ALOAUD-2101 [{0}] {1}; clients with media enabled cannot connect, "
                    + "signalling-only clients are not affected", name, failure.getMessage());
            throw failure;
        } catch (RuntimeException | LinkageError e) {
            failure = new MediaUnavailableException("The WebRTC audio engine could not start: " + e, e);
            LOG.log(Level.ERROR, "ALOAUD-2104 [" + name + "] the WebRTC audio engine could not start; clients with "
                    + "media enabled cannot connect", e);
            throw failure;
        }
        pacer = new RtcPacer(threads, name + "-media-pacer");
    }

    /**
     * Sessions open now.
     *
     * @return the count
     */
    public int openSessions() {
        return sessions.size();
    }

    /**
     * Whether the native engine has been started (by a first {@link #open}) and not closed.
     *
     * @return the flag
     */
    public boolean isStarted() {
        synchronized (lock) {
            return engine != null && !closed;
        }
    }

    @Override
    public void close() {
        RtcEngine rtc;
        RtcPacer ticks;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            rtc = engine;
            ticks = pacer;
        }
        for (Session session : sessions) {
            session.close();
        }
        if (ticks != null) {
            ticks.close();
        }
        if (rtc != null) {
            rtc.close();
        }
    }

    /** One peer connection fed by the pacer from an audio session. */
    private final class Session implements MediaSession, RtcPeer.Listener, RtcPacer.Tick {

        private final AudioSession audio;
        private final MediaSession.Listener listener;
        private final AtomicBoolean ended = new AtomicBoolean();
        private final AtomicBoolean connected = new AtomicBoolean();
        private final CompletableFuture<Void> done = new CompletableFuture<>();
        private volatile RtcPeer peer;
        private volatile RtcPacer.Registration sending;
        private volatile boolean closing;

        Session(AudioSession audio, MediaSession.Listener listener) {
            this.audio = audio;
            this.listener = listener;
        }

        void start(RtcEngine rtc, RtcPacer ticks) {
            sessions.add(this);
            peer = rtc.newPeer(this);
            sending = ticks.add(this);
        }

        // -- RtcPacer.Tick (pacer thread)

        @Override
        public void tick(long tickNumber, long nanoTime) {
            RtcPeer current = peer;
            if (current != null && !closing) {
                current.send(audio.nextFrame(tickNumber));
            }
        }

        // -- RtcPeer.Listener

        @Override
        public void onFrame(byte[] pcm) {
            audio.accept(pcm);
        }

        @Override
        public void onStateChange(RtcPeerState state) {
            if (closing) {
                return;
            }
            switch (state) {
                case CONNECTED:
                    if (connected.compareAndSet(false, true)) {
                        listener.onConnected();
                    }
                    break;
                case FAILED:
                    failed(connected.get() ? "the audio connection to the server failed (ICE or DTLS)"
                            : "the audio connection to the server could not be established (ICE or DTLS failed)");
                    break;
                case CLOSED:
                    failed("the audio connection to the server was closed");
                    break;
                default:
                    break;
            }
        }

        private void failed(String message) {
            if (ended.compareAndSet(false, true)) {
                listener.onFailed(message);
            }
        }

        // -- MediaSession

        @Override
        public CompletableFuture<String> createOffer() {
            return peer.createOffer();
        }

        @Override
        public CompletableFuture<Void> acceptAnswer(String sdp) {
            return peer.acceptAnswer(sdp);
        }

        @Override
        public void stopSending() {
            closing = true;
            RtcPacer.Registration registration = sending;
            if (registration != null) {
                registration.close();
            }
        }

        @Override
        public long close() {
            long t0 = System.nanoTime();
            stopSending();
            ended.set(true);
            RtcPeer current = peer;
            if (current != null) {
                try {
                    current.close();
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "ALOAUD-2102 [{0}] closing a WebRTC session failed: {1}", name,
                            String.valueOf(e));
                }
            }
            audio.close();
            sessions.remove(this);
            done.complete(null);
            return System.nanoTime() - t0;
        }

        @Override
        public CompletableFuture<Void> closeLater() {
            stopSending();
            ended.set(true);
            try {
                closer.execute(this::close);
            } catch (RejectedExecutionException e) {
                close();
            }
            return done;
        }
    }
}
