package ai.alo.audio.server;

import ai.alo.audio.protocol.Capability;
import ai.alo.audio.protocol.CloseCodes;
import ai.alo.audio.protocol.End;
import ai.alo.audio.protocol.HeartbeatInfo;
import ai.alo.audio.protocol.Hello;
import ai.alo.audio.protocol.MessageCodec;
import ai.alo.audio.protocol.ProtocolVersion;
import ai.alo.audio.protocol.ResumeInfo;
import ai.alo.audio.protocol.UserInfo;
import ai.alo.audio.protocol.Welcome;
import java.lang.System.Logger.Level;
import java.security.MessageDigest;
import java.util.List;

/**
 * {@code hello}: negotiates the protocol version and the capabilities, checks the user against the token, caps the
 * names, clamps the heartbeat, replaces an older session of the same user and device, and answers {@code welcome}.
 * Refusals close the session: a second {@code hello} or an id over 128 characters with 1002, no common version with
 * 4005 (the reason names both ranges), another user than the token's with 4004.
 *
 * <p>With capability {@code session.resume} the {@code welcome} carries a fresh resume secret (256 random bits; only
 * its SHA-256 is kept), and a {@code hello} naming a resumable session ({@link ResumeStore}) whose secret, token user
 * and device match takes that session's id ({@code resumed: true}, the record used up); anything else gives a new
 * session ({@code resumed: false}), never an error nor a hint which part did not match.
 */
final class HelloHandler implements MessageHandler<Hello> {

    /** Ends a live session whose connection is dead but not yet noticed, so that a new connection can resume it. */
    interface StaleSessions {

        /**
         * Ends {@code stale} as lost (the others are told {@code "lost"}), keeping it resumable, and resets its
         * connection; call under the state lock.
         */
        void endAsLost(ClientSession stale, Effects fx);
    }

    private static final System.Logger LOG = System.getLogger(AloAudioServer.class.getPackageName());

    private final StateLock lock;
    private final SessionRegistry sessions;
    private final ServerSettings settings;
    private final MessageCodec codec;
    private final HeartbeatWatchdog watchdog;
    private final MediaSessions media;
    private final ResumeStore resumable;
    private final RandomIds ids;
    private final StaleSessions stale;

    HelloHandler(StateLock lock, SessionRegistry sessions, ServerSettings settings, MessageCodec codec,
                 HeartbeatWatchdog watchdog, MediaSessions media, ResumeStore resumable, RandomIds ids,
                 StaleSessions stale) {
        this.lock = lock;
        this.sessions = sessions;
        this.settings = settings;
        this.codec = codec;
        this.watchdog = watchdog;
        this.media = media;
        this.resumable = resumable;
        this.ids = ids;
        this.stale = stale;
    }

    @Override
    public Class<Hello> type() {
        return Hello.class;
    }

    @Override
    public boolean beforeWelcome() {
        return true;
    }

