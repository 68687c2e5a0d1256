package ai.alo.audio.server;

import ai.alo.audio.protocol.CloseCodes;
import ai.alo.audio.protocol.End;
import ai.alo.audio.protocol.Message;
import ai.alo.audio.protocol.MessageCodec;
import ai.alo.audio.protocol.ProtocolException;
import jakarta.websocket.Session;
import java.lang.System.Logger.Level;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The life of a session, from the socket's open to its close: checks the token when the socket opens, decodes each
 * message and hands it to its {@link MessageHandler} (after the phase check), ends sessions on protocol errors,
 * timeouts, failed sends and oversized frames, and carries out the operator actions of {@link AloAudioServer}
 * ({@code endSession}, {@code sendRaw}, stop and kill). The state it works on lives in the {@link SessionRegistry} and
 * the {@link ChannelRegistry}, under the {@link StateLock}; the timers in the {@link HeartbeatWatchdog}. Thread-safe.
 */
final class SessionService implements HeartbeatWatchdog.Expiry, ClientSession.SendFailureHandler {

    private static final System.Logger LOG = System.getLogger(AloAudioServer.class.getPackageName());

    /** How long a connection may take to go after the server closed its session (a peer that does not read). */
    static final long CLOSE_GRACE_MS = 5_000;

    private final ServerSettings settings;
    private final MessageCodec codec;
    private final TokenVerifier verifier;
    private final ScheduledExecutorService scheduler;
    private final Listeners listeners = new Listeners();
    private final StateLock lock = new StateLock(listeners);
    private final SessionRegistry registry = new SessionRegistry();
    private final ChannelRegistry channels;
    private final HeartbeatWatchdog watchdog;
    private final MessageHandlers handlers;
    private final MediaSessions media;
    private final RandomIds ids = new RandomIds();
    private final AtomicLong sequence = new AtomicLong();
    private final ResumeStore resumable;

    SessionService(ServerSettings settings, MessageCodec codec, TokenVerifier verifier,
                   ScheduledExecutorService scheduler, MediaRelay relay) {
        this.settings = settings;
        this.codec = codec;
        this.verifier = verifier;
        this.scheduler = scheduler;
        this.channels = new ChannelRegistry(codec, new RosterPager(codec, settings.rosterPageBytes()), ids);
        this.watchdog = new HeartbeatWatchdog(scheduler, settings.helloTimeoutMs(), this);
        this.media = new MediaSessions(lock, relay, codec);
        this.resumable = new ResumeStore(settings.resumeWindowMs(), settings.resumeRecordLimit(), scheduler, lock);
        // The one table of incoming message types: adding a client message is one record and one handler here.
        this.handlers = new MessageHandlers(List.of(
                new HelloHandler(lock, registry, settings, codec, watchdog, media, resumable, ids, this::endStale),
                new JoinHandler(lock, registry, channels, codec, media),
                new LeaveHandler(lock, channels, codec, media),
                new MediaOfferHandler(lock, media, codec),
                new PingHandler(codec),
                new PongHandler()));
    }

    void addListener(ServerListener listener) {
        listeners.add(listener);
    }

    void removeListener(ServerListener listener) {
        listeners.remove(listener);
    }

    // ---------------------------------------------------------------- socket events

    /** Creates the state of a socket that just opened; nothing is checked or registered yet. */
    ClientSession create(Session ws, long relayId, ClientConnection connection) {
        return new ClientSession(sequence.incrementAndGet(), ids.next("s-"), ws, relayId, connection, Instant.now(),
                settings.sendQueueLimit(), this);
    }

