package ai.alo.audio.impl;

import ai.alo.audio.AloAudioConfig;
import ai.alo.audio.AloAudioStateException;
import ai.alo.audio.AloConnectException;
import ai.alo.audio.AudioChannel;
import ai.alo.audio.AudioUser;
import ai.alo.audio.ConnectCancelledException;
import ai.alo.audio.ConnectionState;
import ai.alo.audio.DisconnectReason;
import ai.alo.audio.Initiator;
import ai.alo.audio.Participant;
import ai.alo.audio.ParticipantRoster;
import ai.alo.audio.media.AudioDeviceException;
import ai.alo.audio.event.AloAudioEvent;
import ai.alo.audio.event.ConnectionChangeEvent;
import ai.alo.audio.event.DisconnectEvent;
import ai.alo.audio.event.ParticipantsChangedEvent;
import ai.alo.audio.event.ReconnectedEvent;
import ai.alo.audio.spi.ReconnectAttempt;
import ai.alo.audio.spi.ReconnectPolicy;
import ai.alo.audio.UserAuthTokenProvider;
import ai.alo.audio.protocol.ResumeInfo;
import ai.alo.audio.impl.media.ClientAudio;
import ai.alo.audio.impl.observe.FlightRecorder;
import ai.alo.audio.impl.observe.RuntimeMetrics;
import ai.alo.audio.impl.runtime.Cancellable;
import ai.alo.audio.impl.runtime.ClientRuntime;
import ai.alo.audio.impl.runtime.Deadline;
import ai.alo.audio.impl.runtime.SerialQueue;
import ai.alo.audio.impl.ws.ConnectSpec;
import ai.alo.audio.impl.ws.SignallingConnection;
import ai.alo.audio.impl.ws.SignallingListener;
import ai.alo.audio.impl.ws.TransportException;
import ai.alo.audio.protocol.CloseCodes;
import ai.alo.audio.protocol.Leave;
import ai.alo.audio.protocol.MessageCodec;
import ai.alo.audio.protocol.ProtocolException;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The one state machine of a client: it owns the client's {@link ConnectionState}, its current {@link Connection},
 * and the order of its events.
 *
 * <h2>Locking and events</h2>
 * <p>{@link #lock} guards the state, the current connection and each connection's protocol fields. A transition names
 * the state it leaves and happens only if the client is still in it ({@link StateTable} lists what is allowed), and it
 * queues its events on the client's {@link SerialQueue} before the lock is released, so events are delivered in the
 * order of the transitions, on an event thread, never under the lock. Futures returned by {@code connect()} are
 * completed on an event thread too (never on a socket I/O thread, never inside the client's own queue, so that a
 * listener may block on one).
 *
 * <h2>Ending a connection</h2>
 * <p>A connection ends exactly once: {@code connection.ending} goes from null to set under the lock, and only the
 * thread that sets it goes on. Every connection's {@link DisconnectEvent} is queued exactly once ({@code
 * connection.reported}). An intentional end ({@code disconnect()}, {@code close()}) commits {@code DISCONNECTING},
 * releases the connection on the calling thread (bounded by the close grace), then commits {@code DISCONNECTED}. A
 * failure commits {@code ERROR} and its event at once and releases without waiting: nothing in a release blocks, so it
 * may run on any thread, the I/O thread included.
 *
 * <p>Thread-safe. Interrupts do not break any of this: no wait in here can be cut short by one, and the interrupt
 * flag is kept.
 */
final class ClientStateMachine {

    private static final System.Logger LOG = System.getLogger("ai.alo.audio");
    static final String CLIENT_SOFTWARE = "alo-audio-java/0.1.0";
    /** How long {@code close()} waits for the events already queued to be delivered. */
    static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(5);

    private final AloAudioConfig config;
    private final String name;
    private final ClientRuntime runtime;
    private final MessageCodec codec;
    private final SerialQueue queue;
    private final Listeners listeners;
    private final RuntimeMetrics metrics;
    private final AtomicBoolean plainTokenWarned = new AtomicBoolean();
    /** Test seam: runs on the thread of an intentional end between the release and the final commit. */
    private volatile Runnable afterIntentionalRelease = () -> { };

    private final Object lock = new Object();
    private volatile ConnectionState state = ConnectionState.NOT_CONNECTED;
    // guarded by lock
    private Connection current;
    private Connection queued;
    private long attempts;
    /** The session's outage while it reconnects, and until a reconnect has been stable; null otherwise. */
    private Outage outage;
    private boolean closing;
    private final CompletableFuture<Void> closed = new CompletableFuture<>();

    private final Object owner;
    private final ClientAudio audio;

    ClientStateMachine(AloAudioConfig config, ClientRuntime runtime, Object owner, ClientAudio audio) {
        this.owner = owner;
        this.audio = Objects.requireNonNull(audio, "audio");
        this.config = Objects.requireNonNull(config, "config");
        this.name = config.name();
        this.runtime = runtime;
        this.codec = runtime.codec();
        this.metrics = runtime.metrics();
        this.queue = runtime.events().newQueue(name, runtime.config().eventQueueCapacity());
        this.listeners = new Listeners(name);
    }

    String name() {
        return name;
    }

    AloAudioConfig config() {
        return config;
    }

    ConnectionState state() {
        return state;
    }

    Listeners listeners() {
        return listeners;
    }

    SerialQueue queue() {
        return queue;
    }

    /** The client's audio choices and running audio session. */
    ClientAudio audio() {
        return audio;
    }

    // ------------------------------------------------------------------------------------------------------------
    // connect