    @Override
    public void handle(ClientSession session, Hello hello) {
        int version = ProtocolVersion.negotiate(hello.minProtocol(), hello.protocol(), ProtocolVersion.MIN,
                ProtocolVersion.MAX);
        UserInfo sent = hello.user();
        HeartbeatInfo heartbeat = settings.clamp(hello.heartbeat());
        List<String> capabilities = settings.enabledCapabilities(hello.capabilities(),
                media.relay().available());
        boolean resumeEnabled = capabilities.contains(Capability.SESSION_RESUME);
        String resumeSecret = resumeEnabled ? ids.secret() : null;
        byte[] resumeSecretHash = resumeEnabled ? ResumeStore.hash(resumeSecret) : null;
        ResumeInfo resume = resumeEnabled ? hello.resume() : null;
        boolean[] resumed = new boolean[1];
        boolean welcomed = lock.apply(fx -> {
            if (session.closed || session.closeQueued()) {
                return false;
            }
            String refusal = null;
            int code = 0;
            if (session.phase != SessionInfo.Phase.AWAITING_HELLO || !session.registered) {
                code = CloseCodes.PROTOCOL_ERROR;
                refusal = "Unexpected second hello";
            } else if (version == 0) {
                code = CloseCodes.UNSUPPORTED_PROTOCOL;
                refusal = "No common protocol version: client " + hello.minProtocol() + ".." + hello.protocol()
                        + ", server " + ProtocolVersion.MIN + ".." + ProtocolVersion.MAX;
            } else if (Names.idTooLong(sent.id())) {
                code = CloseCodes.PROTOCOL_ERROR;
                refusal = "user.id is longer than " + Names.MAX_ID_LENGTH + " characters";
            } else if (Names.idTooLong(sent.deviceId())) {
                code = CloseCodes.PROTOCOL_ERROR;
                refusal = "user.deviceId is longer than " + Names.MAX_ID_LENGTH + " characters";
            } else if (!sent.id().equals(session.userId)) {
                code = CloseCodes.FORBIDDEN;
                refusal = "The user id does not match the token";
            } else if (!sessions.acceptsSessions()) {
                code = CloseCodes.GOING_AWAY;
                refusal = "Server shutting down";
            }
            if (refusal != null) {
                fx.close(session, code, refusal);
                String reason = refusal;
                int closeCode = code;
                fx.after(() -> LOG.log(Level.INFO, () -> "ALOSRV-5012 Session " + session.sessionId
                        + " refused at hello: " + reason + " (" + closeCode + ")"));
                return false;
            }
            if (resume != null) {
                ClientSession live = sessions.byId(resume.sessionId());
                if (live != null && live != session && ownedBy(live, resume, session.userId, sent.deviceId())) {
                    // its connection is dead, the server has not noticed yet (a black hole seen first by the
                    // client): the rightful owner is back, so the old one ends as lost now, resumably
                    stale.endAsLost(live, fx);
                }
                ResumeStore.Resumed earlier = sessions.hasId(resume.sessionId()) ? null
                        : resumable.take(resume.sessionId(), resume.secret(), session.userId, sent.deviceId());
                if (earlier != null) {
                    sessions.rename(session, earlier.sessionId());
                    session.resumedChannelId = earlier.channelId();
                    session.resumedConnectionId = earlier.connectionId();
                    resumed[0] = true;
                }
            }
            session.user = new UserInfo(sent.id(), Names.displayName(sent.name()), sent.deviceId());
            session.heartbeat = heartbeat;
            session.protocol = version;
            session.capabilities = capabilities;
            session.resumeSecretHash = resumeSecretHash;
            session.phase = SessionInfo.Phase.ACTIVE;
            if (!sent.deviceId().isEmpty()) {
                replaceOlder(session, sessions.claimDevice(session), fx);
            }
            fx.send(session, codec.encode(new Welcome(version, session.sessionId, heartbeat, settings.serverName(),
                    capabilities, resumeSecret, resumed[0])));
            SessionInfo snapshot = session.snapshot();
            fx.event(l -> l.onSessionWelcomed(snapshot));
            return true;
        });
        if (welcomed) {
            watchdog.armHeartbeat(session);
            if (resume != null) {
                // the decision and the session id only: never the secret, never which part did not match
                String id = session.sessionId;
                LOG.log(Level.DEBUG, () -> resumed[0] ? "Session " + id + " resumed"
                        : "Session " + id + " is new: the named session could not be resumed");
            }
            LOG.log(Level.DEBUG, () -> "Session " + session.sessionId + " welcomed: protocol " + version
                    + ", heartbeat " + heartbeat + ", capabilities " + capabilities);
        }
    }

    /** Whether a live session is the one a resume names: its secret, its user, its device; under the state lock. */
    private static boolean ownedBy(ClientSession live, ResumeInfo resume, String userId, String deviceId) {
        if (live.closed || live.closeQueued() || live.resumeSecretHash == null || live.user == null) {
            return false;
        }
        boolean secretMatches = MessageDigest.isEqual(live.resumeSecretHash,
                ResumeStore.hash(resume.secret()));
        return secretMatches & live.userId.equals(userId) & live.user.deviceId().equals(deviceId);
    }

    /** Ends the older session of the same user and device; call under the state lock. */
    private void replaceOlder(ClientSession session, ClientSession older, Effects fx) {
        if (older == null || older.closed || older.closeQueued()) {
            return;
        }
        older.leftReason = "replaced";
        media.end(older, fx, null);
        fx.send(older, codec.encode(new End("replaced", "Replaced by a newer session on the same device")));
        fx.close(older, CloseCodes.DUPLICATE_SESSION, "Replaced by a newer session");
        fx.after(() -> LOG.log(Level.INFO, () -> "ALOSRV-5014 Session " + older.sessionId + " replaced by "
                + session.sessionId + " (same user and device)"));
    }
}
