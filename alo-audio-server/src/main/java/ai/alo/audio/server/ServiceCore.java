package ai.alo.audio.server;

import ai.alo.audio.protocol.ChannelInfo;
import ai.alo.audio.protocol.CloseCodes;
import ai.alo.audio.protocol.End;
import ai.alo.audio.protocol.ErrorMessage;
import ai.alo.audio.protocol.HeartbeatInfo;
import ai.alo.audio.protocol.Hello;
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
import ai.alo.audio.protocol.Welcome;
import jakarta.json.JsonException;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.json.spi.JsonProvider;
import jakarta.websocket.Session;
import java.io.StringReader;
import java.lang.System.Logger.Level;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * The protocol logic and the registry of sessions and channels of one {@link AloAudioServer}.
 *
 * <p>Locking: one {@link ReentrantLock} guards the registry and every {@link ClientSession} field marked so. Work that
 * must not run under it (sending, closing, listener callbacks) is collected in an {@link Effects} and run after the
 * lock is released. Messages for a peer are queued under the lock, so each peer sees state changes in the order they
 * happened.
 */
final class ServiceCore {

    private static final System.Logger LOG = System.getLogger(AloAudioServer.class.getPackageName());

    /** The longest channel id a {@code join} may carry. */
    static final int MAX_CHANNEL_ID_LENGTH = 128;

    private final ServerSettings settings;
    private final MessageCodec codec;
    private final TokenVerifier verifier;
    private final ScheduledExecutorService scheduler;
    private final List<ServerListener> listeners = new CopyOnWriteArrayList<>();
    private final JsonProvider json = JsonProvider.provider();
    private final SecureRandom random = new SecureRandom();
    private final AtomicLong sequence = new AtomicLong();

    private final ReentrantLock lock = new ReentrantLock();
    // guarded by lock
    private final Map<String, ClientSession> sessions = new LinkedHashMap<>();
    private final Map<String, Map<String, ClientSession>> channels = new HashMap<>();
    private boolean shuttingDown;

    ServiceCore(ServerSettings settings, MessageCodec codec, TokenVerifier verifier,
                ScheduledExecutorService scheduler) {
        this.settings = settings;
        this.codec = codec;
        this.verifier = verifier;
        this.scheduler = scheduler;
    }

    void addListener(ServerListener listener) {
        listeners.add(listener);
    }

    void removeListener(ServerListener listener) {
        listeners.remove(listener);
    }

    // ---------------------------------------------------------------- socket events

    /** Creates the state of a socket that just opened; nothing is checked or registered yet. */
    ClientSession create(Session ws, long relayId) {
        return new ClientSession(sequence.incrementAndGet(), "s-" + randomId(), ws, relayId, Instant.now());
    }

    /** The socket opened: checks the token before anything else, then waits for {@code hello}. */
    void opened(ClientSession cs, String authorization) {
        cs.ws.setMaxTextMessageBufferSize(settings.maxMessageSize());
        cs.ws.setMaxBinaryMessageBufferSize(settings.maxMessageSize());
        TokenVerifier.Verdict verdict = verifier.verify(authorization);
        Effects fx = new Effects();
        boolean accepted = false;
        lock.lock();
        try {
            if (shuttingDown) {
                fx.close(cs, CloseCodes.GOING_AWAY, "Server shutting down");
            } else if (!verdict.accepted()) {
                fx.close(cs, verdict.closeCode(), verdict.reason());
            } else {
                cs.userId = verdict.userId();
                cs.registered = true;
                sessions.put(cs.sessionId, cs);
                SessionInfo snapshot = cs.snapshot();
                fx.event(l -> l.onSessionOpened(snapshot));
                accepted = true;
            }
        } finally {
            lock.unlock();
        }
        if (accepted) {
            LOG.log(Level.DEBUG, () -> "Session " + cs.sessionId + " of user " + verdict.userId() + " opened");
            try {
                cs.helloTimer(scheduler.schedule(() -> helloTimeout(cs), settings.helloTimeoutMs(),
                        TimeUnit.MILLISECONDS));
            } catch (RejectedExecutionException e) {
                // The server is stopping; the session is being closed.
            }
        } else if (!verdict.accepted()) {
            LOG.log(Level.INFO, () -> "ALOSRV-5011 Connection " + cs.sessionId + " rejected: " + verdict.reason()
                    + " (" + verdict.closeCode() + ")");
        }
        fx.run();
    }