    CompletableFuture<AudioChannel> connect(AudioChannel channel) {
        Objects.requireNonNull(channel, "channel");
        Connection started;
        synchronized (lock) {
            if (closing || state == ConnectionState.CLOSED) {
                throw new AloAudioStateException("AloAudio client '" + name + "' is closed", state);
            }
            switch (state) {
                case CONNECTING:
                case ACQUIRING_ACCESS:
                case CONNECTED:
                case RECONNECT_PENDING:
                    // the session's future: done once the session first connected
                    return sameChannelOrThrow(current, channel);
                case DISCONNECTING:
                    // Starts when the disconnect has finished; that disconnect never closes it. Returns at once.
                    if (queued != null) {
                        return sameChannelOrThrow(queued, channel);
                    }
                    queued = newConnection(channel);
                    return queued.future.copy();
                default:
                    started = newConnection(channel);
                    current = started;
                    clearOutageLocked();
                    transitionLocked(state, ConnectionState.CONNECTING, "", channel);
            }
        }
        start(started);
        return started.future.copy();
    }

    private CompletableFuture<AudioChannel> sameChannelOrThrow(Connection connection, AudioChannel channel) {
        if (connection.channel.equals(channel)) {
            return connection.future.copy();
        }
        throw new AloAudioStateException("AloAudio client '" + name + "' is " + state + " on channel '"
                + connection.channel.id() + "'; call disconnect() before connecting to '" + channel.id() + "'", state);
    }

    /** The first attempt of a new session. */
    private Connection newConnection(AudioChannel channel) {
        return new Connection(++attempts, channel, new CompletableFuture<>(), null, 0, false, this, runtime.timer(),
                codec);
    }

    /**
     * Starts a connection that is current and {@code CONNECTING}; never throws. The socket is opened here, or on a
     * connect thread when a token must be asked for or the attempt is a reconnect (the caller is a timer thread).
     */
    private void start(Connection connection) {
        metrics.connectStarted();
        if (config.mediaEnabled()) {
            try {
                // a configured device id that names nothing fails the connect at once, before any socket
                audio.checkDevices();
            } catch (AudioDeviceException e) {
                fail(connection, Ending.mediaFailed(e.getMessage(), e, false));
                return;
            }
        }
        try {
            runtime.ensureStarted();
            warnIfTokenTravelsInClear();
            // armed first: it bounds the token provider too
            connection.connectTimeout(connection.schedule(() -> connectTimedOut(connection),
                    config.connectTimeout().toNanos()));
            if (config.userAuthTokenProvider().isPresent() || connection.outage != null) {
                runtime.connectExecutor().execute(() -> open(connection));
            } else {
                open(connection);
            }
        } catch (RejectedExecutionException | OutOfMemoryError e) {
            fail(connection, Ending.noThread(e));
        } catch (RuntimeException | LinkageError e) {
            fail(connection, Ending.internal(e));
        }
    }

    /** Asks for the token if a provider is set, then opens the socket; never throws. */
    private void open(Connection connection) {
        String token;
        Optional<UserAuthTokenProvider> provider = config.userAuthTokenProvider();
        if (provider.isPresent()) {
            try {
                token = provider.get().userAuthToken(config.user());
            } catch (Exception e) {
                fail(connection, Ending.tokenUnavailable(e));
                return;
            } catch (LinkageError e) {
                fail(connection, Ending.tokenUnavailable(e));
                return;
            }
            if (token == null || token.isBlank() || token.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
                fail(connection, Ending.tokenUnavailable(null));
                return;
            }
        } else {
            token = config.userAuthToken();
        }
        if (!whileLive(connection, () -> true)) {
            // ended while the provider was asked (disconnect(), close(), the connect timeout): no socket
            return;
        }
        try {
            SignallingConnection signalling = runtime.transport().connect(new ConnectSpec(config.serverUri(),
                    token, config.maxMessageSize(), config.sslContext().orElse(null),
                    config.closeGrace(), name), new Events(connection));
            if (connection.attach(signalling)) {
                signalling.start();
            }
        } catch (RejectedExecutionException | OutOfMemoryError e) {
            fail(connection, Ending.noThread(e));
        } catch (RuntimeException | LinkageError e) {
            // LinkageError: a class of the transport is missing from the deployment (a packaging mistake).
            fail(connection, Ending.internal(e));
        }
    }

    void warnIfTokenTravelsInClear() {
        if (!"ws".equalsIgnoreCase(config.serverUri().getScheme()) || isLoopback(config.serverUri().getHost())
                || !plainTokenWarned.compareAndSet(false, true)) {
            return;
        }
        LOG.log(Level.WARNING, "ALOAUD-1005 [{0}] the user auth token is sent unencrypted over ws:// to {1}, which "
                + "is not a loopback address; use wss://", name, config.serverUri().getHost());
    }

