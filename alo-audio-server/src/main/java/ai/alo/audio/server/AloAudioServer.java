package ai.alo.audio.server;

import ai.alo.audio.protocol.MessageCodec;
import ai.alo.audio.protocol.ProtocolVersion;
import jakarta.websocket.DeploymentException;
import jakarta.websocket.server.ServerEndpointConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * A real reference implementation of the ALO audio service's signalling protocol ({@code docs/protocol.md},
 * versions {@value ProtocolVersion#MIN} to {@value ProtocolVersion#MAX}), for tests, demos and benchmarks. It checks
 * HS256 user tokens (with a clock-skew leeway), negotiates the protocol version and capabilities in the hello/welcome
 * handshake, runs channels with paged rosters and {@code participant.joined/left} deltas, answers requests with their
 * request ids, runs application heartbeats with a server-side watchdog, replaces duplicate sessions, caps names,
 * connections and message sizes, ends sessions whose client stopped reading, and, by default, puts a fault-injection
 * relay in front that can reset or silently freeze single connections.
 *
 * <pre>{@code
 * try (AloAudioServer server = AloAudioServer.builder().build().start()) {
 *     String token = server.tokens().issue("u-1", Duration.ofHours(1));
 *     // connect a client to server.uri() with "Authorization: Bearer " + token
 * }
 * }</pre>
 *
 * <h2>Lifecycle</h2>
 * <p>{@code NEW -> RUNNING} ({@link #start()}) {@code -> STOPPED} ({@link #stop()}, {@link #close()} or
 * {@link #kill()}). An instance is single-use: to restart on the same port, build a new one with that
 * {@link Builder#port(int) port}. Several servers may run in one JVM; there is no static mutable state.
 *
 * <h2>Threads and scale</h2>
 * <p>{@link #start()} creates a fixed set of daemon threads whose names start with {@code alo-audio-server-<id>}, so
 * the count does not drift with load or with the number of sessions: one Grizzly selector thread
 * ({@code -selector(1)}), a fixed pool of {@link Builder#workerThreads(int) worker threads} ({@code -worker(n)},
 * default 4) that run the protocol and the {@link ServerListener}s, one Grizzly timer thread ({@code -http-0}), one
 * Tyrus timer thread ({@code -tyrus-timer}), the server's one scheduler thread for every per-connection and
 * per-session timer (upgrade deadline, hello timeout, heartbeat watchdog, close deadline) and for ending sessions whose
 * sends failed ({@code -timer}), and with fault injection one relay selector thread ({@code -relay}): 9 threads with
 * the defaults. No thread is started per session. The media relay ({@link Builder#media(boolean)}) adds, from the
 * first {@code media.offer} until the stop, one pacer thread ({@code -pacer}), the WebRTC engine's callback thread
 * ({@code -rtc-1-callbacks}) and libwebrtc's native threads ({@code docs/media.md}, "Threads"). Nothing is
 * O(sessions) per message: a {@code ping} takes no lock and costs one {@code pong}; a join or leave costs one message
 * to each other member of the channel. One server
 * carries 10,000 concurrent sessions (raise {@link Builder#maxConnectionsPerAddress(int)} when they all come from one
 * address, and note that the relay costs two more file descriptors per session).
 *
 * <p>{@link #stop()} and {@link #kill()} release every socket, timer and thread the server started, and return after
 * those threads ended (bounded wait, logged if exceeded). All public methods are thread-safe.
 *
 * <h2>Media</h2>
 * <p>With {@link Builder#media(boolean) media} on (the default) the server lists {@code media.webrtc} in
 * {@code welcome}, answers each participant's {@code media.offer} with a WebRTC session of its own and relays the audio
 * of each channel: every participant hears the mix of the others, never itself ({@code docs/media.md}, "The relay").
 * {@link #mediaStatus()} says whether it does. After a participant's {@code left} (or the end of its session) the
 * others receive none of its audio beyond what is in flight: it leaves the mixer and its peer is closed before the
 * answer is sent. WebRTC ignores loopback: media needs a non-loopback interface (the project's media tests run in a
 * network namespace).
 *
 * <h2>Browsers</h2>
 * <p>A browser cannot set the {@code Authorization} header on a WebSocket: it sends its token as the subprotocol
 * {@code bearer.<token>} next to {@code alo-audio}, checked exactly as the header is (the header wins when both are
 * present), and the server answers {@code alo-audio}, never the token. The server also serves a web console
 * ({@link Builder#console(boolean)}, on by default; {@link #consoleUri()}): a page on the same port where a browser
 * joins a channel with its own WebSocket and WebRTC.
 *
 * <h2>Logging</h2>
 * <p>{@link System.Logger} named after the classes of this package; INFO and above carry ids {@code ALOSRV-5xxx} (see
 * the package documentation). Tokens are never logged.
 */
public final class AloAudioServer implements AutoCloseable {

    /** The {@code server} member of {@code welcome}. */
    public static final String SERVER_NAME = "alo-audio-server/0.1.0";

    private static final System.Logger LOG = System.getLogger(AloAudioServer.class.getPackageName());
    private static final long THREAD_JOIN_TIMEOUT_MILLIS = 5_000;

    private enum State { NEW, RUNNING, STOPPING, STOPPED }

    private final String host;
    private final int requestedPort;
    private final String path;
    private final boolean faultInjection;
    private final boolean console;
    private final MediaRelay media;
    private final javax.net.ssl.SSLContext sslContext;
    private final int workerThreads;
    private final Duration stopTimeout;
    private final int maxMessageSize;
    private final String threadPrefix;
    private final TokenIssuer tokens;
    private final MessageCodec codec;
    private final ScheduledThreadPoolExecutor scheduler;
    private final SessionService service;
    private final ConnectionGauge gauge = new ConnectionGauge();
    private final ConnectionGate gate;
    private final CountDownLatch terminated = new CountDownLatch(1);

    private final Object lifecycle = new Object();
    // guarded by lifecycle
    private State state = State.NEW;
    private Thread stoppingThread;
    private boolean killRequested;
    // written once by start() under lifecycle, read afterwards
    private volatile GrizzlyRuntime runtime;
    private volatile FaultRelay relay;
    private volatile int port = -1;

    private AloAudioServer(Builder builder) {
        this.host = builder.host;
        this.requestedPort = builder.port;
        this.path = builder.path;
        this.faultInjection = builder.faultInjection;
        this.console = builder.console;
        this.sslContext = builder.sslContext;
        this.workerThreads = builder.workerThreads;
        this.stopTimeout = builder.stopTimeout;
        this.maxMessageSize = builder.maxMessageSize;
        byte[] secret = builder.secret != null ? builder.secret.clone() : randomSecret();
        this.tokens = new TokenIssuer(secret, builder.clock);
        this.threadPrefix = "alo-audio-server-" + HexFormat.of().toHexDigits(new SecureRandom().nextInt());
        this.media = new MediaRelay(builder.media, threadPrefix);
        this.codec = new MessageCodec();
        this.scheduler = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread thread = new Thread(runnable, threadPrefix + "-timer");
            thread.setDaemon(true);
            return thread;
        });
        scheduler.setRemoveOnCancelPolicy(true);
        scheduler.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        ServerSettings settings = new ServerSettings(builder.maxMessageSize, builder.helloTimeout.toMillis(),
                builder.minInterval.toMillis(), builder.maxInterval.toMillis(), builder.minTimeout.toMillis(),
                builder.maxTimeout.toMillis(), SERVER_NAME, builder.capabilities, builder.rosterPageBytes,
                builder.sendQueueLimit, builder.maxConnections, builder.maxConnectionsPerAddress,
                builder.upgradeTimeout.toMillis(), builder.sessionResume, builder.resumeWindow.toMillis(),
                builder.resumeRecordLimit);
        this.service = new SessionService(settings, codec,
                new TokenVerifier(secret, builder.clock, builder.clockSkew), scheduler, media);
        this.gate = new ConnectionGate(settings, scheduler, gauge, faultInjection, service::frameTooBig);
    }

    /** The number of sessions held resumable ({@link Builder#sessionResume(boolean)}); for tests. */
    int resumableSessions() {
        return service.resumableCount();
    }

    /**
     * Starts building a server.
     *
     * @return a builder with the defaults
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Binds the port and starts serving. Blocks until the server accepts connections.
     *
     * @return this server
     * @throws IllegalStateException if the server was already started or stopped, or Tyrus cannot deploy
     * @throws UncheckedIOException  if the port cannot be bound
     */
    public AloAudioServer start() {
        synchronized (lifecycle) {
            if (state != State.NEW) {
                throw new IllegalStateException("An AloAudioServer can be started once; this one is " + state);
            }
            WireLogGuard.apply();
            // before the port opens, so that the first welcome already knows whether media.webrtc is offered
            media.start();
            try {
                InetSocketAddress publicAddress = new InetSocketAddress(InetAddress.getByName(host), requestedPort);
                String loopback = InetAddress.getLoopbackAddress().getHostAddress();
                FaultRelay newRelay = faultInjection ? new FaultRelay(publicAddress, gauge) : null;
                relay = newRelay;
                GrizzlyRuntime newRuntime = new GrizzlyRuntime(faultInjection ? loopback : host, workerThreads,
                        FrameGuard.incomingBufferSize(maxMessageSize), threadPrefix, gate, sslContext,
                        console ? new ConsoleHandler(path) : null);
                runtime = newRuntime;
                ServerEndpointConfig config = ServerEndpointConfig.Builder.create(SessionEndpoint.class, path)
                        .subprotocols(List.of(TokenVerifier.SUBPROTOCOL))
                        .configurator(new SessionEndpoint.Configurator(service, gate, faultInjection))
                        .build();
                newRuntime.addEndpoint(config);
                newRuntime.start("/", faultInjection ? 0 : requestedPort);
                int tyrusPort = newRuntime.getPort();
                if (newRelay != null) {
                    newRelay.start(new InetSocketAddress(loopback, tyrusPort), threadPrefix + "-relay");
                    port = newRelay.port();
                } else {
                    port = tyrusPort;
                }
                // Started now, not on first use, so the server's thread count stays the same while it runs.
                scheduler.prestartAllCoreThreads();
                state = State.RUNNING;
                LOG.log(Level.INFO, () -> "ALOSRV-5001 ALO audio server " + threadPrefix + " listening on " + uri()
                        + (faultInjection ? " (fault-injection relay in front of Tyrus port " + tyrusPort + ")" : "")
                        + (console ? "; web console at " + consoleUri() : "")
                        + (media.available() ? "; media relay ready" : ""));
                return this;
            } catch (UnknownHostException e) {
                failStart();
                throw new UncheckedIOException("Unknown host " + host, e);
            } catch (IOException e) {
                failStart();
                throw new UncheckedIOException("Cannot bind " + host + ":" + requestedPort + ": " + e.getMessage(),
                        e);
            } catch (DeploymentException | RuntimeException e) {
                failStart();
                throw new IllegalStateException("Cannot start the ALO audio server: " + e.getMessage(), e);
            }
        }
    }

    /**
     * The bound port (the real one when port 0 was asked).
     *
     * @return the port
     * @throws IllegalStateException before {@link #start()}
     */
    public int port() {
        int current = port;
        if (current < 0) {
            throw new IllegalStateException("The server has not been started");
        }
        return current;
    }

    /**
     * The WebSocket URI clients connect to, such as {@code ws://127.0.0.1:41234/audio} ({@code wss://} with
     * {@link Builder#tls(javax.net.ssl.SSLContext) TLS}). A wildcard bind address is reported as {@code 127.0.0.1}.
     *
     * @return the URI
     * @throws IllegalStateException before {@link #start()}
     */
    public URI uri() {
        String uriHost = host;
        try {
            if (InetAddress.getByName(host).isAnyLocalAddress()) {
                uriHost = "127.0.0.1";
            }
        } catch (UnknownHostException e) {
            // start() would have failed; keep the name
        }
        try {
            return new URI(sslContext != null ? "wss" : "ws", null, uriHost, port(), path, null, null);
        } catch (URISyntaxException e) {
            throw new IllegalStateException("Cannot form the server URI: " + e.getMessage(), e);
        }
    }

    /**
     * The address of the web console, such as {@code http://127.0.0.1:41234/console/} ({@code https://} with
     * {@link Builder#tls(javax.net.ssl.SSLContext) TLS}); see {@link Builder#console(boolean)}. A wildcard bind
     * address is reported as {@code 127.0.0.1}. Open it in a browser, or add {@code #user=..&token=..&channel=..} to
     * prefill the form (the fragment never reaches the server).
     *
     * @return the URI
     * @throws IllegalStateException before {@link #start()}, or when the console is disabled
     */
    public URI consoleUri() {
        if (!console) {
            throw new IllegalStateException("The web console is disabled on this server; build it with console(true)");
        }
        URI ws = uri();
        try {
            return new URI(sslContext != null ? "https" : "http", null, ws.getHost(), ws.getPort(), ConsoleHandler.PATH,
                    null, null);
        } catch (URISyntaxException e) {
            throw new IllegalStateException("Cannot form the console URI: " + e.getMessage(), e);
        }
    }

    /**
     * Whether this server relays audio, and if not, why ({@code docs/media.md}, "The relay"). With
     * {@link Builder#media(boolean) media} enabled (the default) the native library is probed at {@link #start()};
     * when it cannot be loaded the server runs signalling-only (one WARNING {@code ALOSRV-5100} names the problem) and
     * {@code welcome} does not list {@code media.webrtc}.
     *
     * @return the status now; never null
     */
    public MediaStatus mediaStatus() {
        return media.status();
    }

    /** The media relay, for the tests of this package. */
    MediaRelay mediaRelay() {
        return media;
    }

    /** The prefix of every thread this server names ({@code alo-audio-server-<hex>}), for the tests of this package. */
    String threadPrefix() {
        return threadPrefix;
    }

    /**
     * The issuer of tokens this server accepts.
     *
     * @return the issuer (same secret as the server)
     */
    public TokenIssuer tokens() {
        return tokens;
    }

    /**
     * Whether the fault-injection relay is in front of the server.
     *
     * @return the builder's {@link Builder#faultInjection(boolean)} setting
     */
    public boolean faultInjection() {
        return faultInjection;
    }

    /**
     * Whether the server is started and not stopping or stopped.
     *
     * @return {@code true} while running
     */
    public boolean isRunning() {
        synchronized (lifecycle) {
            return state == State.RUNNING;
        }
    }

    /**
     * Stops gracefully: stops accepting, refuses new sessions, sends every session {@code end}
     * {@code {reason: "shutdown"}} and a close frame 1001 (other participants are not told about each other), waits
     * (at most the {@link Builder#stopTimeout(Duration) stop timeout}) until every TCP connection is closed (Tyrus
     * closes a connection once its close frame is written; the relay passes that on after the pending bytes), then
     * closes what is left and releases every thread, socket and timer. Returns when that is done. Listeners are
     * called on the calling thread. Idempotent; a concurrent call waits for the first one.
     */
    public void stop() {
        if (!beginStop(false)) {
            return;
        }
        boolean reset = false;
        try {
            LOG.log(Level.INFO, () -> "ALOSRV-5002 Stopping " + threadPrefix + " gracefully");
            FaultRelay currentRelay = relay;
            if (currentRelay != null) {
                currentRelay.stopAccepting();
            }
            int told = service.shutdown();
            boolean drained = gauge.awaitZero(stopTimeout.toNanos());
            synchronized (lifecycle) {
                reset = killRequested;
            }
            if (!drained && !reset) {
                int open = gauge.open();
                LOG.log(Level.INFO, () -> "ALOSRV-5005 " + open + " connections still open " + stopTimeout.toMillis()
                        + " ms after telling " + told + " sessions to end; closing them");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            release(reset);
            endStop();
            LOG.log(Level.INFO, () -> "ALOSRV-5003 " + threadPrefix + " stopped");
        }
    }

    /**
     * Stops abruptly, like a crashed server process: every client TCP connection is reset (with the relay) or closed
     * (without it) without a WebSocket close frame, so clients see 1006; then everything is released as by
     * {@link #stop()}. Overtakes a graceful stop in progress. Idempotent.
     */
    public void kill() {
        if (!beginStop(true)) {
            return;
        }
        try {
            LOG.log(Level.INFO, () -> "ALOSRV-5004 Killing " + threadPrefix
                    + ": connections are reset without close frames");
            service.refuseNewSessions();
        } finally {
            release(true);
            endStop();
        }
    }

    /** Same as {@link #stop()}. */
    @Override
    public void close() {
        stop();
    }

    /**
     * Registers a listener; see {@link ServerListener} for threads and order. May be called before {@link #start()}.
     *
     * @param listener the listener
     */
    public void addListener(ServerListener listener) {
        service.addListener(Objects.requireNonNull(listener, "listener"));
    }

    /**
     * Removes a listener registered with {@link #addListener}.
     *
     * @param listener the listener
     */
    public void removeListener(ServerListener listener) {
        service.removeListener(listener);
    }

    /**
     * A snapshot of the live sessions (token accepted, not closed), oldest first.
     *
     * @return an immutable list
     */
    public List<SessionInfo> sessions() {
        return service.sessions();
    }

    /**
     * A snapshot of a channel's participants, in join order, as the other members see them.
     *
     * @param channelId the channel
     * @return an immutable list of server-owned values, empty when nobody is in the channel
     */
    public List<ChannelMember> participants(String channelId) {
        return service.participants(Objects.requireNonNull(channelId, "channelId"));
    }

    /**
     * Ends a session the way an operator would: sends {@code end} {@code {reason, message}}, then closes with
     * {@code closeCode}. Other participants get {@code participant.left} with reason {@code "kicked"} or
     * {@code "replaced"} when that is the reason, else {@code "closed"}. For a kick use
     * {@code endSession(id, "kicked", "Removed by an operator", 4009)}.
     *
     * @param sessionIdOrUserId a session id, or a user id (its newest live session)
     * @param reason            the {@code end} reason: {@code kicked}, {@code replaced}, {@code shutdown},
     *                          {@code ended}
     * @param message           a readable text, also used as the close reason (truncated to 123 bytes)
     * @param closeCode         the close code, 1000-4999 except 1004-1006 and 1015
     * @return {@code false} when no such live session exists (or it is already closing)
     */
    public boolean endSession(String sessionIdOrUserId, String reason, String message, int closeCode) {
        Objects.requireNonNull(sessionIdOrUserId, "sessionIdOrUserId");
        if (reason == null || reason.isBlank()) {
            throw new IllegalArgumentException("reason must not be blank");
        }
        if (closeCode < 1000 || closeCode > 4999 || closeCode >= 1004 && closeCode <= 1006 || closeCode == 1015) {
            throw new IllegalArgumentException("Not a close code a server may send: " + closeCode);
        }
        return service.endSession(sessionIdOrUserId, reason, message == null ? "" : message, closeCode);
    }

    /**
     * Sends an arbitrary text frame to a session, such as malformed JSON, an unknown type or an oversized message.
     *
     * @param sessionIdOrUserId a session id, or a user id (its newest live session)
     * @param text              the frame's text, sent as is
     * @return {@code false} when no such live session exists
     */
    public boolean sendRaw(String sessionIdOrUserId, String text) {
        Objects.requireNonNull(sessionIdOrUserId, "sessionIdOrUserId");
        return service.sendRaw(sessionIdOrUserId, Objects.requireNonNull(text, "text"));
    }

    /**
     * Resets a session's TCP connection (RST on both the client's and the server's socket, no close frame): the
     * client sees 1006 at once, the server sees an abnormal close and tells the other participants {@code "lost"}.
     * Returns after the sockets are reset.
     *
     * @param sessionIdOrUserId a session id, or a user id (its newest live session)
     * @return {@code false} when no such session or connection exists
     * @throws IllegalStateException without fault injection or when the server is not running
     */
    public boolean dropConnection(String sessionIdOrUserId) {
        FaultRelay current = requireRelay();
        long relayId = service.relayIdOf(Objects.requireNonNull(sessionIdOrUserId, "sessionIdOrUserId"));
        return relayId >= 0 && current.drop(relayId);
    }

    /**
     * Resets every client connection, including ones that have not completed a handshake.
     *
     * @return the number of connections reset
     * @throws IllegalStateException without fault injection or when the server is not running
     */
    public int dropAllConnections() {
        return requireRelay().dropAll();
    }

    /**
     * Simulates silent network loss for one session: from now on the relay connection is a black hole. Everything
     * either side sends is read and discarded while both sockets stay open, so the client hears nothing (no
     * {@code pong}) and the server drops the session with 4008 after its heartbeat timeout and tells the others
     * {@code "lost"}. The end of one side is not passed on either (as in a real partition): when one side closes its
     * socket the relay closes its socket to that side only, and releases the connection once the other side has closed
     * too, so nothing outlives the peers. After the server dropped the session it can no longer be looked up by id;
     * use {@link #unfreezeAll()} or {@link #dropAllConnections()} to reach the remaining half.
     *
     * @param sessionIdOrUserId a session id, or a user id (its newest live session)
     * @return {@code false} when no such session or connection exists
     * @throws IllegalStateException without fault injection or when the server is not running
     */
    public boolean freeze(String sessionIdOrUserId) {
        FaultRelay current = requireRelay();
        long relayId = service.relayIdOf(Objects.requireNonNull(sessionIdOrUserId, "sessionIdOrUserId"));
        return relayId >= 0 && current.freeze(relayId, true);
    }

    /**
     * Freezes every current connection (see {@link #freeze}); later connections are not frozen.
     *
     * @return the number of connections frozen
     * @throws IllegalStateException without fault injection or when the server is not running
     */
    public int freezeAll() {
        return requireRelay().freezeAll(true);
    }

    /**
     * Resumes relaying a frozen session's connection. What was discarded meanwhile is lost, so a WebSocket stream
     * that carried traffic while frozen usually stays broken; this is meant for "the network came back" after a pause
     * in traffic. A connection that lost one side while frozen is closed (FIN) at once.
     *
     * @param sessionIdOrUserId a session id, or a user id (its newest live session)
     * @return {@code false} when no such session or connection exists
     * @throws IllegalStateException without fault injection or when the server is not running
     */
    public boolean unfreeze(String sessionIdOrUserId) {
        FaultRelay current = requireRelay();
        long relayId = service.relayIdOf(Objects.requireNonNull(sessionIdOrUserId, "sessionIdOrUserId"));
        return relayId >= 0 && current.freeze(relayId, false);
    }

    /**
     * Unfreezes every connection (see {@link #unfreeze}).
     *
     * @return the number of connections
     * @throws IllegalStateException without fault injection or when the server is not running
     */
    public int unfreezeAll() {
        return requireRelay().freezeAll(false);
    }

    @Override
    public String toString() {
        int current = port;
        return "AloAudioServer[" + threadPrefix + (current > 0 ? ", " + uri() : "") + "]";
    }

    // ---------------------------------------------------------------- internals

    private FaultRelay requireRelay() {
        if (!faultInjection) {
            throw new IllegalStateException("Fault injection is disabled on this server; build it with "
                    + "faultInjection(true) (the default)");
        }
        synchronized (lifecycle) {
            if (state != State.RUNNING) {
                throw new IllegalStateException("The server is not running (" + state + ")");
            }
        }
        return relay;
    }

    /** Moves to STOPPING; returns {@code false} when there is nothing to do (after waiting for a running stop). */
    private boolean beginStop(boolean kill) {
        synchronized (lifecycle) {
            switch (state) {
                case NEW:
                    state = State.STOPPED;
                    release(true);
                    terminated.countDown();
                    return false;
                case RUNNING:
                    state = State.STOPPING;
                    stoppingThread = Thread.currentThread();
                    killRequested = kill;
                    return true;
                case STOPPING:
                    if (kill && !killRequested) {
                        killRequested = true;
                        gauge.abandon();
                    }
                    if (stoppingThread == Thread.currentThread()) {
                        return false;
                    }
                    break;
                default:
                    return false;
            }
        }
        try {
            if (!terminated.await(stopTimeout.toMillis() + 2 * THREAD_JOIN_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)) {
                LOG.log(Level.WARNING, () -> "ALOSRV-5006 Gave up waiting for a concurrent stop of " + threadPrefix);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return false;
    }

    /** Releases what a failed start created; call under the lifecycle lock. */
    private void failStart() {
        release(true);
        port = -1;
        state = State.STOPPED;
        terminated.countDown();
    }

    private void endStop() {
        synchronized (lifecycle) {
            state = State.STOPPED;
            stoppingThread = null;
        }
        terminated.countDown();
    }

    /**
     * Releases everything, in the order: fault-injection relay, media relay, Tyrus/Grizzly, sessions, timers, codec;
     * then joins the threads.
     */
    private void release(boolean reset) {
        FaultRelay currentRelay = relay;
        if (currentRelay != null) {
            currentRelay.close(reset);
        }
        // The media relay first: ends the pacer, closes every peer still open and the WebRTC engine; a worker that
        // waits for an answer to a media.offer is released at once (its peer fails) instead of holding Grizzly's stop.
        media.close();
        GrizzlyRuntime currentRuntime = runtime;
        if (currentRuntime != null) {
            try {
                currentRuntime.stop();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "ALOSRV-5007 Error while stopping Tyrus/Grizzly", e);
            }
        }
        service.forgetAll(1006, reset ? "Server killed" : "Server stopped");
        scheduler.shutdownNow();
        try {
            // A listener may stop the server from a timeout callback, that is on the timer thread itself.
            boolean onTimer = Thread.currentThread().getName().equals(threadPrefix + "-timer");
            if (!onTimer && !scheduler.awaitTermination(THREAD_JOIN_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)) {
                LOG.log(Level.WARNING, () -> "ALOSRV-5008 The timer thread of " + threadPrefix + " did not end");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        codec.close();
        joinThreads();
    }

    /** Waits (bounded) until every thread this server named has ended; Grizzly ends its pools asynchronously. */
    private void joinThreads() {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(THREAD_JOIN_TIMEOUT_MILLIS);
        List<Thread> ours = new ArrayList<>();
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            if (thread.getName().startsWith(threadPrefix) && thread != Thread.currentThread()) {
                ours.add(thread);
            }
        }
        for (Thread thread : ours) {
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            try {
                if (left > 0) {
                    thread.join(left);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            if (thread.isAlive()) {
                LOG.log(Level.WARNING, () -> "ALOSRV-5009 Thread " + thread.getName()
                        + " is still running after the stop");
            }
        }
    }

    private static byte[] randomSecret() {
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        return secret;
    }

    /**
     * Builds an {@link AloAudioServer}. Setters validate their argument and return this builder; not thread-safe.
     */
    public static final class Builder {

        private String host = "127.0.0.1";
        private int port;
        private String path = ProtocolVersion.DEFAULT_PATH;
        private byte[] secret;
        private Duration minInterval = Duration.ofMillis(50);
        private Duration maxInterval = Duration.ofSeconds(30);
        private Duration minTimeout = Duration.ofMillis(150);
        private Duration maxTimeout = Duration.ofSeconds(120);
        private Duration helloTimeout = Duration.ofSeconds(5);
        private int maxMessageSize = 64 * 1024;
        private boolean faultInjection = true;
        private boolean console = true;
        private boolean media = true;
        private int workerThreads = 4;
        private Duration stopTimeout = Duration.ofSeconds(5);
        private Set<String> capabilities = Set.of();
        private int rosterPageBytes = 32 * 1024;
        private int sendQueueLimit = 1024 * 1024;
        private int maxConnections = 10_000;
        private int maxConnectionsPerAddress = 1_000;
        private Duration upgradeTimeout = Duration.ofSeconds(5);
        private Duration clockSkew = Duration.ofSeconds(30);
        private boolean sessionResume = true;
        private Duration resumeWindow = Duration.ofSeconds(30);
        private int resumeRecordLimit = 10_000;
        private Clock clock = Clock.systemUTC();
        private javax.net.ssl.SSLContext sslContext;

        private Builder() {
        }

        /**
         * Serves {@code wss://} with this TLS context (its key manager holds the server's certificate). TLS needs
         * {@link #faultInjection(boolean) faultInjection(false)}: the fault-injection relay reads the plain HTTP upgrade.
         *
         * @param context the server's TLS context, or null for plain {@code ws://} (the default)
         * @return this builder
         */
        public Builder tls(javax.net.ssl.SSLContext context) {
            this.sslContext = context;
            return this;
        }

        /**
         * The address to bind; default {@code 127.0.0.1}. Use {@code 0.0.0.0} for every interface.
         *
         * @param host a host name or address
         * @return this builder
         */
        public Builder host(String host) {
            Objects.requireNonNull(host, "host");
            if (host.isBlank()) {
                throw new IllegalArgumentException("host must not be blank");
            }
            this.host = host;
            return this;
        }

        /**
         * The port to bind; default 0, a free port chosen by the system (see {@link AloAudioServer#port()}).
         *
         * @param port 0-65535
         * @return this builder
         */
        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be 0-65535, was " + port);
            }
            this.port = port;
            return this;
        }

        /**
         * The WebSocket path; default {@code /audio}.
         *
         * @param path an absolute path
         * @return this builder
         */
        public Builder path(String path) {
            Objects.requireNonNull(path, "path");
            if (!path.startsWith("/") || path.contains("?") || path.contains("#")) {
                throw new IllegalArgumentException("path must be an absolute path without query, was " + path);
            }
            this.path = path;
            return this;
        }

        /**
         * The HS256 key that signs and checks tokens; default a random key per server.
         *
         * @param secret at least 32 bytes; copied
         * @return this builder
         */
        public Builder tokenSecret(byte[] secret) {
            this.secret = TokenIssuer.checkSecret(secret).clone();
            return this;
        }

        /**
         * The heartbeat interval the server grants; a client's request is clamped into this range.
         * Default 50 ms to 30 s.
         *
         * @param min the smallest interval
         * @param max the largest interval
         * @return this builder
         */
        public Builder heartbeatInterval(Duration min, Duration max) {
            checkRange(min, max, "heartbeat interval");
            this.minInterval = min;
            this.maxInterval = max;
            return this;
        }

        /**
         * The heartbeat timeout the server grants; a client's request is clamped into this range, and kept above the
         * interval. Default 150 ms to 120 s.
         *
         * @param min the smallest timeout
         * @param max the largest timeout
         * @return this builder
         */
        public Builder heartbeatTimeout(Duration min, Duration max) {
            checkRange(min, max, "heartbeat timeout");
            this.minTimeout = min;
            this.maxTimeout = max;
            return this;
        }

        /**
         * How long a new session may take to send {@code hello} before it is closed with 4006; default 5 s.
         *
         * @param timeout a positive duration
         * @return this builder
         */
        public Builder helloTimeout(Duration timeout) {
            this.helloTimeout = positive(timeout, "helloTimeout");
            return this;
        }

        /**
         * The largest message accepted, in UTF-8 bytes. A larger one closes the session with 1009: a frame as soon as
         * its header announces it (nothing of it is buffered), a fragmented message as soon as its fragments add up to
         * more. Tyrus's incoming buffer is this size plus the 14 bytes of a frame header. Default 64 KiB.
         *
         * @param bytes at least 1 KiB
         * @return this builder
         */
        public Builder maxMessageSize(int bytes) {
            if (bytes < 1024) {
                throw new IllegalArgumentException("maxMessageSize must be at least 1024, was " + bytes);
            }
            this.maxMessageSize = bytes;
            return this;
        }

        /**
         * Whether the fault-injection relay serves the public port (default {@code true}). Without it, Tyrus binds the
         * public port directly and the fault methods throw {@link IllegalStateException}.
         *
         * @param enabled whether to enable fault injection
         * @return this builder
         */
        public Builder faultInjection(boolean enabled) {
            this.faultInjection = enabled;
            return this;
        }

        /**
         * Whether the server serves its web console (default {@code true}): a page at {@code /console/} (and a
         * redirect from {@code /}) on the same port as the WebSocket, where a browser joins a channel with a token
         * and talks and listens with its own WebRTC ({@code docs/reference-server.md}). The page is three static
         * files read once at {@link AloAudioServer#start()}; serving it starts no thread. Without it, plain HTTP
         * requests get 404.
         *
         * @param enabled whether to serve the console
         * @return this builder
         */
        public Builder console(boolean enabled) {
            this.console = enabled;
            return this;
        }

        /**
         * Whether the server relays audio (default {@code true}): it then lists the capability {@code media.webrtc}
         * in {@code welcome} (to clients that list it in {@code hello}), answers {@code media.offer} with a WebRTC
         * session of its own per participant, and relays the audio of each channel: in a full-duplex channel every
         * participant hears the mix of the others, never itself; push-to-talk channels forward everyone until floor
         * control lands ({@code docs/media.md}, "The relay"). The native library (webrtc-java) is probed at
         * {@link AloAudioServer#start()}; if it cannot be loaded, the server logs one WARNING and runs signalling-only
         * ({@link AloAudioServer#mediaStatus()}). The WebRTC engine and the pacer thread start at the first
         * {@code media.offer}, so a server whose clients never offer runs no media thread. With {@code false} the
         * native library is never touched and offers get {@code error media.unavailable}.
         *
         * @param enabled whether to relay audio
         * @return this builder
         */
        public Builder media(boolean enabled) {
            this.media = enabled;
            return this;
        }

        /**
         * The fixed number of Grizzly worker threads; default 4.
         *
         * @param threads 1-256
         * @return this builder
         */
        public Builder workerThreads(int threads) {
            if (threads < 1 || threads > 256) {
                throw new IllegalArgumentException("workerThreads must be 1-256, was " + threads);
            }
            this.workerThreads = threads;
            return this;
        }

        /**
         * How long {@link AloAudioServer#stop()} waits for clients to answer the close frames; default 5 s.
         *
         * @param timeout zero or positive
         * @return this builder
         */
        public Builder stopTimeout(Duration timeout) {
            Objects.requireNonNull(timeout, "stopTimeout");
            if (timeout.isNegative()) {
                throw new IllegalArgumentException("stopTimeout must not be negative");
            }
            this.stopTimeout = timeout;
            return this;
        }

        /**
         * The optional features (capabilities, see {@code docs/protocol.md}) this server supports. {@code welcome}
         * enables the ones the client's {@code hello} lists too; names the server does not support are ignored.
         * Default none. {@code media.webrtc} is not set here: it is listed exactly when the media relay is available
         * ({@link #media(boolean)}), whatever this set says.
         *
         * @param names capability names, such as {@code "ptt"}; copied
         * @return this builder
         */
        public Builder capabilities(Set<String> names) {
            Objects.requireNonNull(names, "capabilities");
            for (String name : names) {
                if (name == null || name.isBlank()) {
                    throw new IllegalArgumentException("capability names must not be blank");
                }
            }
            this.capabilities = Set.copyOf(names);
            return this;
        }

        /**
         * The largest {@code roster} page, in UTF-8 bytes of the encoded message. A join is answered by
         * {@code joined} and as many pages as the channel needs; keep this below the clients' message size limit
         * (64 KiB by default). Default 32 KiB.
         *
         * @param bytes 4 KiB to 16 MiB
         * @return this builder
         */
        public Builder rosterPageBytes(int bytes) {
            if (bytes < RosterPager.MIN_PAGE_BYTES || bytes > 16 * 1024 * 1024) {
                throw new IllegalArgumentException("rosterPageBytes must be " + RosterPager.MIN_PAGE_BYTES
                        + " to 16 MiB, was " + bytes);
            }
            this.rosterPageBytes = bytes;
            return this;
        }

        /**
         * The most bytes that may be waiting to be written to one session (sent but not yet taken by the client's TCP
         * stack). A session over it, whose client stopped reading, is ended: logged at WARNING, removed from its
         * channel (the others are told {@code participant.left}, reason {@code "lost"}) and its connection closed at
         * once. A failed send ends the session the same way. Keep it well above the roster of the largest channel,
         * which a join queues at once (about 130 bytes per member). Default 1 MiB.
         *
         * @param bytes at least 64 KiB
         * @return this builder
         */
        public Builder sendQueueLimit(int bytes) {
            if (bytes < 64 * 1024) {
                throw new IllegalArgumentException("sendQueueLimit must be at least 65536, was " + bytes);
            }
            this.sendQueueLimit = bytes;
            return this;
        }

        /**
         * The most WebSocket connections the server holds at once; an upgrade beyond it is refused with HTTP 503 and
         * {@code Retry-After}. Default 10,000.
         *
         * @param connections at least 1
         * @return this builder
         */
        public Builder maxConnections(int connections) {
            if (connections < 1) {
                throw new IllegalArgumentException("maxConnections must be at least 1, was " + connections);
            }
            this.maxConnections = connections;
            return this;
        }

        /**
         * The most WebSocket connections from one client IP address at once; an upgrade beyond it is refused with
         * HTTP 429 and {@code Retry-After}. Behind the fault-injection relay this is the address of the relay's
         * client, not the relay's. Default 1,000: a load test that opens more connections from one address must
         * raise it.
         *
         * @param connections at least 1
         * @return this builder
         */
        public Builder maxConnectionsPerAddress(int connections) {
            if (connections < 1) {
                throw new IllegalArgumentException("maxConnectionsPerAddress must be at least 1, was " + connections);
            }
            this.maxConnectionsPerAddress = connections;
            return this;
        }

        /**
         * How long a TCP connection may take to complete its WebSocket upgrade (send its request and be upgraded)
         * before it is closed. Default 5 s.
         *
         * @param timeout a positive duration
         * @return this builder
         */
        public Builder upgradeTimeout(Duration timeout) {
            this.upgradeTimeout = positive(timeout, "upgradeTimeout");
            return this;
        }

        /**
         * Whether the server supports capability {@code session.resume} (see {@code docs/protocol.md}, "Session
         * resume"): a client that offers it gets a resume secret in {@code welcome}, and a session that ended without
         * a goodbye (connection lost, heartbeat timeout) can be resumed within the {@link #resumeWindow(Duration)
         * resume window}: the same session id and, on joining the same channel again, the same connection id.
         * Default on. {@code session.resume} is governed by this switch only, whatever {@link #capabilities(Set)}
         * says.
         *
         * @param enabled whether sessions can be resumed
         * @return this builder
         */
        public Builder sessionResume(boolean enabled) {
            this.sessionResume = enabled;
            return this;
        }

        /**
         * How long a session that ended without a goodbye stays resumable; expired records are dropped by the
         * server's timer thread. At most 10,000 such sessions are kept at once: beyond that the oldest is forgotten
         * first, so a flood of dropped connections cannot grow the memory without bound. Default 30 s.
         *
         * @param window a positive duration
         * @return this builder
         */
        public Builder resumeWindow(Duration window) {
            this.resumeWindow = positive(window, "resumeWindow");
            return this;
        }

        /** The most resumable sessions kept at once (tests lower it); default 10,000. */
        Builder resumeRecordLimit(int records) {
            if (records < 1) {
                throw new IllegalArgumentException("resumeRecordLimit must be at least 1, was " + records);
            }
            this.resumeRecordLimit = records;
            return this;
        }

        /**
         * The clock-skew leeway of the token time checks, in the token holder's favour: {@code exp} must be later
         * than now minus it, {@code nbf} and {@code iat} at most now plus it. Default 30 s.
         *
         * @param leeway zero or positive
         * @return this builder
         */
        public Builder clockSkew(Duration leeway) {
            Objects.requireNonNull(leeway, "clockSkew");
            if (leeway.isNegative()) {
                throw new IllegalArgumentException("clockSkew must not be negative");
            }
            this.clockSkew = leeway;
            return this;
        }

        /**
         * The clock that token time claims are checked against and that {@link AloAudioServer#tokens()} issues
         * tokens with; default the system clock (UTC). Timeouts do not use it.
         *
         * @param clock the clock
         * @return this builder
         */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * Builds the server; call {@link AloAudioServer#start()} to bind it.
         *
         * @return a new server
         * @throws IllegalArgumentException if the heartbeat limits are inconsistent
         */
        public AloAudioServer build() {
            if (minTimeout.compareTo(minInterval) <= 0 || maxTimeout.compareTo(maxInterval) <= 0) {
                throw new IllegalArgumentException("The heartbeat timeout limits must be above the interval limits");
            }
            if (sslContext != null && faultInjection) {
                throw new IllegalArgumentException("TLS needs faultInjection(false): the fault-injection relay reads "
                        + "the plain HTTP upgrade");
            }
            return new AloAudioServer(this);
        }

        private static void checkRange(Duration min, Duration max, String what) {
            positive(min, what);
            positive(max, what);
            if (min.compareTo(max) > 0) {
                throw new IllegalArgumentException(what + ": min " + min + " is above max " + max);
            }
        }

        private static Duration positive(Duration value, String what) {
            Objects.requireNonNull(value, what);
            if (value.isZero() || value.isNegative()) {
                throw new IllegalArgumentException(what + " must be positive, was " + value);
            }
            return value;
        }
    }
}