    /** A text message arrived. */
    void text(ClientSession cs, String text) {
        if (cs.closed || cs.closeQueued()) {
            return;
        }
        cs.lastReceivedNanos = System.nanoTime();
        if (Reasons.utf8LongerThan(text, settings.maxMessageSize())) {
            protocolClose(cs, CloseCodes.TOO_BIG, "Message too big (limit " + settings.maxMessageSize()
                    + " bytes)");
            return;
        }
        MessageCodec.Decoded decoded;
        try {
            decoded = codec.decode(text);
        } catch (ProtocolException e) {
            if (isJoinWithBlankChannelId(text)) {
                // The record refuses a blank id, but the protocol answers an invalid join with an error.
                message(cs, Join.TYPE);
                whenActive(cs, fx -> fx.send(cs, new ErrorMessage("join.rejected", "The channel id must not be blank",
                        Join.TYPE)));
            } else {
                protocolClose(cs, e.closeCode(), e.getMessage());
            }
            return;
        }
        message(cs, decoded.type());
        if (decoded.isUnknown()) {
            LOG.log(Level.DEBUG, () -> "Ignored a message of unknown type '" + decoded.type() + "' from "
                    + cs.sessionId);
            return;
        }
        Message message = decoded.message();
        if (message instanceof Hello hello) {
            hello(cs, hello);
        } else if (message instanceof Ping ping) {
            whenActive(cs, fx -> fx.send(cs, new Pong(ping.seq())));
        } else if (message instanceof Pong) {
            whenActive(cs, fx -> { });
        } else if (message instanceof Join join) {
            whenActive(cs, fx -> join(cs, join.channel(), fx));
        } else if (message instanceof Leave leave) {
            whenActive(cs, fx -> leave(cs, leave.channelId(), fx));
        } else {
            protocolClose(cs, CloseCodes.PROTOCOL_ERROR, "Unexpected '" + decoded.type() + "' from a client");
        }
    }

    /** A binary frame arrived: reserved, a protocol error in version 1. */
    void binary(ClientSession cs) {
        protocolClose(cs, CloseCodes.PROTOCOL_ERROR, "Binary frames are not supported");
    }

    /** The socket closed, whoever closed it (Tyrus calls this synchronously for a close the server starts). */
    void closed(ClientSession cs, int code, String phrase) {
        Effects fx = new Effects();
        SessionInfo snapshot;
        lock.lock();
        try {
            if (cs.closed) {
                return;
            }
            finish(cs, code, phrase, fx);
            snapshot = cs.snapshot();
        } finally {
            lock.unlock();
        }
        if (cs.closeQueued() || code == CloseCodes.NORMAL || code == CloseCodes.GOING_AWAY) {
            // Closes the server starts are logged where they start.
            LOG.log(Level.DEBUG, () -> "Session " + cs.sessionId + " closed: " + code + " " + phrase);
        } else {
            LOG.log(Level.INFO, () -> "ALOSRV-5013 Session " + cs.sessionId + " of user '" + snapshot.userId()
                    + "' closed by the peer or the network: " + code + " " + phrase);
        }
        fx.run();
    }

    /** Marks a session closed, removes it from its channel and the registry; call with the lock held. */
    private void finish(ClientSession cs, int code, String phrase, Effects fx) {
        cs.markClosed();
        cs.closeCode = code;
        SessionInfo.Phase was = cs.phase;
        cs.phase = SessionInfo.Phase.CLOSED;
        SessionInfo snapshot = cs.snapshot();
        if (cs.participant != null) {
            String reason = cs.leftReason != null ? cs.leftReason
                    : code == CloseCodes.ABNORMAL ? "lost" : "closed";
            removeFromChannel(cs, reason, fx);
        }
        if (cs.registered) {
            sessions.remove(cs.sessionId);
        }
        LOG.log(Level.TRACE, () -> cs.sessionId + " " + was + " -> CLOSED");
        fx.event(l -> l.onSessionClosed(snapshot, code, phrase == null ? "" : phrase));
    }