    static boolean isLoopback(String host) {
        if (host == null) {
            return false;
        }
        String h = host.toLowerCase(Locale.ROOT);
        if (h.equals("localhost") || h.endsWith(".localhost")) {
            return true;
        }
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        // only literal addresses are checked: no name is resolved for a log line
        if (!h.matches("[0-9.]+|[0-9a-f:.]+")) {
            return false;
        }
        try {
            return InetAddress.getByName(h).isLoopbackAddress();
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // intentional ends: disconnect() and close()

    void disconnect() {
        endIntentionally(DisconnectReason.CLIENT_INITIATED, CloseCodes.NORMAL);
    }

    /** The one path of an intentional end: {@code disconnect()} (1000) and {@code close()} (1001). */
    private void endIntentionally(DisconnectReason reason, int code) {
        long begin = System.nanoTime();
        Connection connection = null;
        Connection cancelled = null;
        Connection pendingCancel = null;
        boolean endedWaiting = false;
        AudioChannel waitingChannel = null;
        CompletableFuture<Void> waitFor = null;
        String leave = null;
        synchronized (lock) {
            switch (state) {
                case CONNECTING:
                case ACQUIRING_ACCESS:
                case CONNECTED:
                    clearOutageLocked();
                    connection = current;
                    connection.ending = Ending.intentional(reason, code,
                            connection.phase != Connection.Phase.OPENING);
                    if (connection.phase == Connection.Phase.JOINED || connection.phase == Connection.Phase.ROSTER
                            || connection.phase == Connection.Phase.MEDIA) {
                        leave = codec.encode(new Leave(null, connection.channel.id()));
                    }
                    transitionLocked(state, ConnectionState.DISCONNECTING, "", connection.channel);
                    break;
                case DISCONNECTING:
                    cancelled = queued;
                    queued = null;
                    waitFor = current.done;
                    break;
                case ERROR:
                    transitionLocked(ConnectionState.ERROR, ConnectionState.DISCONNECTED, "",
                            current == null ? null : current.channel);
                    waitFor = current == null ? null : current.done;
                    break;
                case RECONNECT_PENDING:
                    // no attempt is in flight: the wait is cancelled, no attempt starts after this, and the session
                    // ends here with its last event
                    clearOutageLocked();
                    transitionLocked(ConnectionState.RECONNECT_PENDING, ConnectionState.DISCONNECTED, "",
                            current.channel);
                    post(new DisconnectEvent(name, ConnectionState.DISCONNECTED, "", reason, Initiator.CLIENT, 0,
                            current.channel, config.user(), null, false, false, null, Instant.now()));
                    waitFor = current.done;
                    pendingCancel = current.future.isDone() ? null : current;
                    endedWaiting = true;
                    waitingChannel = current.channel;
                    break;
                default:
                    return;
            }
        }
        if (pendingCancel != null) {
            cancelQueued(pendingCancel, reason);
        }
        if (endedWaiting) {
            metrics.disconnected(ConnectionState.DISCONNECTED, reason);
            String channelId = waitingChannel.id();
            logLater(() -> LOG.log(Level.INFO, "ALOAUD-1010 [{0}] disconnected from channel {1} while waiting to "
                    + "reconnect", name, channelId));
        }
        if (cancelled != null) {
            cancelQueued(cancelled, reason);
        }
        if (connection == null) {
            if (waitFor != null) {
                // another thread is disconnecting, or a failed connection is still being released: wait for it
                Deadline.after(config.closeGrace().multipliedBy(2).plusMillis(100)).await(waitFor);
            }
            return;
        }
        boolean inTime = connection.release(connection.ending, leave, Deadline.after(config.closeGrace()));
        afterIntentionalRelease.run();
        if (!inTime) {
            LOG.log(Level.WARNING, "ALOAUD-1201 [{0}] the socket of connection {1} was not released within the close "
                    + "grace of {2} ms; it is closed and released by the socket I/O thread", name,
                    String.valueOf(connection.id), String.valueOf(config.closeGrace().toMillis()));
        }
        finishIntentional(connection, reason, begin);
    }

    private void finishIntentional(Connection connection, DisconnectReason reason, long begin) {
        Connection next = null;
        synchronized (lock) {
            boolean moved = transitionLocked(ConnectionState.DISCONNECTING, ConnectionState.DISCONNECTED, "",
                    connection.channel);
            reportLocked(connection, ConnectionState.DISCONNECTED);
            if (moved && queued != null && !closing) {
                next = queued;
                queued = null;
                current = next;
                transitionLocked(ConnectionState.DISCONNECTED, ConnectionState.CONNECTING, "", next.channel);
            }
        }
        connection.done.complete(null);
        long took = System.nanoTime() - begin;
        metrics.disconnectCall(took);
        recordDisconnect(connection, ConnectionState.DISCONNECTED, took);
        String channelId = connection.channel.id();
        String closeCode = String.valueOf(connection.ending.closeToSend());
        logLater(() -> LOG.log(Level.INFO, "ALOAUD-1002 [{0}] disconnected from channel {1} (close code {2})", name,
                channelId, closeCode));
        if (!connection.future.isDone()) {
            ConnectCancelledException cancel = new ConnectCancelledException("connect to channel '"
                    + connection.channel.id() + "' was cancelled by " + (reason == DisconnectReason.CLIENT_SHUTDOWN
                    ? "close()" : "disconnect()"), reason, connection.ending.closeCode());
            completeLater(() -> connection.future.completeExceptionally(cancel), connection);
        }
        if (next != null) {
            start(next);
        }
    }

    private void cancelQueued(Connection connection, DisconnectReason reason) {
        ConnectCancelledException cancel = new ConnectCancelledException("connect to channel '"
                + connection.channel.id() + "' was cancelled by " + (reason == DisconnectReason.CLIENT_SHUTDOWN
                ? "close()" : "disconnect()") + " before it started", reason, 0);
        completeLater(() -> connection.future.completeExceptionally(cancel), connection);
    }

    void close() {
        CompletableFuture<Void> waitFor = null;
        synchronized (lock) {
            if (state == ConnectionState.CLOSED || closing) {
                waitFor = closed;
            }
            closing = true;
        }
        if (waitFor != null) {
            if (!queue.isDrainingThread()) {
                Deadline.after(DRAIN_TIMEOUT.plus(config.closeGrace().multipliedBy(4))).await(waitFor);
            }
            return;
        }
        try {
            endIntentionally(DisconnectReason.CLIENT_SHUTDOWN, CloseCodes.GOING_AWAY);
            Connection cancelled;
            synchronized (lock) {
                // A disconnect() on another thread that is still releasing (slower than our wait) does not get to
                // report its connection after CLOSED: its DisconnectEvent is queued now, and it finds it reported.
                if (current != null && current.ending != null && !current.reported) {
                    reportLocked(current, ConnectionState.DISCONNECTED);
                }
                cancelled = queued;
                queued = null;
                transitionLocked(state, ConnectionState.CLOSED, "", current == null ? null : current.channel);
            }
            if (cancelled != null) {
                cancelQueued(cancelled, DisconnectReason.CLIENT_SHUTDOWN);
            }
        } finally {
            CompletableFuture<Void> drained = queue.close();
            if (queue.isStarved()) {
                // no event thread could be started for this client: deliver on the closing thread, now
                queue.drainHere();
            }
            if (!queue.isDrainingThread()) {
                if (!Deadline.after(DRAIN_TIMEOUT).await(drained)) {
                    // no event thread ran the queue (none could be started): deliver here rather than lose events
                    queue.drainHere();
                    if (!drained.isDone()) {
                        LOG.log(Level.WARNING, "ALOAUD-1302 [{0}] listeners did not finish within {1} ms of close(); "
                                + "the remaining events are delivered when they return", name,
                                String.valueOf(DRAIN_TIMEOUT.toMillis()));
                    }
                }
            }
            runtime.clientClosed(owner);
            closed.complete(null);
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // failures

    /**
     * The one path of a failure: decides whether the session reconnects, commits the transitions and events at once,
     * then releases the connection (without waiting) and completes the session's future if the session ended.
     * Ignored if the connection already ended.
     *
     * <ul>
     *   <li>An established connection is lost and will be reconnected: {@code ERROR}, its {@code DisconnectEvent}
     *       ({@code willReconnect} true), then {@code RECONNECT_PENDING}.</li>
     *   <li>A reconnect attempt failed and another follows: {@code RECONNECT_PENDING} again, no {@code
     *       DisconnectEvent}.</li>
     *   <li>Otherwise the session ends: {@code ERROR} and its last {@code DisconnectEvent} ({@code willReconnect}
     *       false): the failure itself, or {@code RECONNECT_FAILED} when an outage's attempts gave up.</li>
     * </ul>
     * The reconnect policy is application code: it is asked here, before the lock is taken.
     */
    void fail(Connection connection, Ending ending) {
        Retry retry = planRetry(connection, ending);
        boolean wasConnected;
        Ending reported;
        Outage waiting = null;
        synchronized (lock) {
            if (connection != current || connection.ending != null) {
                return;
            }
            connection.ending = ending;
            wasConnected = connection.phase == Connection.Phase.JOINED;
            long now = System.nanoTime();
            if (retry.delay != null && !closing) {
                waiting = retryLocked(connection, ending, wasConnected, now, retry);
                reported = ending;
            } else {
                Outage gaveUp = continuedOutageLocked(connection, wasConnected, now);
                reported = gaveUp != null && gaveUp.attempts > 0 && ending.retryable()
                        ? Ending.reconnectGaveUp(ending, gaveUp.attempts, gaveUp.sinceLoss(now).toMillis(),
                                retry.policyFailure)
                        : ending;
                clearOutageLocked();
                if (!transitionLocked(state, ConnectionState.ERROR, reported.message(), connection.channel)) {
                    return;
                }
                reportLocked(connection, ConnectionState.ERROR, reported, false);
            }
        }
        // The log line is written on an event thread: a burst of losses (a killed service, a thousand sockets at
        // once) must not keep the I/O thread formatting log records.
        String channelId = connection.channel.id();
        if (wasConnected) {
            boolean again = waiting != null;
            logLater(() -> LOG.log(Level.WARNING, "ALOAUD-1003 [{0}] connection to channel {1} ended: {2} ({3}, close "
                    + "code {4}){5}", name, channelId, ending.message(), ending.reason(),
                    String.valueOf(ending.closeCode()), again ? "; reconnecting" : ""));
            FlightRecorder.loss(name, channelId, ending.reason().name(),
                    ending.reason() == DisconnectReason.HEARTBEAT_TIMEOUT ? config.heartbeatTimeout().toMillis() : 0);
        } else if (waiting == null && connection.outage != null) {
            logLater(() -> LOG.log(Level.WARNING, "ALOAUD-1009 [{0}] reconnecting to channel {1} ended: {2} ({3})",
                    name, channelId, reported.message(), reported.reason()));
            FlightRecorder.connectEnded(connection.connectEvent, name, channelId, reported.reason().name());
        } else if (waiting == null) {
            logLater(() -> LOG.log(Level.WARNING, "ALOAUD-1004 [{0}] connect to channel {1} failed: {2} ({3})", name,
                    channelId, reported.message(), reported.reason()));
            FlightRecorder.connectEnded(connection.connectEvent, name, channelId, reported.reason().name());
        } else {
            int attempt = connection.attempt;
            logLater(() -> LOG.log(Level.DEBUG, () -> "ALOAUD-1006 [" + name + "] reconnect attempt " + attempt
                    + " to channel " + channelId + " failed: " + ending.message() + " (" + ending.reason() + ")"));
            FlightRecorder.connectEnded(connection.connectEvent, name, channelId, ending.reason().name());
        }
        long begin = System.nanoTime();
        try {
            connection.release(ending, null, null);
        } finally {
            connection.done.complete(null);
            recordDisconnect(connection, ConnectionState.ERROR, System.nanoTime() - begin);
            if (waiting == null && !connection.future.isDone()) {
                AloConnectException failure = new AloConnectException(reported.message(), reported.reason(),
                        reported.closeCode(), reported.cause());
                completeLater(() -> connection.future.completeExceptionally(failure), connection);
            }
        }
    }

    /** Whether to retry, and when: the policy's answer, asked outside the lock. */
    private record Retry(Duration delay, Throwable policyFailure) {

        static final Retry NONE = new Retry(null, null);
    }

    /**
     * Decides whether a failure of this connection is retried. A loss of an established connection, or a failed
     * reconnect attempt, with a retryable cause asks the reconnect policy; an expired token is retried once, at once,
     * when a token provider can give a fresh one; everything else ends the session.
     */
    private Retry planRetry(Connection connection, Ending ending) {
        int attempt;
        Duration sinceLoss;
        boolean refresh;
        synchronized (lock) {
            if (connection != current || connection.ending != null || closing) {
                return Retry.NONE;
            }
            boolean loss = connection.phase == Connection.Phase.JOINED;
            refresh = ending.reason() == DisconnectReason.TOKEN_EXPIRED && !connection.tokenRefresh
                    && config.userAuthTokenProvider().isPresent();
            if (!refresh && (!ending.retryable() || !(loss || connection.outage != null))) {
                return Retry.NONE;
            }
            long now = System.nanoTime();
            Outage continued = continuedOutageLocked(connection, loss, now);
            attempt = continued == null ? 1 : continued.attempts + 1;
            sinceLoss = continued == null ? Duration.ZERO : continued.sinceLoss(now);
        }
        if (refresh) {
            return new Retry(Duration.ZERO, null);
        }
        ReconnectPolicy policy = config.reconnectPolicy();
        try {
            Optional<Duration> delay = policy.delayBefore(new ReconnectAttempt(name, attempt, sinceLoss,
                    ending.reason()));
            if (delay == null || delay.isEmpty()) {
                return Retry.NONE;
            }
            if (delay.get().isNegative()) {
                throw new IllegalArgumentException("the reconnect policy " + policy + " returned a negative wait "
                        + delay.get());
            }
            return new Retry(delay.get(), null);
        } catch (RuntimeException | LinkageError e) {
            LOG.log(Level.WARNING, "ALOAUD-1007 [" + name + "] the reconnect policy " + policy.getClass().getName()
                    + " failed; reconnecting gives up", e);
            return new Retry(null, e);
        }
    }

    /**
     * The outage a failure of this connection continues: the connection's own (a reconnect attempt), or the session's
     * last one if a reconnect of it was lost again before it was stable; null if the failure starts a new outage.
     */
    private Outage continuedOutageLocked(Connection connection, boolean loss, long now) {
        if (connection.outage != null && connection.outage == outage && !(loss && outage.isOverAt(now))) {
            return outage;
        }
        return null;
    }

    /**
     * Commits a retry: for a loss its {@code ERROR} and {@code DisconnectEvent}, then {@code RECONNECT_PENDING} and
     * the wait's timer tasks. Under the lock.
     */
    private Outage retryLocked(Connection connection, Ending ending, boolean loss, long now, Retry retry) {
        Outage o = continuedOutageLocked(connection, loss, now);
        if (o == null) {
            o = new Outage(now, loss ? connection.sessionId : null);
        }
        if (outage != null && outage != o) {
            outage.cancelWait();
        }
        outage = o;
        String why;
        if (loss) {
            o.lossNanos = now;
            o.recoveredNanos = 0;
            o.lastRoster = connection.roster == null ? null : connection.roster.snapshot();
            transitionLocked(state, ConnectionState.ERROR, ending.message(), connection.channel);
            reportLocked(connection, ConnectionState.ERROR, ending, true);
            why = ending.message();
        } else {
            // a failed attempt is not a loss: no DisconnectEvent, its cause is told with RECONNECT_PENDING
            connection.reported = true;
            connection.roster = null;
            if (o.lossNanos == 0) {
                o.lossNanos = now;
            }
            why = (connection.attempt == 0 ? "connect" : "attempt " + connection.attempt) + " failed: "
                    + ending.message();
        }
        if (connection.sessionId != null && connection.resumeSecret != null) {
            // the newest session the service gave us is the one to resume
            o.resumeSessionId = connection.sessionId;
            o.resumeSecret = connection.resumeSecret;
        }
        o.tokenRefresh = ending.reason() == DisconnectReason.TOKEN_EXPIRED;
        o.nextAttemptNanos = now + retry.delay.toNanos();
        transitionLocked(state, ConnectionState.RECONNECT_PENDING,
                ConnectionChangeEvent.RECONNECT_PENDING_MESSAGE + ": " + why, connection.channel, o.attempts,
                o.pendingRestartSeconds(now));
        Outage scheduled = o;
        try {
            Cancellable attemptTask = runtime.timer().schedule(() -> beginAttempt(scheduled),
                    retry.delay.toNanos());
            long untilTick = o.nanosUntilNextTick(now);
            o.waitTasks(attemptTask, untilTick > 0 ? runtime.timer().schedule(() -> tick(scheduled), untilTick)
                    : Cancellable.NONE);
        } catch (RejectedExecutionException e) {
            // the runtime's timer is gone (the runtime ended): the attempt starts on a connect thread or not at all
            o.waitTasks(Cancellable.NONE, Cancellable.NONE);
            o.nextAttemptNanos = now;
            runLater(() -> beginAttempt(scheduled));
        }
        return o;
    }

    /** The wait for the next attempt is over (a timer thread): the attempt starts, unless the session moved on. */
    private void beginAttempt(Outage o) {
        Connection next;
        synchronized (lock) {
            if (outage != o || state != ConnectionState.RECONNECT_PENDING || closing) {
                return;
            }
            o.cancelWait();
            o.attempts++;
            boolean refresh = o.tokenRefresh;
            o.tokenRefresh = false;
            next = new Connection(++attempts, current.channel, current.future, o, o.attempts, refresh, this,
                    runtime.timer(), codec);
            current = next;
            transitionLocked(ConnectionState.RECONNECT_PENDING, ConnectionState.CONNECTING, "", next.channel,
                    o.attempts, 0);
        }
        start(next);
    }

    /** Once a second while waiting: {@code RECONNECT_PENDING} again, with the seconds left. */
    private void tick(Outage o) {
        synchronized (lock) {
            if (outage != o || state != ConnectionState.RECONNECT_PENDING) {
                return;
            }
            long now = System.nanoTime();
            long seconds = o.pendingRestartSeconds(now);
            if (seconds <= 0) {
                return;
            }
            transitionLocked(ConnectionState.RECONNECT_PENDING, ConnectionState.RECONNECT_PENDING,
                    ConnectionChangeEvent.RECONNECT_PENDING_MESSAGE, current.channel, o.attempts, seconds);
            long untilTick = o.nanosUntilNextTick(now);
            if (untilTick > 0) {
                try {
                    o.tickTask(runtime.timer().schedule(() -> tick(o), untilTick));
                } catch (RejectedExecutionException e) {
                    // no more ticks; the attempt task still ends the wait
                }
            }
        }
    }

    /** Ends the session's outage: its wait's timer tasks are cancelled and no attempt of it starts. Under the lock. */
    private void clearOutageLocked() {
        if (outage != null) {
            outage.cancelWait();
            outage = null;
        }
    }

    private void runLater(Runnable task) {
        try {
            runtime.connectExecutor().execute(task);
        } catch (RejectedExecutionException | OutOfMemoryError e) {
            // nothing can run it: the session stays waiting until disconnect() or close() ends it
            LOG.log(Level.WARNING, "ALOAUD-1204 [{0}] no thread to start the next reconnect attempt", name);
        }
    }

    void heartbeatTimeout(Connection connection, long silentMillis) {
        LOG.log(Level.DEBUG, () -> "[" + name + "] nothing received for " + silentMillis + " ms");
        fail(connection, Ending.heartbeatTimeout());
    }

    private void connectTimedOut(Connection connection) {
        String stage;
        boolean opened;
        synchronized (lock) {
            if (connection != current || connection.ending != null
                    || connection.phase == Connection.Phase.JOINED) {
                return;
            }
            opened = connection.phase != Connection.Phase.OPENING;
            switch (connection.phase) {
                case OPENING:
                    stage = "the WebSocket did not open";
                    break;
                case HELLO_SENT:
                    stage = "the service did not welcome the client";
                    break;
                case MEDIA:
                    stage = "the audio session did not connect (ICE and DTLS)";
                    break;
                default:
                    stage = "the channel was not joined";
                    break;
            }
        }
        fail(connection, Ending.connectTimeout("Timed out after " + config.connectTimeout().toMillis()
                + " ms connecting to the audio service at " + config.serverUri() + ": " + stage, opened));
    }

    // ------------------------------------------------------------------------------------------------------------
    // primitives for the message handlers

    /**
     * Runs a step under the state lock if the connection is still the live one (current, not ended).
     *
     * @param connection the connection
     * @param step       the step; its result is returned
     * @return the step's result, or {@code false} if the connection is no longer live
     */
    boolean whileLive(Connection connection, java.util.function.BooleanSupplier step) {
        synchronized (lock) {
            if (connection != current || connection.ending != null) {
                return false;
            }
            return step.getAsBoolean();
        }
    }

    /**
     * Computes something under the state lock if the connection is still the live one.
     *
     * @param connection the connection
     * @param step       the computation
     * @param <T>        its type
     * @return its result, or null if the connection is no longer live
     */
    <T> T ifLive(Connection connection, java.util.function.Supplier<T> step) {
        synchronized (lock) {
            return connection != current || connection.ending != null ? null : step.get();
        }
    }

    /**
     * Commits a transition of a live connection; for handlers, under {@link #whileLive}.
     *
     * @return whether the client was in {@code from}
     */
    boolean transition(ConnectionState from, ConnectionState to, AudioChannel channel) {
        synchronized (lock) {
            return transitionLocked(from, to, "", channel);
        }
    }

    /** Queues an event of this client; for handlers, under {@link #whileLive}. */
    void post(AloAudioEvent event) {
        boolean droppable = !(event instanceof DisconnectEvent);
        queue.post(listeners.deliveryOf(event), droppable, event);
    }

    /**
     * The channel is joined (the last roster page arrived): with media, the media session is negotiated next
     * ({@link Connection.Phase#MEDIA}); without, the join is complete at once. Under {@link #whileLive}.
     *
     * @return {@code true} if the join is complete ({@link #connected} must follow, outside the lock)
     */
    boolean joinedLocked(Connection connection) {
        if (config.mediaEnabled()) {
            connection.phase = Connection.Phase.MEDIA;
            return false;
        }
        completeJoinLocked(connection);
        return true;
    }

    /**
     * {@code CONNECTED}, then the first {@link ParticipantsChangedEvent}, listing everyone. After a reconnect: {@code
     * CONNECTED}, the {@link ReconnectedEvent}, then a {@code ParticipantsChangedEvent} with who joined and who left
     * while the client was away.
     */
    private void completeJoinLocked(Connection connection) {
        connection.phase = Connection.Phase.JOINED;
        Outage o = connection.outage != null && connection.outage == outage ? outage : null;
        transitionLocked(ConnectionState.ACQUIRING_ACCESS, ConnectionState.CONNECTED, "", connection.channel,
                o == null ? 0 : connection.attempt, 0);
        if (o != null) {
            reconnectedLocked(connection, o);
        }
        // first join: everyone joined; after a reconnect: the difference from the roster the lost connection knew
        ParticipantRoster snapshot = connection.roster.snapshot();
        List<Participant> before = o == null || o.lastRoster == null ? List.of() : o.lastRoster.list();
        if (o != null) {
            o.lastRoster = null;
        }
        List<Participant> joined = snapshot.list();
        List<Participant> left = List.of();
        if (!before.isEmpty()) {
            // only after a reconnect: a first join (of up to thousands of participants) copies nothing
            Set<String> beforeIds = new HashSet<>();
            before.forEach(p -> beforeIds.add(p.connectionId()));
            Set<String> nowIds = new HashSet<>();
            joined.forEach(p -> nowIds.add(p.connectionId()));
            joined = joined.stream().filter(p -> !beforeIds.contains(p.connectionId())).toList();
            left = before.stream().filter(p -> !nowIds.contains(p.connectionId())).toList();
        }
        post(new ParticipantsChangedEvent(name, connection.channel, connection.connectionId, joined, left, snapshot,
                Instant.now()));
    }

    /** A reconnect of the outage {@code o} is complete: the {@link ReconnectedEvent}. Under the lock. */
    private void reconnectedLocked(Connection connection, Outage o) {
        long now = System.nanoTime();
        o.recoveredNanos = now;
        Duration downtime = Duration.ofNanos(Math.max(0, now - o.lossNanos));
        post(new ReconnectedEvent(name, connection.channel, connection.resumed, connection.sessionId,
                o.previousSessionId, Math.max(1, o.attempts), downtime, Instant.now()));
        String channelId = connection.channel.id();
        int attemptsMade = o.attempts;
        boolean resumed = connection.resumed;
        logLater(() -> LOG.log(Level.INFO, "ALOAUD-1008 [{0}] reconnected to channel {1} after {2} attempt(s) and "
                + "{3} ms ({4})", name, channelId, String.valueOf(attemptsMade), String.valueOf(downtime.toMillis()),
                resumed ? "session resumed" : "new session"));
    }

    /**
     * The media session connected (the engine's callback thread): the join is complete.
     *
     * @param connection the connection
     */
    void mediaConnected(Connection connection) {
        boolean complete = whileLive(connection, () -> {
            if (connection.phase != Connection.Phase.MEDIA) {
                return false;
            }
            completeJoinLocked(connection);
            return true;
        });
        if (complete) {
            connected(connection);
        }
    }

    /**
     * The join is complete: {@code CONNECTED} was committed; completes the future after the events.
     */
    void connected(Connection connection) {
        connection.cancelConnectTimeout();
        long took = System.nanoTime() - connection.startNanos;
        metrics.connected(took);
        FlightRecorder.connectEnded(connection.connectEvent, name, connection.channel.id(),
                ConnectionState.CONNECTED.name());
        String channelId = connection.channel.id();
        String sessionId = connection.sessionId;
        logLater(() -> LOG.log(Level.INFO, "ALOAUD-1001 [{0}] connected to {1} as user {2}, channel {3}, session {4}",
                name, config.serverUri(), config.user().id(), channelId, sessionId));
        completeLater(() -> connection.future.complete(connection.channel), connection);
    }

    /** A pong arrived: the round trip is recorded. */
    void roundTrip(long nanos) {
        metrics.heartbeatRoundTrip(nanos);
    }

    MessageCodec codec() {
        return codec;
    }

    // ------------------------------------------------------------------------------------------------------------
    // read access for the facade

    Optional<AudioChannel> channel() {
        synchronized (lock) {
            return current == null || !(state.isInSession() || state == ConnectionState.DISCONNECTING)
                    ? Optional.empty() : Optional.of(current.channel);
        }
    }

    List<Participant> participants() {
        synchronized (lock) {
            return isJoinedLocked() ? current.roster.snapshot().list() : List.of();
        }
    }

    Optional<String> connectionId() {
        synchronized (lock) {
            return isJoinedLocked() ? Optional.ofNullable(current.connectionId) : Optional.empty();
        }
    }

    Optional<String> sessionId() {
        synchronized (lock) {
            return current == null || current.ending != null ? Optional.empty()
                    : Optional.ofNullable(current.sessionId);
        }
    }

    private boolean isJoinedLocked() {
        return current != null && current.ending == null && current.phase == Connection.Phase.JOINED;
    }

    // ------------------------------------------------------------------------------------------------------------
    // test seams (package-private)

    /** The current (or last) connection attempt. */
    Connection currentConnection() {
        synchronized (lock) {
            return current;
        }
    }

    /** Runs {@code hook} on the thread of each intentional end, after the release and before the final commit. */
    void afterIntentionalRelease(Runnable hook) {
        this.afterIntentionalRelease = hook;
    }

    // ------------------------------------------------------------------------------------------------------------
    // internals

    private boolean transitionLocked(ConnectionState from, ConnectionState to, String message, AudioChannel channel) {
        return transitionLocked(from, to, message, channel, 0, 0);
    }

    private boolean transitionLocked(ConnectionState from, ConnectionState to, String message, AudioChannel channel,
                                     int retryCount, long pendingRestartSeconds) {
        if (state != from) {
            return false;
        }
        StateTable.check(from, to);
        state = to;
        post(new ConnectionChangeEvent(name, from, to, message, channel, Instant.now(), retryCount,
                pendingRestartSeconds));
        return true;
    }

    private void reportLocked(Connection connection, ConnectionState endState) {
        reportLocked(connection, endState, connection.ending, false);
    }

    /** Queues the connection's one {@code DisconnectEvent}, saying {@code ending}; nothing if it was reported. */
    private void reportLocked(Connection connection, ConnectionState endState, Ending ending, boolean willReconnect) {
        if (connection.reported) {
            return;
        }
        connection.reported = true;
        // an ended connection keeps no roster: events that carry its snapshots keep what they need
        connection.roster = null;
        post(new DisconnectEvent(name, endState, endState == ConnectionState.ERROR ? ending.message() : "",
                ending.reason(), ending.initiator(), ending.closeCode(), connection.channel, config.user(),
                connection.sessionId, connection.phase == Connection.Phase.JOINED, willReconnect, ending.cause(),
                Instant.now()));
    }

    private void recordDisconnect(Connection connection, ConnectionState endState, long nanos) {
        Ending ending = connection.ending;
        boolean wasConnected = connection.phase == Connection.Phase.JOINED;
        metrics.disconnected(endState, ending.reason());
        FlightRecorder.disconnect(name, connection.channel.id(), endState.name(), ending.reason().name(),
                ending.initiator().name(), ending.closeCode(), wasConnected, nanos);
    }

    /**
     * Writes a log record on an event thread of the runtime (or here if the runtime refuses): neither the socket I/O
     * thread nor a caller of {@code disconnect()} pays for formatting and writing it. Not through this client's own
     * queue, so that a listener that blocks does not hold back the line an operator needs.
     */
    private void logLater(Runnable record) {
        try {
            runtime.events().executor().execute(record);
        } catch (RejectedExecutionException | OutOfMemoryError e) {
            record.run();
        }
    }

    /**
     * Completes a connect future on an event thread, never on a socket I/O thread (a slow continuation must not stall
     * reading) and not through this client's own queue (a listener may block on the future: {@code
     * connect(...).get()} inside a listener must not wait for itself). Inline if no event thread can take it.
     */
    private void completeLater(Runnable completion, Connection connection) {
        try {
            runtime.events().executor().execute(completion);
        } catch (RejectedExecutionException | OutOfMemoryError e) {
            completion.run();
        }
    }

    static String closePhrase(Ending ending) {
        switch (ending.reason()) {
            case CLIENT_INITIATED:
                return "disconnect";
            case CLIENT_SHUTDOWN:
                return "client shutdown";
            case HEARTBEAT_TIMEOUT:
                return "heartbeat timeout";
            case CONNECT_TIMEOUT:
                return "connect timeout";
            case PROTOCOL_ERROR:
                return "protocol error";
            case UNSUPPORTED_PROTOCOL:
                return "unsupported protocol version";
            default:
                return ending.reason().name().toLowerCase(Locale.ROOT);
        }
    }

    AudioUser user() {
        return config.user();
    }

    ClientRuntime runtime() {
        return runtime;
    }

    /** Forwards the socket's events of one connection into the state machine; a throwing step ends it. */
    private final class Events implements SignallingListener {

        private final Connection connection;

        Events(Connection connection) {
            this.connection = connection;
        }

        @Override
        public void onOpen() {
            guard(this::opened);
        }

        private void opened() {
            ResumeInfo[] resume = new ResumeInfo[1];
            boolean live = whileLive(connection, () -> {
                if (connection.phase != Connection.Phase.OPENING) {
                    return false;
                }
                connection.phase = Connection.Phase.HELLO_SENT;
                Outage o = connection.outage;
                if (o != null && o.resumeSessionId != null) {
                    resume[0] = new ResumeInfo(o.resumeSessionId, o.resumeSecret);
                    connection.resumeRequested = o.resumeSessionId;
                }
                return transitionLocked(ConnectionState.CONNECTING, ConnectionState.ACQUIRING_ACCESS, "",
                        connection.channel, connection.attempt, 0);
            });
            if (live) {
                connection.heartbeat.received();
                connection.send(Handshake.hello(config, resume[0]));
            }
        }

        @Override
        public void onText(String text) {
            guard(() -> received(text));
        }

        private void received(String text) {
            connection.heartbeat.received();
            MessageCodec.Decoded decoded;
            try {
                decoded = codec.decode(text, MessageHandlers.TYPES, config.maxMessageSize());
            } catch (ProtocolException e) {
                LOG.log(Level.WARNING, "ALOAUD-1102 [{0}] invalid message from the audio service: {1}", name,
                        e.getMessage());
                fail(connection, Ending.protocolError(e.getMessage(), e.closeCode()));
                return;
            }
            if (decoded.isUnknown()) {
                LOG.log(Level.DEBUG, () -> "ALOAUD-1104 [" + name + "] ignoring message of unknown type '"
                        + decoded.type() + "'");
                return;
            }
            MessageHandlers.dispatch(ClientStateMachine.this, connection, decoded.message());
        }

        @Override
        public void onBinary() {
            guard(() -> fail(connection, Ending.protocolError("binary frames are not part of protocol version "
                    + connection.protocol, CloseCodes.PROTOCOL_ERROR)));
        }

        @Override
        public void onClosed(int code, String phrase) {
            guard(() -> {
                Ending ending = ifLive(connection, () -> CloseCodeMapping.fromClose(code, phrase,
                        connection.endMessage, config.maxMessageSize()));
                if (ending != null) {
                    fail(connection, ending);
                }
            });
        }

        @Override
        public void onConnectFailed(TransportException failure) {
            guard(() -> fail(connection, Ending.connectFailed(failure.getMessage(), failure)));
        }

        private void guard(Runnable step) {
            try {
                step.run();
            } catch (RuntimeException | LinkageError e) {
                LOG.log(Level.ERROR, "ALOAUD-1901 [" + name + "] internal error; ending the connection", e);
                fail(connection, Ending.internal(e));
            }
        }
    }
}
