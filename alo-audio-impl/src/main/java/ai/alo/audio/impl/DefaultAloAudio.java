package ai.alo.audio.impl;

import ai.alo.audio.AloAudio;
import ai.alo.audio.AloAudioConfig;
import ai.alo.audio.AloAudioListener;
import ai.alo.audio.AloAudioStateException;
import ai.alo.audio.AloConnectException;
import ai.alo.audio.AudioChannel;
import ai.alo.audio.AudioUser;
import ai.alo.audio.ConnectCancelledException;
import ai.alo.audio.ConnectionState;
import ai.alo.audio.DisconnectReason;
import ai.alo.audio.Initiator;
import ai.alo.audio.ListenerRegistration;
import ai.alo.audio.Participant;
import ai.alo.audio.event.ConnectionChangeEvent;
import ai.alo.audio.event.DisconnectEvent;
import ai.alo.audio.event.ParticipantsChangedEvent;
import ai.alo.audio.impl.ws.SignallingConnection;
import ai.alo.audio.impl.ws.SignallingHandler;
import ai.alo.audio.impl.ws.TransportException;
import ai.alo.audio.impl.ws.TyrusTransport;
import ai.alo.audio.protocol.ChannelInfo;
import ai.alo.audio.protocol.CloseCodes;
import ai.alo.audio.protocol.End;
import ai.alo.audio.protocol.ErrorMessage;
import ai.alo.audio.protocol.Hello;
import ai.alo.audio.protocol.HeartbeatInfo;
import ai.alo.audio.protocol.Join;
import ai.alo.audio.protocol.Joined;
import ai.alo.audio.protocol.Leave;
import ai.alo.audio.protocol.Left;
import ai.alo.audio.protocol.Message;
import ai.alo.audio.protocol.MessageCodec;
import ai.alo.audio.protocol.ParticipantInfo;
import ai.alo.audio.protocol.ParticipantJoined;
import ai.alo.audio.protocol.ParticipantLeft;
import ai.alo.audio.protocol.Ping;
import ai.alo.audio.protocol.Pong;
import ai.alo.audio.protocol.ProtocolException;
import ai.alo.audio.protocol.ProtocolVersion;
import ai.alo.audio.protocol.UserInfo;
import ai.alo.audio.protocol.Welcome;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The default {@link AloAudio}: the one state machine of a client.
 *
 * <h2>Locking and events</h2>
 * <p>{@link #lock} guards the state, the current attempt and each attempt's protocol fields. Every state change
 * happens under it and queues its events on the {@link EventDispatcher} before the lock is released, so events are
 * delivered in the order of the changes; they are delivered on the dispatcher thread, never under the lock. Futures
 * returned by {@code connect()} are completed after the lock is released and after the attempt's resources are
 * released, so their continuations may call back into the client.
 *
 * <h2>Releasing</h2>
 * <p>An attempt ends exactly once ({@code attempt.ending} goes from null to non-null under the lock, and only the
 * thread that sets it ends the attempt). An intentional end ({@code disconnect()}, {@code close()}) releases the
 * attempt on the calling thread, bounded by the close grace, and then commits {@code DISCONNECTED}. A failure
 * commits {@code ERROR} at once (the loss is reported without waiting) and releases the attempt on a short-lived
 * release thread, so that a transport thread never waits for itself.
 */
final class DefaultAloAudio implements AloAudio {

    private static final System.Logger LOG = System.getLogger("ai.alo.audio");
    static final String CLIENT_SOFTWARE = "alo-audio-java/0.1.0";
    private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(5);
    private static final long MIN_HEARTBEAT_INTERVAL_MS = 20;
    private static final long MAX_HEARTBEAT_TIMEOUT_MS = 120_000;

    private final AloAudioConfig config;
    private final String name;
    private final TyrusTransport transport;
    private final MessageCodec codec;
    private final ThreadTracker clientThreads;
    private final EventDispatcher dispatcher;

    private final ReentrantLock lock = new ReentrantLock();
    private volatile ConnectionState state = ConnectionState.NOT_CONNECTED;
    private ConnectionAttempt current;
    private ConnectionAttempt lastEnded;
    private long attempts;
    private boolean closing;
    private final CompletableFuture<Void> closed = new CompletableFuture<>();

    DefaultAloAudio(AloAudioConfig config, TyrusTransport transport) {
        this.config = Objects.requireNonNull(config, "config");
        this.name = config.name();
        this.transport = transport;
        this.codec = new MessageCodec(config.maxMessageSize());
        this.clientThreads = new ThreadTracker(config.threadFactory().orElse(null), "alo-audio-" + name);
        this.dispatcher = new EventDispatcher(name, clientThreads);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // public API

    @Override
    public CompletableFuture<AudioChannel> connect(AudioChannel channel) {
        Objects.requireNonNull(channel, "channel");
        Deadline waitBound = Deadline.after(config.closeGrace().multipliedBy(4).plusSeconds(1));
        while (true) {
            ConnectionAttempt started;
            CompletableFuture<Void> waitFor = null;
            lock.lock();
            try {
                if (closing || state == ConnectionState.CLOSED) {
                    throw new AloAudioStateException("AloAudio client '" + name + "' is closed", state);
                }
                if (state.isActive()) {
                    if (current.channel.equals(channel)) {
                        return current.future.copy();
                    }
                    throw new AloAudioStateException("AloAudio client '" + name + "' is " + state
                            + " on channel '" + current.channel.id() + "'; call disconnect() before connecting to '"
                            + channel.id() + "'", state);
                }
                if (state == ConnectionState.DISCONNECTING) {
                    waitFor = current.done;
                    started = null;
                } else {
                    started = new ConnectionAttempt(++attempts, channel,
                            new ThreadTracker(config.threadFactory().orElse(null),
                                    "alo-audio-" + name + "-c" + attempts));
                    current = started;
                    transition(ConnectionState.CONNECTING, "", channel);
                }
            } finally {
                lock.unlock();
            }
            if (waitFor != null) {
                await(waitFor, waitBound);
                if (waitBound.passed()) {
                    throw new AloAudioStateException("AloAudio client '" + name + "' is still disconnecting", state);
                }
                continue;
            }
            start(started);
            return started.future.copy();
        }
    }

    @Override
    public void disconnect() {
        endIntentionally(DisconnectReason.CLIENT_INITIATED, CloseCodes.NORMAL);
    }

    @Override
    public void close() {
        CompletableFuture<Void> waitFor = null;
        lock.lock();
        try {
            if (state == ConnectionState.CLOSED) {
                return;
            }
            if (closing) {
                waitFor = closed;
            }
            closing = true;
        } finally {
            lock.unlock();
        }
        if (waitFor != null) {
            if (!dispatcher.isDispatcherThread()) {
                await(waitFor, Deadline.after(DRAIN_TIMEOUT.plus(config.closeGrace().multipliedBy(4))));
            }
            return;
        }
        try {
            for (int i = 0; i < 3; i++) {
                endIntentionally(DisconnectReason.CLIENT_SHUTDOWN, CloseCodes.GOING_AWAY);
                ConnectionState now = state;
                if (!now.isActive() && now != ConnectionState.DISCONNECTING && now != ConnectionState.ERROR) {
                    break;
                }
            }
            lock.lock();
            try {
                transition(ConnectionState.CLOSED, "", null);
            } finally {
                lock.unlock();
            }
        } finally {
            dispatcher.shutdown(DRAIN_TIMEOUT);
            try {
                for (Thread alive : clientThreads.awaitTermination(Deadline.after(config.closeGrace()))) {
                    if (!dispatcher.isDispatcherThread()) {
                        LOG.log(Level.WARNING, "ALOAUD-1202 [{0}] thread {1} still running after close()", name,
                                alive.getName());
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            codec.close();
            closed.complete(null);
        }
    }

    @Override
    public ConnectionState state() {
        return state;
    }

    @Override
    public Optional<AudioChannel> channel() {
        lock.lock();
        try {
            return current == null ? Optional.empty() : Optional.of(current.channel);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public List<Participant> participants() {
        lock.lock();
        try {
            return current == null || current.phase != ConnectionAttempt.Phase.JOINED || current.ending != null
                    ? List.of() : current.participants;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Optional<String> connectionId() {
        lock.lock();
        try {
            return current == null || current.phase != ConnectionAttempt.Phase.JOINED || current.ending != null
                    ? Optional.empty() : Optional.ofNullable(current.connectionId);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Optional<String> sessionId() {
        lock.lock();
        try {
            return current == null || current.ending != null ? Optional.empty()
                    : Optional.ofNullable(current.sessionId);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public AudioUser user() {
        return config.user();
    }

    @Override
    public AloAudioConfig config() {
        return config;
    }

    @Override
    public ListenerRegistration addListener(AloAudioListener listener) {
        return dispatcher.add(listener);
    }

    @Override
    public String toString() {
        return "AloAudio[name=" + name + ", state=" + state + ", serverUri=" + config.serverUri() + ", user="
                + config.user().id() + "]";
    }

    // ---------------------------------------------------------------------------------------------------------------
    // ending an attempt

    /** The one path of an intentional end: {@code disconnect()} (1000) and {@code close()} (1001). */
    private void endIntentionally(DisconnectReason reason, int code) {
        Deadline deadline = Deadline.after(config.closeGrace());
        ConnectionAttempt attempt = null;
        CompletableFuture<Void> waitFor = null;
        String leave = null;
        lock.lock();
        try {
            switch (state) {
                case CONNECTING:
                case ACQUIRING_ACCESS:
                case CONNECTED:
                    attempt = current;
                    attempt.ending = Ending.intentional(reason, code,
                            attempt.phase != ConnectionAttempt.Phase.OPENING);
                    if (attempt.phase == ConnectionAttempt.Phase.JOINED) {
                        leave = codec.encode(new Leave(attempt.channel.id()));
                    }
                    transition(ConnectionState.DISCONNECTING, "", attempt.channel);
                    break;
                case DISCONNECTING:
                    waitFor = current.done;
                    break;
                case ERROR:
                    waitFor = lastEnded == null ? null : lastEnded.done;
                    transition(ConnectionState.DISCONNECTED, "",
                            lastEnded == null ? null : lastEnded.channel);
                    break;
                default:
                    return;
            }
        } finally {
            lock.unlock();
        }
        if (attempt == null) {
            if (waitFor != null) {
                await(waitFor, Deadline.after(config.closeGrace().multipliedBy(2).plusMillis(100)));
            }
            return;
        }
        attempt.release(attempt.ending, leave, deadline);
        lock.lock();
        try {
            transition(ConnectionState.DISCONNECTED, "", attempt.channel);
            dispatcher.queue(disconnectEvent(attempt, ConnectionState.DISCONNECTED));
            current = null;
            lastEnded = attempt;
        } finally {
            lock.unlock();
        }
        attempt.done.complete(null);
        LOG.log(Level.INFO, "ALOAUD-1002 [{0}] disconnected from channel {1} (close code {2})", name,
                attempt.channel.id(), String.valueOf(code));
        if (!attempt.future.isDone()) {
            attempt.future.completeExceptionally(new ConnectCancelledException("connect to channel '"
                    + attempt.channel.id() + "' was cancelled by " + (reason == DisconnectReason.CLIENT_SHUTDOWN
                    ? "close()" : "disconnect()"), reason, attempt.ending.closeCode()));
        }
    }

    /**
     * The one path of a failure: commits {@code ERROR} and the {@code DisconnectEvent} at once, then releases the
     * attempt on a release thread and completes its future. Ignored if the attempt already ended.
     */
    private void fail(ConnectionAttempt attempt, Ending ending) {
        boolean wasConnected;
        lock.lock();
        try {
            if (attempt != current || attempt.ending != null) {
                return;
            }
            attempt.ending = ending;
            wasConnected = attempt.phase == ConnectionAttempt.Phase.JOINED;
            transition(ConnectionState.ERROR, ending.message(), attempt.channel);
            dispatcher.queue(disconnectEvent(attempt, ConnectionState.ERROR));
            current = null;
            lastEnded = attempt;
        } finally {
            lock.unlock();
        }
        if (wasConnected) {
            LOG.log(Level.WARNING, "ALOAUD-1003 [{0}] connection to channel {1} ended: {2} ({3}, close code {4})",
                    name, attempt.channel.id(), ending.message(), ending.reason(), String.valueOf(ending.closeCode()));
        } else {
            LOG.log(Level.WARNING, "ALOAUD-1004 [{0}] connect to channel {1} failed: {2} ({3})", name,
                    attempt.channel.id(), ending.message(), ending.reason());
        }
        Runnable release = () -> {
            try {
                attempt.release(ending, null, Deadline.after(config.closeGrace()));
            } finally {
                attempt.done.complete(null);
                if (!attempt.future.isDone()) {
                    attempt.future.completeExceptionally(new AloConnectException(ending.message(), ending.reason(),
                            ending.closeCode(), ending.cause()));
                }
            }
        };
        try {
            clientThreads.newThread(release).start();
        } catch (RuntimeException | OutOfMemoryError e) {
            release.run();
        }
    }

    private DisconnectEvent disconnectEvent(ConnectionAttempt attempt, ConnectionState endState) {
        Ending ending = attempt.ending;
        return new DisconnectEvent(name, endState, ending.message(), ending.reason(), ending.initiator(),
                ending.closeCode(), attempt.channel, config.user(), attempt.sessionId,
                attempt.phase == ConnectionAttempt.Phase.JOINED, false, ending.cause(), Instant.now());
    }

    /** Changes the state and queues the event. Caller holds the lock. */
    private void transition(ConnectionState next, String message, AudioChannel channel) {
        ConnectionState previous = state;
        state = next;
        dispatcher.queue(new ConnectionChangeEvent(name, previous, next, message, channel, Instant.now()));
    }

    private static void await(CompletableFuture<Void> future, Deadline deadline) {
        try {
            future.get(deadline.remainingNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // bounded wait: the other thread's release is bounded too and logs what it could not finish
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // connecting

    private void start(ConnectionAttempt attempt) {
        try {
            boolean started = attempt.start(
                    () -> transport.newConnection(config.serverUri(), config.userAuthToken(),
                            config.maxMessageSize(), config.connectTimeout(), attempt.threads, new Handler(attempt)),
                    connection -> runConnect(attempt, connection));
            if (started) {
                attempt.schedule(() -> onConnectTimeout(attempt), config.connectTimeout().toNanos());
            }
        } catch (RuntimeException | LinkageError | OutOfMemoryError e) {
            fail(attempt, Ending.internal(e));
        }
    }

    /** Runs on the attempt's connector thread. */
    private void runConnect(ConnectionAttempt attempt, SignallingConnection connection) {
        try {
            connection.open();
        } catch (InterruptedException e) {
            // cancelled: whoever ended the attempt releases it
        } catch (TransportException e) {
            fail(attempt, e.isTimeout()
                    ? Ending.connectTimeout("Timed out after " + config.connectTimeout().toMillis()
                            + " ms connecting to the audio service at " + config.serverUri()
                            + ": the WebSocket did not open", false)
                    : Ending.connectFailed(e.getMessage(), e));
        } catch (RuntimeException | LinkageError e) {
            // LinkageError: a class of the transport is missing from the deployment (a packaging mistake).
            fail(attempt, Ending.internal(e));
        }
    }

    private void onConnectTimeout(ConnectionAttempt attempt) {
        String stage;
        boolean opened;
        lock.lock();
        try {
            if (attempt != current || attempt.ending != null || attempt.phase == ConnectionAttempt.Phase.JOINED) {
                return;
            }
            opened = attempt.phase != ConnectionAttempt.Phase.OPENING;
            stage = attempt.phase == ConnectionAttempt.Phase.OPENING ? "the WebSocket did not open"
                    : attempt.phase == ConnectionAttempt.Phase.HELLO_SENT ? "the service did not welcome the client"
                    : "the channel was not joined";
        } finally {
            lock.unlock();
        }
        fail(attempt, Ending.connectTimeout("Timed out after " + config.connectTimeout().toMillis()
                + " ms connecting to the audio service at " + config.serverUri() + ": " + stage, opened));
    }

    // ---------------------------------------------------------------------------------------------------------------
    // protocol

    private void onOpen(ConnectionAttempt attempt) {
        SignallingConnection connection = attempt.connection();
        lock.lock();
        try {
            if (attempt != current || attempt.ending != null) {
                // Ended while the handshake completed: do not keep a socket nobody owns.
                connection.close(CloseCodes.NORMAL, "cancelled");
                return;
            }
            attempt.phase = ConnectionAttempt.Phase.HELLO_SENT;
            attempt.lastReceivedNanos = System.nanoTime();
            transition(ConnectionState.ACQUIRING_ACCESS, "", attempt.channel);
        } finally {
            lock.unlock();
        }
        AudioUser user = config.user();
        send(attempt, new Hello(ProtocolVersion.CURRENT, CLIENT_SOFTWARE,
                new UserInfo(user.id(), user.name(), user.deviceId()), config.ttsEnabled(),
                new HeartbeatInfo(config.heartbeatInterval().toMillis(), config.heartbeatTimeout().toMillis())));
    }

    private void onText(ConnectionAttempt attempt, String text) {
        attempt.lastReceivedNanos = System.nanoTime();
        MessageCodec.Decoded decoded;
        try {
            decoded = codec.decode(text);
        } catch (ProtocolException e) {
            LOG.log(Level.WARNING, "ALOAUD-1102 [{0}] invalid message from the audio service: {1}", name,
                    e.getMessage());
            fail(attempt, Ending.protocolError(e.getMessage(), e.closeCode()));
            return;
        }
        if (decoded.isUnknown()) {
            LOG.log(Level.DEBUG, "ALOAUD-1104 [{0}] ignoring message of unknown type ''{1}''", name, decoded.type());
            return;
        }
        Message message = decoded.message();
        if (message instanceof Pong) {
            return;
        } else if (message instanceof Ping ping) {
            send(attempt, new Pong(ping.seq()));
        } else if (message instanceof Welcome welcome) {
            onWelcome(attempt, welcome);
        } else if (message instanceof Joined joined) {
            onJoined(attempt, joined);
        } else if (message instanceof ParticipantJoined joined) {
            onParticipantJoined(attempt, joined);
        } else if (message instanceof ParticipantLeft left) {
            onParticipantLeft(attempt, left);
        } else if (message instanceof Left) {
            return;
        } else if (message instanceof End end) {
            onEnd(attempt, end);
        } else if (message instanceof ErrorMessage error) {
            onError(attempt, error);
        } else {
            fail(attempt, Ending.protocolError("unexpected '" + decoded.type() + "' message",
                    CloseCodes.PROTOCOL_ERROR));
        }
    }

    private void onWelcome(ConnectionAttempt attempt, Welcome welcome) {
        HeartbeatInfo heartbeat;
        lock.lock();
        try {
            if (attempt != current || attempt.ending != null) {
                return;
            }
            if (attempt.phase != ConnectionAttempt.Phase.HELLO_SENT) {
                heartbeat = null;
            } else {
                long interval = Math.max(MIN_HEARTBEAT_INTERVAL_MS, welcome.heartbeat().intervalMs());
                long timeout = Math.min(MAX_HEARTBEAT_TIMEOUT_MS,
                        Math.max(interval + 1, welcome.heartbeat().timeoutMs()));
                heartbeat = new HeartbeatInfo(interval, timeout);
                attempt.sessionId = welcome.sessionId();
                attempt.heartbeat = heartbeat;
                attempt.phase = ConnectionAttempt.Phase.JOINING;
            }
        } finally {
            lock.unlock();
        }
        if (heartbeat == null) {
            fail(attempt, Ending.protocolError("unexpected 'welcome' message", CloseCodes.PROTOCOL_ERROR));
            return;
        }
        if (welcome.protocol() != ProtocolVersion.CURRENT) {
            fail(attempt, Ending.server(DisconnectReason.UNSUPPORTED_PROTOCOL, CloseCodes.NORMAL,
                    "The audio service answered with protocol version " + welcome.protocol() + "; this client "
                            + "speaks version " + ProtocolVersion.CURRENT));
            return;
        }
        attempt.scheduleAtFixedRate(() -> send(attempt, new Ping(attempt.nextPingSeq())),
                TimeUnit.MILLISECONDS.toNanos(heartbeat.intervalMs()));
        attempt.schedule(() -> watchdog(attempt), TimeUnit.MILLISECONDS.toNanos(heartbeat.timeoutMs()));
        AudioChannel channel = attempt.channel;
        send(attempt, new Join(new ChannelInfo(channel.id(), channel.name(), channel.fullDuplex())));
    }

    private void onJoined(ConnectionAttempt attempt, Joined joined) {
        boolean accepted;
        lock.lock();
        try {
            if (attempt != current || attempt.ending != null) {
                return;
            }
            accepted = attempt.phase == ConnectionAttempt.Phase.JOINING
                    && joined.channel().id().equals(attempt.channel.id());
            if (accepted) {
                attempt.connectionId = joined.connectionId();
                attempt.participants = toParticipants(joined.participants());
                attempt.phase = ConnectionAttempt.Phase.JOINED;
                transition(ConnectionState.CONNECTED, "", attempt.channel);
                dispatcher.queue(new ParticipantsChangedEvent(name, attempt.channel, attempt.connectionId,
                        attempt.participants, Instant.now()));
            }
        } finally {
            lock.unlock();
        }
        if (!accepted) {
            fail(attempt, Ending.protocolError("unexpected 'joined' message for channel '"
                    + CloseCodeMapping.printable(joined.channel().id()) + "'", CloseCodes.PROTOCOL_ERROR));
            return;
        }
        LOG.log(Level.INFO, "ALOAUD-1001 [{0}] connected to {1} as user {2}, channel {3}, session {4}", name,
                config.serverUri(), config.user().id(), attempt.channel.id(), attempt.sessionId);
        attempt.future.complete(attempt.channel);
    }

    private void onParticipantJoined(ConnectionAttempt attempt, ParticipantJoined message) {
        Participant participant = toParticipant(message.participant());
        lock.lock();
        try {
            if (isJoined(attempt, message.channelId())) {
                List<Participant> updated = new ArrayList<>(attempt.participants.size() + 1);
                for (Participant p : attempt.participants) {
                    if (!p.connectionId().equals(participant.connectionId())) {
                        updated.add(p);
                    }
                }
                updated.add(participant);
                updateParticipants(attempt, updated);
            }
        } finally {
            lock.unlock();
        }
    }

    private void onParticipantLeft(ConnectionAttempt attempt, ParticipantLeft message) {
        String gone = message.participant().connectionId();
        lock.lock();
        try {
            if (isJoined(attempt, message.channelId())) {
                List<Participant> updated = new ArrayList<>(attempt.participants);
                if (updated.removeIf(p -> p.connectionId().equals(gone))) {
                    updateParticipants(attempt, updated);
                }
            }
        } finally {
            lock.unlock();
        }
    }

    private boolean isJoined(ConnectionAttempt attempt, String channelId) {
        return attempt == current && attempt.ending == null && attempt.phase == ConnectionAttempt.Phase.JOINED
                && attempt.channel.id().equals(channelId);
    }

    private void updateParticipants(ConnectionAttempt attempt, List<Participant> updated) {
        attempt.participants = List.copyOf(updated);
        dispatcher.queue(new ParticipantsChangedEvent(name, attempt.channel, attempt.connectionId,
                attempt.participants, Instant.now()));
    }

    private void onEnd(ConnectionAttempt attempt, End end) {
        lock.lock();
        try {
            if (attempt != current || attempt.ending != null) {
                return;
            }
            attempt.endMessage = end;
        } finally {
            lock.unlock();
        }
        // The close frame normally follows at once; if it does not, end the session ourselves.
        attempt.schedule(() -> {
            DisconnectReason reason = CloseCodeMapping.fromEnd(end);
            String detail = CloseCodeMapping.printable(end.message());
            fail(attempt, new Ending(reason, Initiator.SERVER, CloseCodes.NORMAL,
                    detail.isEmpty() ? reason.defaultMessage() : reason.defaultMessage() + ": " + detail,
                    null, CloseCodes.NORMAL, false));
        }, config.closeGrace().toNanos());
    }

    private void onError(ConnectionAttempt attempt, ErrorMessage error) {
        boolean joinRefused;
        lock.lock();
        try {
            if (attempt != current || attempt.ending != null) {
                return;
            }
            joinRefused = Join.TYPE.equals(error.ref()) && attempt.phase == ConnectionAttempt.Phase.JOINING;
        } finally {
            lock.unlock();
        }
        String detail = CloseCodeMapping.printable(error.message());
        if (joinRefused) {
            fail(attempt, Ending.serverRefusal(DisconnectReason.JOIN_REJECTED,
                    "The audio service refused to join channel '" + attempt.channel.id() + "'"
                            + (detail.isEmpty() ? "" : ": " + detail)));
        } else {
            LOG.log(Level.WARNING, "ALOAUD-1103 [{0}] the audio service reported an error: {1} {2}", name,
                    CloseCodeMapping.printable(error.code()), detail);
        }
    }

    private void onClosed(ConnectionAttempt attempt, int code, String phrase) {
        End end;
        lock.lock();
        try {
            if (attempt != current || attempt.ending != null) {
                return;
            }
            end = attempt.endMessage;
        } finally {
            lock.unlock();
        }
        fail(attempt, CloseCodeMapping.fromClose(code, phrase, end, config.maxMessageSize()));
    }

    private void watchdog(ConnectionAttempt attempt) {
        HeartbeatInfo heartbeat = attempt.heartbeat;
        long timeoutNanos = TimeUnit.MILLISECONDS.toNanos(heartbeat.timeoutMs());
        long silentNanos = System.nanoTime() - attempt.lastReceivedNanos;
        if (silentNanos >= timeoutNanos) {
            fail(attempt, Ending.heartbeatTimeout(TimeUnit.NANOSECONDS.toMillis(silentNanos)));
        } else {
            attempt.schedule(() -> watchdog(attempt), timeoutNanos - silentNanos);
        }
    }

    private void send(ConnectionAttempt attempt, Message message) {
        SignallingConnection connection = attempt.connection();
        if (connection != null) {
            connection.send(codec.encode(message));
        }
    }

    private static List<Participant> toParticipants(List<ParticipantInfo> infos) {
        List<Participant> participants = new ArrayList<>(infos.size());
        for (ParticipantInfo info : infos) {
            participants.add(toParticipant(info));
        }
        return List.copyOf(participants);
    }

    private static Participant toParticipant(ParticipantInfo info) {
        return new Participant(info.connectionId(), info.userId(), info.name(), info.muted());
    }

    /** Forwards transport callbacks of one attempt into the state machine; a throwing step ends the attempt. */
    private final class Handler implements SignallingHandler {

        private final ConnectionAttempt attempt;

        Handler(ConnectionAttempt attempt) {
            this.attempt = attempt;
        }

        @Override
        public void onOpen() {
            guard(() -> DefaultAloAudio.this.onOpen(attempt));
        }

        @Override
        public void onText(String text) {
            guard(() -> DefaultAloAudio.this.onText(attempt, text));
        }

        @Override
        public void onBinary() {
            guard(() -> fail(attempt, Ending.protocolError("binary frames are not part of protocol version "
                    + ProtocolVersion.CURRENT, CloseCodes.PROTOCOL_ERROR)));
        }

        @Override
        public void onClosed(int code, String phrase) {
            guard(() -> DefaultAloAudio.this.onClosed(attempt, code, phrase));
        }

        @Override
        public void onError(Throwable error) {
            guard(() -> {
                SignallingConnection connection = attempt.connection();
                if (connection == null || !connection.isOpen()) {
                    fail(attempt, Ending.lost(error));
                } else {
                    LOG.log(Level.DEBUG, () -> "[" + name + "] transport error on an open connection: " + error);
                }
            });
        }

        private void guard(Runnable step) {
            try {
                step.run();
            } catch (RuntimeException | LinkageError e) {
                LOG.log(Level.ERROR, "ALOAUD-1901 [" + name + "] internal error; ending the connection", e);
                fail(attempt, Ending.internal(e));
            }
        }
    }
}