    // ---------------------------------------------------------------- protocol

    private void hello(ClientSession cs, Hello hello) {
        Effects fx = new Effects();
        boolean welcomed = false;
        int refusedCode = 0;
        String refusedReason = "";
        List<String> replaced = new ArrayList<>();
        lock.lock();
        try {
            if (!cs.closed && !cs.closeQueued()) {
                if (cs.phase != SessionInfo.Phase.AWAITING_HELLO || !cs.registered) {
                    refusedCode = CloseCodes.PROTOCOL_ERROR;
                    refusedReason = "Unexpected second hello";
                } else if (hello.protocol() != ProtocolVersion.CURRENT) {
                    refusedCode = CloseCodes.UNSUPPORTED_PROTOCOL;
                    refusedReason = "Unsupported protocol version " + hello.protocol();
                } else if (!hello.user().id().equals(cs.userId)) {
                    refusedCode = CloseCodes.FORBIDDEN;
                    refusedReason = "The user id does not match the token";
                } else if (shuttingDown) {
                    refusedCode = CloseCodes.GOING_AWAY;
                    refusedReason = "Server shutting down";
                } else {
                    String deviceId = hello.user().deviceId();
                    if (!deviceId.isEmpty()) {
                        for (ClientSession other : sessions.values()) {
                            if (other != cs && other.phase == SessionInfo.Phase.ACTIVE && !other.closeQueued()
                                    && other.userId.equals(cs.userId) && deviceId.equals(other.user.deviceId())) {
                                other.leftReason = "replaced";
                                fx.send(other, new End("replaced", "Replaced by a newer session on the same device"));
                                fx.close(other, CloseCodes.DUPLICATE_SESSION, "Replaced by a newer session");
                                replaced.add(other.sessionId);
                            }
                        }
                    }
                    cs.user = hello.user();
                    cs.heartbeat = settings.clamp(hello.heartbeat());
                    cs.phase = SessionInfo.Phase.ACTIVE;
                    fx.send(cs, new Welcome(ProtocolVersion.CURRENT, cs.sessionId, cs.heartbeat,
                            settings.serverName()));
                    SessionInfo snapshot = cs.snapshot();
                    fx.event(l -> l.onSessionWelcomed(snapshot));
                    welcomed = true;
                }
                if (refusedCode != 0) {
                    fx.close(cs, refusedCode, refusedReason);
                }
            }
        } finally {
            lock.unlock();
        }
        if (welcomed) {
            cs.cancelHelloTimer();
            scheduleWatchdog(cs, cs.heartbeat.timeoutMs());
            for (String old : replaced) {
                LOG.log(Level.INFO, () -> "ALOSRV-5014 Session " + old + " replaced by " + cs.sessionId
                        + " (same user and device)");
            }
            LOG.log(Level.DEBUG, () -> "Session " + cs.sessionId + " welcomed, heartbeat " + cs.heartbeat);
        } else if (refusedCode != 0) {
            String reason = refusedReason;
            int code = refusedCode;
            LOG.log(Level.INFO, () -> "ALOSRV-5012 Session " + cs.sessionId + " refused at hello: " + reason + " ("
                    + code + ")");
        }
        fx.run();
    }

    /** Runs {@code action} under the lock if the session said hello; else closes it with 1002. */
    private void whenActive(ClientSession cs, Consumer<Effects> action) {
        Effects fx = new Effects();
        boolean violation = false;
        lock.lock();
        try {
            if (!cs.closed && !cs.closeQueued()) {
                if (cs.phase == SessionInfo.Phase.ACTIVE) {
                    action.accept(fx);
                } else {
                    fx.close(cs, CloseCodes.PROTOCOL_ERROR, "Expected hello first");
                    violation = true;
                }
            }
        } finally {
            lock.unlock();
        }
        if (violation) {
            LOG.log(Level.INFO, () -> "ALOSRV-5032 Session " + cs.sessionId + " closed: "
                    + CloseCodes.PROTOCOL_ERROR + " message before hello");
        }
        fx.run();
    }

