package ai.alo.audio.server;

import ai.alo.audio.impl.rtc.NativeMedia;
import ai.alo.audio.impl.rtc.RtcEngine;
import ai.alo.audio.impl.rtc.RtcPacer;
import ai.alo.audio.impl.rtc.RtcPeer;
import ai.alo.audio.impl.rtc.RtcUnavailableException;
import java.lang.System.Logger.Level;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadFactory;

/**
 * The server's media relay ({@code docs/media.md}, "The relay"): one WebRTC engine, one 10 ms pacer thread, and one
 * {@link ChannelMixer} per channel that has participants with a media session.
 *
 * <p><b>Path of a frame.</b> A participant's server-side {@link RtcPeer} delivers each received 10 ms frame on
 * libwebrtc's audio thread into its {@link ChannelMixer.Participant} queue ({@link MediaSession#onFrame}); every 10 ms
 * the pacer runs each channel's tick, which mixes the others' fresh frames for every participant and pushes the mix
 * into that participant's peer ({@link RtcPeer#send}). The pacer thread is the only caller of {@code send} for every
 * peer of the server: libwebrtc aborts the JVM when two threads feed one send stream.
 *
 * <p><b>Lifecycle.</b> {@link #start()} probes the native library, only when media is enabled (signalling-only
 * servers never load it). The engine and the pacer are created at the first {@link #newPeer} (the first
 * {@code media.offer}), so that servers whose clients never offer start no WebRTC thread. {@link #close()} (the
 * server's stop) ends the pacer, then closes the engine and every peer still open. A channel's pacer registration is
 * added with its first participant and removed with its last.
 *
 * <p><b>Threads.</b> Ours: {@code <server>-pacer} and the engine's {@code <server>-rtc-<n>-callbacks} (daemon). The
 * engine's native threads are listed in {@code docs/media.md}. All methods are thread-safe; {@link #attach} and
 * {@link #detach} are called under the server's state lock and take only this relay's own lock and the mixer's (never
 * held while waiting for anything but a running pacer round).
 */