    /**
     * The socket opened: checks the token (the {@code Authorization} header, else a {@code bearer.<token>}
     * subprotocol) before anything else, then waits for {@code hello}.
     */
    void opened(ClientSession session, String authorization, List<String> subprotocols) {
        session.ws.setMaxTextMessageBufferSize(settings.maxMessageSize());
        session.ws.setMaxBinaryMessageBufferSize(settings.maxMessageSize());
        TokenVerifier.Verdict verdict = verifier.verify(authorization, subprotocols);
        boolean accepted = lock.apply(fx -> {
            if (!registry.acceptsSessions()) {
                fx.close(session, CloseCodes.GOING_AWAY, "Server shutting down");
                return false;
            }
            if (!verdict.accepted()) {
                fx.close(session, verdict.closeCode(), verdict.reason());
                fx.after(() -> LOG.log(Level.INFO, () -> "ALOSRV-5011 Connection " + session.sessionId + " from "
                        + addressOf(session) + " rejected: " + verdict.reason() + " (" + verdict.closeCode() + ")"));
                return false;
            }
            session.userId = verdict.userId();
            session.allowedChannels = verdict.channels();
            registry.add(session);
            SessionInfo snapshot = session.snapshot();
            fx.event(l -> l.onSessionOpened(snapshot));
            return true;
        });
        if (accepted) {
            watchdog.armHello(session);
            LOG.log(Level.DEBUG, () -> "Session " + session.sessionId + " of user " + verdict.userId() + " opened");
        }
    }

    /** A text message arrived: size check, decode, phase check, then its handler. */
    void text(ClientSession session, String text) {
        if (session.closed || session.closeQueued()) {
            return;
        }
        session.lastReceivedNanos = System.nanoTime();
        if (Reasons.utf8LongerThan(text, settings.maxMessageSize())) {
            protocolClose(session, CloseCodes.TOO_BIG, "Message too big (limit " + settings.maxMessageSize()
                    + " bytes)");
            return;
        }
        MessageCodec.Decoded decoded;
        try {
            decoded = codec.decode(text, handlers.types(), settings.maxMessageSize());
        } catch (ProtocolException e) {
            protocolClose(session, e.closeCode(), e.getMessage());
            return;
        }
        message(session, decoded.type());
        Message message = decoded.message();
        boolean allowedNow = session.phase == SessionInfo.Phase.ACTIVE
                || message != null && handlers.handlerOf(message).beforeWelcome();
        if (!allowedNow) {
            protocolClose(session, CloseCodes.PROTOCOL_ERROR, "Expected hello first, got '" + decoded.type() + "'");
        } else if (message == null) {
            LOG.log(Level.DEBUG, () -> "Ignored a message of unknown type '" + decoded.type() + "' from "
                    + session.sessionId);
        } else {
            handlers.handlerOf(message).handle(session, message);
        }
    }

    /** A binary frame arrived: reserved, a protocol error in version 2. */
    void binary(ClientSession session) {
        protocolClose(session, CloseCodes.PROTOCOL_ERROR, "Binary frames are not supported");
    }

    /** The socket closed, whoever closed it (Tyrus calls this synchronously for a close the server starts). */
    void closed(ClientSession session, int code, String phrase) {
        lock.run(fx -> {
            if (session.closed) {
                return;
            }
            boolean byServer = session.closeQueued();
            // a close frame of the client's own other than 1000/1001 (or none at all: 1006) is no goodbye
            boolean lost = session.dropped
                    || !byServer && code != CloseCodes.NORMAL && code != CloseCodes.GOING_AWAY;
            SessionInfo snapshot = finish(session, code, phrase, lost, fx);
            if (byServer || code == CloseCodes.NORMAL || code == CloseCodes.GOING_AWAY) {
                // Closes the server starts are logged where they start.
                LOG.log(Level.DEBUG, () -> "Session " + session.sessionId + " closed: " + code + " " + phrase);
            } else {
                fx.after(() -> LOG.log(Level.INFO, () -> "ALOSRV-5013 Session " + session.sessionId + " of user '"
                        + snapshot.userId() + "' closed by the peer or the network: " + code + " " + phrase));
            }
        });
    }

    /**
     * A frame over the size limit was announced: the connection has sent the close frame (1009) itself and no longer
     * passes the client's data on, so the session ends here.
     *
     * @param session  the session
     * @param declared the frame's (or fragmented message's) declared payload size
     * @param reason   the close reason sent
     */
    void frameTooBig(ClientSession session, long declared, String reason) {
        lock.run(fx -> {
            if (session.closed) {
                return;
            }
            finish(session, CloseCodes.TOO_BIG, reason, false, fx);
            fx.after(() -> LOG.log(Level.INFO, () -> "ALOSRV-5034 Session " + session.sessionId + " closed with "
                    + CloseCodes.TOO_BIG + ": a message of " + declared + " bytes exceeds the limit of "
                    + settings.maxMessageSize()));
        });
    }