    private void join(ClientSession cs, ChannelInfo channel, Effects fx) {
        if (channel.id().length() > MAX_CHANNEL_ID_LENGTH) {
            fx.send(cs, new ErrorMessage("join.rejected", "The channel id is longer than " + MAX_CHANNEL_ID_LENGTH
                    + " characters", Join.TYPE));
            return;
        }
        if (shuttingDown) {
            fx.send(cs, new ErrorMessage("join.rejected", "The server is shutting down", Join.TYPE));
            return;
        }
        if (cs.participant != null) {
            removeFromChannel(cs, "left", fx);
        }
        ParticipantInfo participant = new ParticipantInfo("p-" + randomId(), cs.userId, cs.user.name(), true);
        Map<String, ClientSession> members = channels.computeIfAbsent(channel.id(), k -> new LinkedHashMap<>());
        String announcement = codec.encode(new ParticipantJoined(channel.id(), participant));
        for (ClientSession other : members.values()) {
            fx.sendText(other, announcement);
        }
        members.put(participant.connectionId(), cs);
        cs.channelId = channel.id();
        cs.participant = participant;
        List<ParticipantInfo> list = new ArrayList<>(members.size());
        for (ClientSession member : members.values()) {
            list.add(member.participant);
        }
        fx.send(cs, new Joined(channel, participant.connectionId(), list));
        fx.event(l -> l.onParticipantJoined(channel.id(), participant));
        LOG.log(Level.DEBUG, () -> "Session " + cs.sessionId + " joined " + channel.id() + " as "
                + participant.connectionId());
    }

    private void leave(ClientSession cs, String channelId, Effects fx) {
        if (cs.participant == null || !cs.channelId.equals(channelId)) {
            fx.send(cs, new ErrorMessage("leave.rejected", "Not in that channel", Leave.TYPE));
            return;
        }
        removeFromChannel(cs, "left", fx);
        fx.send(cs, new Left(channelId));
    }

    /** Removes a session from its channel and tells the others; call with the lock held. */
    private void removeFromChannel(ClientSession cs, String reason, Effects fx) {
        String channelId = cs.channelId;
        ParticipantInfo participant = cs.participant;
        cs.channelId = "";
        cs.participant = null;
        Map<String, ClientSession> members = channels.get(channelId);
        if (members == null || members.remove(participant.connectionId()) == null) {
            return;
        }
        if (members.isEmpty()) {
            channels.remove(channelId);
        } else if (!shuttingDown) {
            String announcement = codec.encode(new ParticipantLeft(channelId, participant, reason));
            for (ClientSession other : members.values()) {
                fx.sendText(other, announcement);
            }
        }
        fx.event(l -> l.onParticipantLeft(channelId, participant, reason));
        LOG.log(Level.DEBUG, () -> "Session " + cs.sessionId + " left " + channelId + ": " + reason);
    }

    private void message(ClientSession cs, String type) {
        if (listeners.isEmpty()) {
            return;
        }
        SessionInfo snapshot;
        lock.lock();
        try {
            snapshot = cs.snapshot();
        } finally {
            lock.unlock();
        }
        fireEvent(l -> l.onMessage(snapshot, type));
    }

    private void protocolClose(ClientSession cs, int code, String reason) {
        Effects fx = new Effects();
        lock.lock();
        try {
            if (!cs.closed) {
                fx.close(cs, code, reason);
            }
        } finally {
            lock.unlock();
        }
        LOG.log(Level.INFO, () -> "ALOSRV-5032 Session " + cs.sessionId + " closed: " + code + " " + reason);
        fx.run();
    }

    private boolean isJoinWithBlankChannelId(String text) {
        try (JsonReader reader = json.createReader(new StringReader(text))) {
            JsonValue value = reader.readValue();
            if (value.getValueType() != JsonValue.ValueType.OBJECT) {
                return false;
            }
            JsonObject object = value.asJsonObject();
            if (!(object.get("type") instanceof JsonString type) || !Join.TYPE.equals(type.getString())
                    || !(object.get("channel") instanceof JsonObject channel)) {
                return false;
            }
            return channel.get("id") instanceof JsonString id && id.getString().isBlank();
        } catch (JsonException | IllegalStateException e) {
            return false;
        }
    }

