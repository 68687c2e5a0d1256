package ai.alo.audio.server;

import ai.alo.audio.protocol.MessageCodec;
import ai.alo.audio.protocol.ParticipantInfo;
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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * A real reference implementation of the ALO audio service's signalling protocol ({@code docs/protocol.md},
 * version {@value ProtocolVersion#CURRENT}), for tests, demos and benchmarks. It checks HS256 user tokens, runs the
 * hello/welcome handshake, channels with participant lists and {@code participant.joined/left} broadcasts,
 * application heartbeats with a server-side watchdog, duplicate-session replacement, and, by default, a
 * fault-injection relay that can reset or silently freeze single connections.
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
 * <h2>Threads</h2>
 * <p>{@link #start()} creates a fixed set of daemon threads whose names start with {@code alo-audio-server-<id>}, so
 * the count does not drift with load: one Grizzly selector thread ({@code -selector(1)}), a fixed pool of
 * {@link Builder#workerThreads(int) worker threads} ({@code -worker(n)}, default 4) that run the protocol and the
 * {@link ServerListener}s, one Grizzly timer thread ({@code -http-0}), one Tyrus timer thread ({@code -tyrus-timer}),
 * the server's one scheduler thread for every hello and heartbeat timeout ({@code -timer}), and with fault injection
 * one relay selector thread ({@code -relay}): 9 threads with the defaults. {@link #stop()} and {@link #kill()} release
 * every socket, timer and thread the server started, and return after those threads ended (bounded wait, logged if
 * exceeded). All public methods are thread-safe.
 *
 * <h2>Logging</h2>
 * <p>{@link System.Logger} named after the classes of this package; INFO and above carry ids {@code ALOSRV-5xxx}.
 * Tokens are never logged.
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
    private final int workerThreads;
    private final Duration stopTimeout;
    private final int maxMessageSize;
    private final String threadPrefix;
    private final TokenIssuer tokens;
    private final MessageCodec codec;
    private final ScheduledThreadPoolExecutor scheduler;
    private final ServiceCore core;
    private final ConnectionGauge gauge = new ConnectionGauge();
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
        this.workerThreads = builder.workerThreads;
        this.stopTimeout = builder.stopTimeout;
        this.maxMessageSize = builder.maxMessageSize;
        byte[] secret = builder.secret != null ? builder.secret.clone() : randomSecret();
        this.tokens = new TokenIssuer(secret);
        this.threadPrefix = "alo-audio-server-" + HexFormat.of().toHexDigits(new SecureRandom().nextInt());
        this.codec = new MessageCodec(builder.maxMessageSize);
        this.scheduler = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread thread = new Thread(runnable, threadPrefix + "-timer");
            thread.setDaemon(true);
            return thread;
        });
        scheduler.setRemoveOnCancelPolicy(true);
        scheduler.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        ServerSettings settings = new ServerSettings(builder.maxMessageSize, builder.helloTimeout.toMillis(),
                builder.minInterval.toMillis(), builder.maxInterval.toMillis(), builder.minTimeout.toMillis(),
                builder.maxTimeout.toMillis(), SERVER_NAME);
        this.core = new ServiceCore(settings, codec, new TokenVerifier(secret, Clock.systemUTC()), scheduler);
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
            try {
                InetSocketAddress publicAddress = new InetSocketAddress(InetAddress.getByName(host), requestedPort);
                String loopback = InetAddress.getLoopbackAddress().getHostAddress();
                FaultRelay newRelay = faultInjection ? new FaultRelay(publicAddress, gauge) : null;
                relay = newRelay;
                GrizzlyRuntime newRuntime = new GrizzlyRuntime(faultInjection ? loopback : host, workerThreads,
                        incomingBufferSize(maxMessageSize), threadPrefix, gauge);
                runtime = newRuntime;
                ServerEndpointConfig config = ServerEndpointConfig.Builder.create(SessionEndpoint.class, path)
                        .configurator(new SessionEndpoint.Configurator(core, faultInjection))
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
                        + (faultInjection ? " (fault-injection relay in front of Tyrus port " + tyrusPort + ")" : ""));
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
     * The WebSocket URI clients connect to, such as {@code ws://127.0.0.1:41234/audio}. A wildcard bind address is
     * reported as {@code 127.0.0.1}.
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
            return new URI("ws", null, uriHost, port(), path, null, null);
        } catch (URISyntaxException e) {
            throw new IllegalStateException("Cannot form the server URI: " + e.getMessage(), e);
        }
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
            int told = core.shutdown();
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
            core.refuseNewSessions();
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
        core.addListener(Objects.requireNonNull(listener, "listener"));
    }

    /**
     * Removes a listener registered with {@link #addListener}.
     *
     * @param listener the listener
     */
    public void removeListener(ServerListener listener) {
        core.removeListener(listener);
    }

    /**
     * A snapshot of the live sessions (token accepted, not closed), oldest first.
     *
     * @return an immutable list
     */
    public List<SessionInfo> sessions() {
        return core.sessions();
    }

    /**
     * A snapshot of a channel's participants, in join order.
     *
     * @param channelId the channel
     * @return an immutable list, empty when nobody is in the channel
     */
    public List<ParticipantInfo> participants(String channelId) {
        return core.participants(Objects.requireNonNull(channelId, "channelId"));
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
        return core.endSession(sessionIdOrUserId, reason, message == null ? "" : message, closeCode);
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
        return core.sendRaw(sessionIdOrUserId, Objects.requireNonNull(text, "text"));
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
        long relayId = core.relayIdOf(Objects.requireNonNull(sessionIdOrUserId, "sessionIdOrUserId"));
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
        long relayId = core.relayIdOf(Objects.requireNonNull(sessionIdOrUserId, "sessionIdOrUserId"));
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
        long relayId = core.relayIdOf(Objects.requireNonNull(sessionIdOrUserId, "sessionIdOrUserId"));
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

    /** Releases everything, in the order: relay, Tyrus/Grizzly, sessions, timers, codec; then joins the threads. */
    private void release(boolean reset) {
        FaultRelay currentRelay = relay;
        if (currentRelay != null) {
            currentRelay.close(reset);
        }
        GrizzlyRuntime currentRuntime = runtime;
        if (currentRuntime != null) {
            try {
                currentRuntime.stop();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "ALOSRV-5007 Error while stopping Tyrus/Grizzly", e);
            }
        }
        core.forgetAll(1006, reset ? "Server killed" : "Server stopped");
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
                LOG.log(Level.WARNING, () -> "ALOSRV-5009 Thread " + thread.getName() + " is still running after the stop");
            }
        }
    }

    private static int incomingBufferSize(int maxMessageSize) {
        // Tyrus closes with 1011 (not 1009) when a single frame exceeds this buffer, so keep it well above the
        // message limit: the endpoint closes oversized messages with 1009 itself.
        long size = Math.max(4L * 1024 * 1024, 2L * maxMessageSize + 14);
        return (int) Math.min(Integer.MAX_VALUE - 64, size);
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
        private int workerThreads = 4;
        private Duration stopTimeout = Duration.ofSeconds(5);

        private Builder() {
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
         * The largest text message accepted, in UTF-8 bytes; larger ones close the session with 1009. Default 64 KiB.
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
         * Builds the server; call {@link AloAudioServer#start()} to bind it.
         *
         * @return a new server
         * @throws IllegalArgumentException if the heartbeat limits are inconsistent
         */
        public AloAudioServer build() {
            if (minTimeout.compareTo(minInterval) <= 0 || maxTimeout.compareTo(maxInterval) <= 0) {
                throw new IllegalArgumentException("The heartbeat timeout limits must be above the interval limits");
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