    /** Sending to a session broke (see {@link ClientSession}); ended on the scheduler thread, not the caller's. */
    @Override
    public void sendFailed(ClientSession session, String why) {
        try {
            scheduler.execute(() -> endBroken(session, why));
        } catch (RejectedExecutionException e) {
            session.abort();
        }
    }

    private void endBroken(ClientSession session, String why) {
        lock.run(fx -> {
            if (session.closed) {
                return;
            }
            session.leftReason = "lost";
            session.dropped = true;
            finish(session, CloseCodes.ABNORMAL, "Send failed", true, fx);
            fx.after(() -> LOG.log(Level.WARNING, () -> "ALOSRV-5035 Session " + session.sessionId + " of user '"
                    + session.userId + "': " + why + "; connection closed, the others are told it was lost"));
            fx.after(session::abort);
        });
    }

    /** A resume names a live session whose connection is dead: it ends as lost, resumable; under the state lock. */
    private void endStale(ClientSession stale, Effects fx) {
        stale.leftReason = "lost";
        stale.dropped = true;
        finish(stale, CloseCodes.ABNORMAL, "Resumed on a new connection", true, fx);
        fx.after(() -> LOG.log(Level.DEBUG, () -> "Session " + stale.sessionId
                + ": its connection was replaced by a resume; the old one is reset"));
        fx.after(stale::abort);
    }

    @Override
    public void helloTimedOut(ClientSession session) {
        lock.run(fx -> {
            if (!session.closed && !session.closeQueued() && session.phase == SessionInfo.Phase.AWAITING_HELLO) {
                fx.close(session, CloseCodes.HELLO_TIMEOUT, "No hello within " + settings.helloTimeoutMs() + " ms");
                fx.after(() -> LOG.log(Level.INFO, () -> "ALOSRV-5031 Session " + session.sessionId
                        + ": no hello within " + settings.helloTimeoutMs() + " ms"));
            }
        });
    }

    @Override
    public void heartbeatTimedOut(ClientSession session, long silentMillis) {
        lock.run(fx -> {
            if (!session.closed && !session.closeQueued()) {
                session.leftReason = "lost";
                session.dropped = true;
                media.end(session, fx, null);
                fx.close(session, CloseCodes.HEARTBEAT_TIMEOUT, "Heartbeat timeout");
                fx.after(() -> LOG.log(Level.INFO, () -> "ALOSRV-5030 Session " + session.sessionId
                        + ": nothing received for " + silentMillis + " ms, dropped with 4008"));
            }
        });
    }

    /**
     * Marks a session closed, removes it from its channel (telling the others unless the server is stopping) and the
     * registry; call under the state lock. A welcomed session with a resume secret that ended without a goodbye
     * ({@code lost}) while the server runs stays resumable ({@link ResumeStore}).
     *
     * @return the snapshot reported to the listeners
     */
    private SessionInfo finish(ClientSession session, int code, String phrase, boolean lost, Effects fx) {
        boolean wasActive = session.phase == SessionInfo.Phase.ACTIVE;
        session.markClosed();
        if (lost && wasActive && session.resumeSecretHash != null && registry.acceptsSessions()
                && (session.leftReason == null || "lost".equals(session.leftReason))) {
            // before the channel leave below: the record keeps the channel and connection id
            resumable.add(session);
            String id = session.sessionId;
            fx.after(() -> LOG.log(Level.DEBUG, () -> "Session " + id + " resumable"));
        }
        session.resumeSecretHash = null;
        session.phase = SessionInfo.Phase.CLOSED;
        SessionInfo snapshot = session.snapshot();
        // the peer is closed and out of the mixer before the others hear of the departure and the socket closes
        media.end(session, fx, null);
        if (session.member != null) {
            String reason = session.leftReason != null ? session.leftReason
                    : code == CloseCodes.ABNORMAL ? "lost" : "closed";
            channels.leave(session, reason, registry.acceptsSessions(), fx);
        }
        registry.remove(session);
        fx.event(l -> l.onSessionClosed(snapshot, code, phrase == null ? "" : phrase));
        fx.after(() -> {
            if (session.connection != null) {
                session.connection.closeWithin(CLOSE_GRACE_MS);
            }
        });
        return snapshot;
    }