    // ---------------------------------------------------------------- timers

    private void helloTimeout(ClientSession cs) {
        Effects fx = new Effects();
        boolean timedOut = false;
        lock.lock();
        try {
            if (!cs.closed && !cs.closeQueued() && cs.phase == SessionInfo.Phase.AWAITING_HELLO) {
                fx.close(cs, CloseCodes.HELLO_TIMEOUT, "No hello within " + settings.helloTimeoutMs() + " ms");
                timedOut = true;
            }
        } finally {
            lock.unlock();
        }
        if (timedOut) {
            LOG.log(Level.INFO, () -> "ALOSRV-5031 Session " + cs.sessionId + ": no hello within "
                    + settings.helloTimeoutMs() + " ms");
        }
        fx.run();
    }

    private void scheduleWatchdog(ClientSession cs, long delayMs) {
        try {
            cs.watchdog(scheduler.schedule(() -> checkHeartbeat(cs), Math.max(1, delayMs), TimeUnit.MILLISECONDS));
        } catch (RejectedExecutionException e) {
            // The server is stopping.
        }
    }

    private void checkHeartbeat(ClientSession cs) {
        if (cs.closed) {
            return;
        }
        long timeoutNanos = TimeUnit.MILLISECONDS.toNanos(cs.heartbeat.timeoutMs());
        long silentNanos = System.nanoTime() - cs.lastReceivedNanos;
        if (silentNanos < timeoutNanos) {
            scheduleWatchdog(cs, TimeUnit.NANOSECONDS.toMillis(timeoutNanos - silentNanos) + 1);
            return;
        }
        Effects fx = new Effects();
        boolean dropped = false;
        lock.lock();
        try {
            if (!cs.closed && !cs.closeQueued()) {
                cs.leftReason = "lost";
                fx.close(cs, CloseCodes.HEARTBEAT_TIMEOUT, "Heartbeat timeout");
                dropped = true;
            }
        } finally {
            lock.unlock();
        }
        if (dropped) {
            LOG.log(Level.INFO, () -> "ALOSRV-5030 Session " + cs.sessionId + ": nothing received for "
                    + TimeUnit.NANOSECONDS.toMillis(silentNanos) + " ms, dropped with 4008");
        }
        fx.run();
    }

    // ---------------------------------------------------------------- operations

    /**
     * Finds a live session by session id, else the newest live session of a user id; call with the lock held.
     */
    private ClientSession find(String sessionIdOrUserId) {
        ClientSession byId = sessions.get(sessionIdOrUserId);
        if (byId != null) {
            return byId;
        }
        ClientSession newest = null;
        for (ClientSession cs : sessions.values()) {
            if (cs.userId.equals(sessionIdOrUserId) && (newest == null || cs.seq > newest.seq)) {
                newest = cs;
            }
        }
        return newest;
    }

    boolean endSession(String sessionIdOrUserId, String reason, String message, int closeCode) {
        Effects fx = new Effects();
        ClientSession target;
        lock.lock();
        try {
            target = find(sessionIdOrUserId);
            if (target == null || target.closeQueued()) {
                return false;
            }
            target.leftReason = "kicked".equals(reason) || "replaced".equals(reason) ? reason : "closed";
            fx.send(target, new End(reason, message));
            fx.close(target, closeCode, message.isEmpty() ? reason : message);
        } finally {
            lock.unlock();
        }
        String id = target.sessionId;
        LOG.log(Level.INFO, () -> "ALOSRV-5033 Session " + id + " ended by the server: " + reason + " (" + closeCode
                + ")");
        fx.run();
        return true;
    }

    boolean sendRaw(String sessionIdOrUserId, String text) {
        Effects fx = new Effects();
        lock.lock();
        try {
            ClientSession target = find(sessionIdOrUserId);
            if (target == null || target.closeQueued()) {
                return false;
            }
            fx.sendText(target, text);
        } finally {
            lock.unlock();
        }
        fx.run();
        return true;
    }