final class MediaRelay implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(AloAudioServer.class.getPackageName());

    /** The Opus packet time the relay asks for ({@code a=ptime}) and sends: 10 ms cuts the latency of each hop. */
    static final int PACKET_TIME_MILLIS = 10;

    private final boolean enabled;
    private final String threadPrefix;
    private final Object lock = new Object();
    // guarded by lock
    private NativeMedia.Status probed;
    private boolean closed;
    private RtcEngine engine;
    private RtcPacer pacer;
    private String engineProblem;
    private final Map<String, ChannelRelay> channels = new HashMap<>();

    MediaRelay(boolean enabled, String threadPrefix) {
        this.enabled = enabled;
        this.threadPrefix = threadPrefix;
    }

    /** Probes the native library if media is enabled; logs one WARNING when it cannot be used. Never throws. */
    void start() {
        if (!enabled) {
            return;
        }
        NativeMedia.Status status = NativeMedia.load();
        synchronized (lock) {
            probed = status;
        }
        if (!status.available()) {
            LOG.log(Level.WARNING, "ALOSRV-5100 " + threadPrefix + " runs signalling only, without the media relay "
                    + "(media.webrtc is not offered): " + status.problem());
        }
    }

    /** Whether offers can be answered: enabled, the library loaded, the engine not failed, not closed. */
    boolean available() {
        synchronized (lock) {
            return enabled && probed != null && probed.available() && engineProblem == null && !closed;
        }
    }

    MediaStatus status() {
        synchronized (lock) {
            if (!enabled) {
                return new MediaStatus(false, false, "media is disabled on this server (media(false))");
            }
            if (probed == null) {
                return new MediaStatus(true, false, "the server has not been started");
            }
            if (!probed.available()) {
                return new MediaStatus(true, false, probed.problem());
            }
            if (engineProblem != null) {
                return new MediaStatus(true, false, engineProblem);
            }
            if (closed) {
                return new MediaStatus(true, false, "the server is stopped");
            }
            return new MediaStatus(true, true, "");
        }
    }

    /**
     * A new server-side peer; starts the engine and the pacer on the first call.
     *
     * @throws RtcUnavailableException if the engine cannot start (then media stays unavailable on this server)
     * @throws IllegalStateException   if the relay is closed or media is not available
     */
    RtcPeer newPeer(RtcPeer.Listener listener) {
        RtcEngine current;
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException("the server is stopping");
            }
            if (!enabled || probed == null || !probed.available() || engineProblem != null) {
                throw new IllegalStateException("media is not available on this server");
            }
            if (engine == null) {
                try {
                    engine = RtcEngine.create(RtcEngine.Options.builder()
                            .name(threadPrefix + "-rtc")
                            .threads(daemonThreads())
                            .packetTimeMillis(PACKET_TIME_MILLIS)
                            .build());
                } catch (RtcUnavailableException e) {
                    engineProblem = e.getMessage();
                    LOG.log(Level.WARNING, "ALOSRV-5101 The media relay of " + threadPrefix + " could not start its "
                            + "WebRTC engine; media offers are refused from now on: " + e.getMessage());
                    throw e;
                }
                pacer = new RtcPacer(daemonThreads(), threadPrefix + "-pacer");
                LOG.log(Level.INFO, "ALOSRV-5102 Media relay of " + threadPrefix + " started (engine "
                        + engine.name() + ", " + PACKET_TIME_MILLIS + " ms packets)");
            }
            current = engine;
        }
        return current.newPeer(listener);
    }

    /**
     * Adds a participant's peer to its channel's mixer; its audio is mixed for the others, and it gets their mix, from
     * the next tick on.
     *
     * @return the mixer participant that takes the peer's received frames
     * @throws IllegalStateException if the relay is closed
     */
    ChannelMixer.Participant attach(String channelId, String participantId, RtcPeer peer) {
        synchronized (lock) {
            if (closed || pacer == null) {
                throw new IllegalStateException("the server is stopping");
            }
            ChannelRelay channel = channels.computeIfAbsent(channelId, ChannelRelay::new);
            channel.peers.put(participantId, peer);
            ChannelMixer.Participant participant = channel.mixer.add(participantId);
            if (channel.registration == null) {
                channel.registration = pacer.add(channel::tick);
            }
            return participant;
        }
    }

    /**
     * Removes a participant from its channel's mixer: when this returns, no tick mixes its audio for anyone or sends
     * it anything. Idempotent.
     */
    void detach(String channelId, String participantId) {
        RtcPacer.Registration idle = null;
        synchronized (lock) {
            ChannelRelay channel = channels.get(channelId);
            if (channel == null) {
                return;
            }
            channel.mixer.remove(participantId);
            channel.peers.remove(participantId);
            if (channel.peers.isEmpty()) {
                channels.remove(channelId);
                idle = channel.registration;
            }
        }
        if (idle != null) {
            idle.close();
        }
    }

    /** Ends the pacer, then closes the engine with every peer still open. Idempotent. */
    @Override
    public void close() {
        RtcEngine currentEngine;
        RtcPacer currentPacer;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            currentEngine = engine;
            currentPacer = pacer;
            channels.clear();
        }
        if (currentPacer != null) {
            currentPacer.close();
        }
        if (currentEngine != null) {
            int open = currentEngine.openPeers();
            currentEngine.close();
            LOG.log(Level.INFO, "ALOSRV-5103 Media relay of " + threadPrefix + " stopped (" + open
                    + " peer(s) were still open)");
        }
    }

    // ---------------------------------------------------------------- for tests and the benchmark

    /** Peers of the engine not closed yet; 0 before the engine exists. */
    int openPeers() {
        synchronized (lock) {
            return engine == null ? 0 : engine.openPeers();
        }
    }

    /** Whether the engine has been created (the first offer) and not closed. */
    boolean engineRunning() {
        synchronized (lock) {
            return engine != null && !engine.isClosed();
        }
    }

    /** The channels with media participants now. */
    int channelCount() {
        synchronized (lock) {
            return channels.size();
        }
    }

    /** The mixer of a channel, or null. */
    ChannelMixer mixer(String channelId) {
        synchronized (lock) {
            ChannelRelay channel = channels.get(channelId);
            return channel == null ? null : channel.mixer;
        }
    }

    /** The server-side peers of a channel's participants (for the tests' statistics). */
    java.util.List<RtcPeer> peers(String channelId) {
        synchronized (lock) {
            ChannelRelay channel = channels.get(channelId);
            return channel == null ? java.util.List.of() : java.util.List.copyOf(channel.peers.values());
        }
    }

    /** The server-side peer of one participant of a channel, or null (for the tests' statistics). */
    RtcPeer peer(String channelId, String participantId) {
        synchronized (lock) {
            ChannelRelay channel = channels.get(channelId);
            return channel == null ? null : channel.peers.get(participantId);
        }
    }

    /** Deadlines the pacer skipped because it ran late (an overloaded server); 0 before the pacer exists. */
    long skippedTicks() {
        synchronized (lock) {
            return pacer == null ? 0 : pacer.skippedTicks();
        }
    }

    private static ThreadFactory daemonThreads() {
        return runnable -> {
            Thread thread = new Thread(runnable);
            thread.setDaemon(true);
            return thread;
        };
    }

    /** One channel's mixer and the peers its mixes go to. */
    private static final class ChannelRelay {
        final ChannelMixer mixer = new ChannelMixer();
        final Map<String, RtcPeer> peers = new ConcurrentHashMap<>();
        // guarded by the relay's lock
        RtcPacer.Registration registration;

        ChannelRelay(String channelId) {
            // one per channel id; the id is the map key
        }

        /** On the pacer thread: every participant gets the mix of the others. */
        void tick(long tickNumber, long nanoTime) {
            mixer.tick((participant, frame, voices) -> {
                RtcPeer peer = peers.get(participant.id());
                if (peer != null) {
                    peer.send(frame);
                }
            });
        }
    }
}