    private void protocolClose(ClientSession session, int code, String reason) {
        lock.run(fx -> {
            if (!session.closed && !session.closeQueued()) {
                media.end(session, fx, null);
                fx.close(session, code, reason);
                fx.after(() -> LOG.log(Level.INFO, () -> "ALOSRV-5032 Session " + session.sessionId + " closed: "
                        + code + " " + reason));
            }
        });
    }

    private void message(ClientSession session, String type) {
        if (listeners.isEmpty()) {
            return;
        }
        SessionInfo snapshot = lock.read(session::snapshot);
        listeners.fire(l -> l.onMessage(snapshot, type));
    }

    private static String addressOf(ClientSession session) {
        return session.connection == null ? "an unknown address" : session.connection.address();
    }

    // ---------------------------------------------------------------- operations

    boolean endSession(String sessionIdOrUserId, String reason, String message, int closeCode) {
        return lock.apply(fx -> {
            ClientSession target = registry.find(sessionIdOrUserId);
            if (target == null || target.closeQueued()) {
                return false;
            }
            target.leftReason = "kicked".equals(reason) || "replaced".equals(reason) ? reason : "closed";
            // its audio stops before it is told: out of the mixer, peer closed, then end and the close frame
            media.end(target, fx, null);
            fx.send(target, codec.encode(new End(reason, message)));
            fx.close(target, closeCode, message.isEmpty() ? reason : message);
            fx.after(() -> LOG.log(Level.INFO, () -> "ALOSRV-5033 Session " + target.sessionId
                    + " ended by the server: " + reason + " (" + closeCode + ")"));
            return true;
        });
    }

    boolean sendRaw(String sessionIdOrUserId, String text) {
        return lock.apply(fx -> {
            ClientSession target = registry.find(sessionIdOrUserId);
            if (target == null || target.closeQueued()) {
                return false;
            }
            fx.send(target, text);
            return true;
        });
    }

    /** The relay connection of a session, or -1 (unknown session, or no relay). */
    long relayIdOf(String sessionIdOrUserId) {
        return lock.read(() -> {
            ClientSession target = registry.find(sessionIdOrUserId);
            return target == null ? -1L : target.relayId;
        });
    }

    /** The number of sessions held resumable. */
    int resumableCount() {
        return lock.read(resumable::size);
    }

    List<SessionInfo> sessions() {
        return lock.read(registry::snapshots);
    }

    List<ChannelMember> participants(String channelId) {
        return lock.read(() -> channels.members(channelId));
    }

    /**
     * Starts a graceful shutdown: refuses new sessions and joins, sends {@code end} {@code shutdown} and close 1001 to
     * every session. Other participants are not told about each other's departure.
     *
     * @return the number of sessions told
     */
    int shutdown() {
        return lock.apply(fx -> {
            registry.closeForNewSessions();
            int count = 0;
            for (ClientSession session : registry.all()) {
                if (!session.closeQueued()) {
                    session.leftReason = "shutdown";
                    media.end(session, fx, null);
                    fx.send(session, codec.encode(new End("shutdown", "The server is shutting down")));
                    fx.close(session, CloseCodes.GOING_AWAY, "Server shutdown");
                    count++;
                }
            }
            return count;
        });
    }

    /** Refuses new sessions without telling the existing ones (used by {@code kill()}). */
    void refuseNewSessions() {
        lock.run(fx -> registry.closeForNewSessions());
    }

    /**
     * Forgets every session still registered, reporting it closed with {@code code}; used once the transport is gone.
     *
     * @param code   the close code to report
     * @param phrase the reason to report
     */
    void forgetAll(int code, String phrase) {
        lock.run(fx -> {
            registry.closeForNewSessions();
            for (ClientSession session : registry.all()) {
                if (session.leftReason == null) {
                    session.leftReason = "lost";
                }
                finish(session, code, phrase, false, fx);
            }
            registry.clear();
            channels.clear();
            resumable.clear();
        });
    }
}