    /** The relay connection of a session, or -1 (unknown session, or no relay). */
    long relayIdOf(String sessionIdOrUserId) {
        lock.lock();
        try {
            ClientSession target = find(sessionIdOrUserId);
            return target == null ? -1 : target.relayId;
        } finally {
            lock.unlock();
        }
    }

    List<SessionInfo> sessions() {
        lock.lock();
        try {
            List<SessionInfo> list = new ArrayList<>(sessions.size());
            for (ClientSession cs : sessions.values()) {
                list.add(cs.snapshot());
            }
            return List.copyOf(list);
        } finally {
            lock.unlock();
        }
    }

    List<ParticipantInfo> participants(String channelId) {
        lock.lock();
        try {
            Map<String, ClientSession> members = channels.get(channelId);
            if (members == null) {
                return List.of();
            }
            List<ParticipantInfo> list = new ArrayList<>(members.size());
            for (ClientSession cs : members.values()) {
                list.add(cs.participant);
            }
            return List.copyOf(list);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Starts a graceful shutdown: refuses new sessions and joins, sends {@code end} {@code shutdown} and close 1001 to
     * every session. Other participants are not told about each other's departure.
     *
     * @return the number of sessions told
     */
    int shutdown() {
        Effects fx = new Effects();
        int count = 0;
        lock.lock();
        try {
            shuttingDown = true;
            for (ClientSession cs : sessions.values()) {
                if (!cs.closeQueued()) {
                    cs.leftReason = "shutdown";
                    fx.send(cs, new End("shutdown", "The server is shutting down"));
                    fx.close(cs, CloseCodes.GOING_AWAY, "Server shutdown");
                    count++;
                }
            }
        } finally {
            lock.unlock();
        }
        fx.run();
        return count;
    }

    /** Refuses new sessions without telling the existing ones (used by {@code kill()}). */
    void refuseNewSessions() {
        lock.lock();
        try {
            shuttingDown = true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Forgets every session still registered, reporting it closed with {@code code}; used once the transport is gone.
     *
     * @param code   the close code to report
     * @param phrase the reason to report
     */
    void forgetAll(int code, String phrase) {
        Effects fx = new Effects();
        lock.lock();
        try {
            shuttingDown = true;
            for (ClientSession cs : new ArrayList<>(sessions.values())) {
                if (cs.leftReason == null) {
                    cs.leftReason = "lost";
                }
                finish(cs, code, phrase, fx);
            }
            sessions.clear();
            channels.clear();
        } finally {
            lock.unlock();
        }
        fx.runEventsOnly();
    }

    // ---------------------------------------------------------------- helpers

    private String randomId() {
        byte[] bytes = new byte[8];
        random.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    private void fireEvent(Consumer<ServerListener> event) {
        for (ServerListener listener : listeners) {
            try {
                event.accept(listener);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "ALOSRV-5050 A ServerListener threw; ignored", e);
            }
        }
    }

    /** Work collected under the lock, to run after it is released. */
    private final class Effects {

        private final Set<ClientSession> toDrain = new LinkedHashSet<>();
        private final List<Consumer<ServerListener>> events = new ArrayList<>();

        void send(ClientSession cs, Message message) {
            sendText(cs, codec.encode(message));
        }

        void sendText(ClientSession cs, String text) {
            cs.enqueue(text);
            toDrain.add(cs);
        }

        void close(ClientSession cs, int code, String reason) {
            if (cs.enqueueClose(code, reason)) {
                toDrain.add(cs);
            }
        }

        void event(Consumer<ServerListener> event) {
            if (!listeners.isEmpty()) {
                events.add(event);
            }
        }

        /** Sends what was queued, then notifies the listeners. Call without the lock. */
        void run() {
            for (ClientSession cs : toDrain) {
                cs.drain();
            }
            runEventsOnly();
        }

        void runEventsOnly() {
            for (Consumer<ServerListener> event : events) {
                fireEvent(event);
            }
        }
    }
}
