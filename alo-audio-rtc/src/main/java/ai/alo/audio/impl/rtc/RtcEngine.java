package ai.alo.audio.impl.rtc;

import dev.onvoid.webrtc.PeerConnectionFactory;
import dev.onvoid.webrtc.media.audio.HeadlessAudioDeviceModule;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One headless audio device module and one {@code PeerConnectionFactory}, created in the only order that works with
 * webrtc-java 0.14.0, shared by every {@link RtcPeer} made from it. Use one engine per runtime (a client runtime, a
 * reference server): each engine adds about 6 native threads, and 2 of them stay after {@link #close()}.
 *
 * <p><b>The recipe</b> (measured in webrtc-notes.md; any other order aborts the JVM or stalls receiving):
 * {@code new HeadlessAudioDeviceModule()}, {@code initPlayout()}, {@code startPlayout()}, and only then
 * {@code new PeerConnectionFactory(adm)}. Recording on the audio device module is never touched: the send streams are
 * fed by {@link RtcPeer#send} from one {@link RtcPacer} thread only. {@code new PeerConnectionFactory()} without a
 * module is never called (it aborts the JVM on a machine without a sound card).
 *
 * <p><b>Threads.</b> libwebrtc's own: a network, a signalling and a worker thread, the audio device module's playout
 * thread (it pulls received audio every 10 ms and so drives every {@link RtcPeer.Listener#onFrame}), an encoder
 * queue and a low-priority task queue; about 2 more per connected peer, which end when it closes. The native threads
 * that call into Java are attached to the JVM as non-daemon threads ({@code Thread-N}) and stay attached: the JVM does
 * not exit before {@link #close()}. Ours: one callback thread per engine (from the {@link Options#threads} factory,
 * named {@code <name>-callbacks}), which completes the peers' futures and delivers their state changes, so that no
 * user code runs on a libwebrtc signalling thread.
 *
 * <p><b>Lifecycle.</b> {@link #create} starts the engine or throws {@link RtcUnavailableException}. {@link #close()}
 * closes the peers that are still open (the teardown order of {@link RtcPeer#close()}), then stops playout, disposes
 * the factory and the audio device module, and ends the callback thread (waiting at most 2 s). Idempotent. Thread-safe:
 * any thread may create peers and close the engine; a {@link #newPeer} racing with {@code close()} either returns a
 * peer that {@code close()} closes or throws {@link IllegalStateException}.
 */
public final class RtcEngine implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger("ai.alo.audio.rtc");
    private static final AtomicInteger ENGINES = new AtomicInteger();

    private final Options options;
    private final String name;
    private final HeadlessAudioDeviceModule adm;
    private final PeerConnectionFactory factory;
    private final ScheduledThreadPoolExecutor callbacks;
    private final Set<RtcPeer> peers = ConcurrentHashMap.newKeySet();
    private final AtomicInteger peerIds = new AtomicInteger();
    private final Object lifecycle = new Object();
    private boolean closed;

    private RtcEngine(Options options, HeadlessAudioDeviceModule adm, PeerConnectionFactory factory, String name) {
        this.options = options;
        this.adm = adm;
        this.factory = factory;
        this.name = name;
        ThreadFactory base = options.threads;
        this.callbacks = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread t = base.newThread(runnable);
            if (t != null) {
                t.setName(name + "-callbacks");
            }
            return t;
        });
        this.callbacks.setRemoveOnCancelPolicy(true);
        this.callbacks.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    }

    /**
     * Loads the native library (once per class loader, {@link NativeMedia#load()}) and starts an engine.
     *
     * @throws RtcUnavailableException if native media is unavailable (the message names what is missing and how to
     *                                 install it) or the audio device module or factory could not be created
     */
    public static RtcEngine create(Options options) {
        Objects.requireNonNull(options, "options");
        NativeMedia.Status status = NativeMedia.load();
        if (!status.available()) {
            throw new RtcUnavailableException(status.problem(), status.cause());
        }
        long t0 = System.nanoTime();
        HeadlessAudioDeviceModule adm = null;
        PeerConnectionFactory factory = null;
        try {
            adm = new HeadlessAudioDeviceModule();
            adm.initPlayout();
            adm.startPlayout();
            factory = new PeerConnectionFactory(adm);
        } catch (RuntimeException | Error e) {
            if (adm != null) {
                try {
                    adm.stopPlayout();
                } catch (RuntimeException | Error ignored) {
                    // best effort
                }
                try {
                    adm.dispose();
                } catch (RuntimeException | Error ignored) {
                    // best effort
                }
            }
            throw new RtcUnavailableException("could not start the WebRTC audio engine: " + e, e);
        }
        String name = options.name + "-" + ENGINES.incrementAndGet();
        RtcEngine engine = new RtcEngine(options, adm, factory, name);
        LOG.log(Level.INFO, "ALOAUD-2010 WebRTC engine " + name + " started in "
                + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0) + " ms");
        return engine;
    }

    /**
     * Creates a peer connection with one local audio track (fed by {@link RtcPeer#send}) and a sink for the audio it
     * will receive; negotiate it with {@link RtcPeer#createOffer()} or {@link RtcPeer#acceptOffer(String)}.
     *
     * @param listener receives frames and state changes; see {@link RtcPeer.Listener} for its threads
     * @throws IllegalStateException if the engine is closed
     * @throws RtcException          if libwebrtc refused to create the peer connection
     */
    public RtcPeer newPeer(RtcPeer.Listener listener) {
        Objects.requireNonNull(listener, "listener");
        synchronized (lifecycle) {
            if (closed) {
                throw new IllegalStateException("the WebRTC engine " + name + " is closed");
            }
            RtcPeer peer = RtcPeer.open(this, name + "-peer-" + peerIds.incrementAndGet(), listener);
            peers.add(peer);
            return peer;
        }
    }

    /** Number of peers made by this engine and not closed yet. */
    public int openPeers() {
        return peers.size();
    }

    /** The engine's name ({@code <options name>-<n>}), as used in thread names and log lines. */
    public String name() {
        return name;
    }

    /** Whether {@link #close()} has been called. */
    public boolean isClosed() {
        synchronized (lifecycle) {
            return closed;
        }
    }

    /**
     * Closes the peers still open, then {@code stopPlayout()}, {@code factory.dispose()}, {@code adm.dispose()}, and
     * ends the callback thread (bounded wait). Idempotent; otherwise never throws.
     *
     * @throws IllegalStateException if called from {@link RtcPeer.Listener#onFrame} (libwebrtc's audio thread would
     *                               wait for itself); nothing is closed then
     */
    @Override
    public void close() {
        for (RtcPeer peer : peers) {
            if (peer.deliversOnCurrentThread()) {
                throw new IllegalStateException("RtcEngine.close() must not be called from RtcPeer.Listener.onFrame "
                        + "(libwebrtc's audio thread); close the engine from another thread");
            }
        }
        List<RtcPeer> open;
        synchronized (lifecycle) {
            if (closed) {
                return;
            }
            closed = true;
            open = new ArrayList<>(peers);
        }
        long t0 = System.nanoTime();
        for (RtcPeer peer : open) {
            try {
                peer.close();
            } catch (RuntimeException | Error e) {
                LOG.log(Level.WARNING, "ALOAUD-2011 closing a peer of engine " + name + " failed", e);
            }
        }
        try {
            adm.stopPlayout();
        } catch (RuntimeException | Error e) {
            LOG.log(Level.WARNING, "ALOAUD-2014 stopping playout of engine " + name + " failed", e);
        }
        try {
            factory.dispose();
        } catch (RuntimeException | Error e) {
            LOG.log(Level.WARNING, "ALOAUD-2015 disposing the factory of engine " + name + " failed", e);
        }
        try {
            adm.dispose();
        } catch (RuntimeException | Error e) {
            LOG.log(Level.WARNING, "ALOAUD-2016 disposing the audio device module of engine " + name + " failed", e);
        }
        callbacks.shutdown();
        if (!Thread.currentThread().getName().equals(name + "-callbacks")) {
            try {
                if (!callbacks.awaitTermination(2, TimeUnit.SECONDS)) {
                    callbacks.shutdownNow();
                    LOG.log(Level.WARNING, "ALOAUD-2012 the callback thread of engine " + name
                            + " did not end within 2 s of close(): a listener blocks");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                callbacks.shutdownNow();
            }
        }
        LOG.log(Level.INFO, "ALOAUD-2013 WebRTC engine " + name + " closed (" + open.size() + " open peer(s) closed) in "
                + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0) + " ms");
    }

    PeerConnectionFactory factory() {
        return factory;
    }

    Options options() {
        return options;
    }

    /** Runs user-facing work (future completions, state changes) on the callback thread; dropped after close. */
    void callback(Runnable task) {
        try {
            callbacks.execute(task);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // engine closed: nobody to tell
        }
    }

    /** Schedules a timeout on the callback thread; returns null after close. */
    java.util.concurrent.ScheduledFuture<?> schedule(Runnable task, Duration delay) {
        try {
            return callbacks.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            return null;
        }
    }

    void peerClosed(RtcPeer peer) {
        peers.remove(peer);
    }

    /**
     * Settings of an engine. Immutable; build with {@link #builder()}; {@link #defaults()} has every default.
     */
    public static final class Options {
        final String name;
        final ThreadFactory threads;
        final int minPort;
        final int maxPort;
        final int packetTimeMillis;
        final Duration gatheringTimeout;

        private Options(Builder b) {
            this.name = b.name;
            this.threads = b.threads;
            this.minPort = b.minPort;
            this.maxPort = b.maxPort;
            this.packetTimeMillis = b.packetTimeMillis;
            this.gatheringTimeout = b.gatheringTimeout;
        }

        /** Every default: name {@code alo-rtc}, daemon threads, any UDP port, 20 ms packets, 10 s gathering bound. */
        public static Options defaults() {
            return builder().build();
        }

        /** A builder with every default set. */
        public static Builder builder() {
            return new Builder();
        }

        /** Builds {@link Options}. Not thread-safe. */
        public static final class Builder {
            private String name = "alo-rtc";
            private ThreadFactory threads = r -> {
                Thread t = new Thread(r);
                t.setDaemon(true);
                return t;
            };
            private int minPort;
            private int maxPort;
            private int packetTimeMillis = 20;
            private Duration gatheringTimeout = Duration.ofSeconds(10);

            private Builder() {
            }

            /** Prefix of the engine's name, thread names and log lines. Default {@code alo-rtc}. */
            public Builder name(String name) {
                if (name == null || name.isBlank()) {
                    throw new IllegalArgumentException("name must not be blank");
                }
                this.name = name;
                return this;
            }

            /** Creates the engine's callback thread. Default: daemon threads. */
            public Builder threads(ThreadFactory threads) {
                this.threads = Objects.requireNonNull(threads, "threads");
                return this;
            }

            /**
             * The UDP ports ICE may use, inclusive (a firewall opening on a server). Default: any port (0, 0).
             *
             * @throws IllegalArgumentException unless {@code 0 < min <= max <= 65535} or both are 0
             */
            public Builder portRange(int min, int max) {
                boolean any = min == 0 && max == 0;
                if (!any && (min < 1 || max > 65535 || min > max)) {
                    throw new IllegalArgumentException("port range must be 1..65535 with min <= max, or 0..0 for any "
                            + "port; was " + min + ".." + max);
                }
                this.minPort = min;
                this.maxPort = max;
                return this;
            }

            /**
             * The Opus packet duration this side asks the other side to send ({@code a=ptime} in its offers and
             * answers): 10 or 20 ms. 10 ms cuts about 10 ms of latency per hop and doubles the packet rate.
             * Default 20 (libwebrtc's and browsers' default).
             *
             * @throws IllegalArgumentException unless 10 or 20
             */
            public Builder packetTimeMillis(int millis) {
                if (millis != 10 && millis != 20) {
                    throw new IllegalArgumentException("packet time must be 10 or 20 ms, was " + millis);
                }
                this.packetTimeMillis = millis;
                return this;
            }

            /**
             * How long {@link RtcPeer#createOffer()} and {@link RtcPeer#acceptOffer(String)} wait for ICE gathering
             * (host candidates only: milliseconds normally). Default 10 s.
             */
            public Builder gatheringTimeout(Duration timeout) {
                Objects.requireNonNull(timeout, "timeout");
                if (timeout.isNegative() || timeout.isZero()) {
                    throw new IllegalArgumentException("gathering timeout must be positive, was " + timeout);
                }
                this.gatheringTimeout = timeout;
                return this;
            }

            /** The options. */
            public Options build() {
                return new Options(this);
            }
        }
    }
}
