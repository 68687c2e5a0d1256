package ai.alo.audio.server;

import ai.alo.audio.protocol.CloseCodes;
import ai.alo.audio.protocol.End;
import ai.alo.audio.protocol.HeartbeatInfo;
import ai.alo.audio.protocol.Hello;
import ai.alo.audio.protocol.MessageCodec;
import ai.alo.audio.protocol.ProtocolVersion;
import ai.alo.audio.protocol.UserInfo;
import ai.alo.audio.protocol.Welcome;
import java.lang.System.Logger.Level;
import java.util.List;

/**
 * {@code hello}: negotiates the protocol version and the capabilities, checks the user against the token, caps the
 * names, clamps the heartbeat, replaces an older session of the same user and device, and answers {@code welcome}.
 * Refusals close the session: a second {@code hello} or an id over 128 characters with 1002, no common version with
 * 4005 (the reason names both ranges), another user than the token's with 4004.
 */
final class HelloHandler implements MessageHandler<Hello> {

    private static final System.Logger LOG = System.getLogger(AloAudioServer.class.getPackageName());

    private final StateLock lock;
    private final SessionRegistry sessions;
    private final ServerSettings settings;
    private final MessageCodec codec;
    private final HeartbeatWatchdog watchdog;
    private final MediaSessions media;

    HelloHandler(StateLock lock, SessionRegistry sessions, ServerSettings settings, MessageCodec codec,
                 HeartbeatWatchdog watchdog, MediaSessions media) {
        this.lock = lock;
        this.sessions = sessions;
        this.settings = settings;
        this.codec = codec;
        this.watchdog = watchdog;
        this.media = media;
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
            session.user = new UserInfo(sent.id(), Names.displayName(sent.name()), sent.deviceId());
            session.heartbeat = heartbeat;
            session.protocol = version;
            session.capabilities = capabilities;
            session.phase = SessionInfo.Phase.ACTIVE;
            if (!sent.deviceId().isEmpty()) {
                replaceOlder(session, sessions.claimDevice(session), fx);
            }
            fx.send(session, codec.encode(new Welcome(version, session.sessionId, heartbeat, settings.serverName(),
                    capabilities)));
            SessionInfo snapshot = session.snapshot();
            fx.event(l -> l.onSessionWelcomed(snapshot));
            return true;
        });
        if (welcomed) {
            watchdog.armHeartbeat(session);
            LOG.log(Level.DEBUG, () -> "Session " + session.sessionId + " welcomed: protocol " + version
                    + ", heartbeat " + heartbeat + ", capabilities " + capabilities);
        }
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
