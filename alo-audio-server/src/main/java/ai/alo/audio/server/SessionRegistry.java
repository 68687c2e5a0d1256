package ai.alo.audio.server;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The live sessions of a server (token accepted, not closed): by session id, by user id, and the active session of
 * each user and device, which a newer {@code hello} from the same user and device replaces. Every look-up is O(1) (or
 * O(sessions of that user)); nothing here iterates all sessions except the snapshots and the shutdown.
 *
 * <p>Guarded by the {@link StateLock}: call every method with it held.
 */
final class SessionRegistry {

    private record DeviceKey(String userId, String deviceId) {
    }

    private final Map<String, ClientSession> byId = new LinkedHashMap<>();
    private final Map<String, List<ClientSession>> byUser = new HashMap<>();
    private final Map<DeviceKey, ClientSession> byDevice = new HashMap<>();
    private boolean closedForNewSessions;

    /** Whether new sessions and joins are still accepted (not after a stop or kill began). */
    boolean acceptsSessions() {
        return !closedForNewSessions;
    }

    /** Refuses new sessions and joins from now on. */
    void closeForNewSessions() {
        closedForNewSessions = true;
    }

    /** Registers a session whose token was accepted; its user id is set. */
    void add(ClientSession session) {
        byId.put(session.sessionId, session);
        byUser.computeIfAbsent(session.userId, k -> new ArrayList<>(1)).add(session);
        session.registered = true;
    }

    /**
     * Makes a welcomed session the one of its user and device.
     *
     * @param session a session whose {@code user} is set, with a non-empty device id
     * @return the session it replaces (to be ended by the caller), or null
     */
    ClientSession claimDevice(ClientSession session) {
        ClientSession previous = byDevice.put(new DeviceKey(session.userId, session.user.deviceId()), session);
        return previous == session ? null : previous;
    }

    /** The live session of this id, or null. */
    ClientSession byId(String sessionId) {
        return byId.get(sessionId);
    }

    /** Whether a live session has this id. */
    boolean hasId(String sessionId) {
        return byId.containsKey(sessionId);
    }

    /**
     * Gives a registered session another id (a resumed session takes its earlier one).
     *
     * @param session   a registered session
     * @param sessionId an id no live session has
     */
    void rename(ClientSession session, String sessionId) {
        byId.remove(session.sessionId, session);
        session.sessionId = sessionId;
        byId.put(sessionId, session);
    }

    /** Forgets a session; idempotent. */
    void remove(ClientSession session) {
        if (!session.registered) {
            return;
        }
        session.registered = false;
        byId.remove(session.sessionId, session);
        List<ClientSession> ofUser = byUser.get(session.userId);
        if (ofUser != null) {
            ofUser.remove(session);
            if (ofUser.isEmpty()) {
                byUser.remove(session.userId);
            }
        }
        if (session.user != null && !session.user.deviceId().isEmpty()) {
            byDevice.remove(new DeviceKey(session.userId, session.user.deviceId()), session);
        }
    }

    /** A live session by session id, else the newest live session of a user id, else null. */
    ClientSession find(String sessionIdOrUserId) {
        ClientSession byIdMatch = byId.get(sessionIdOrUserId);
        if (byIdMatch != null) {
            return byIdMatch;
        }
        List<ClientSession> ofUser = byUser.get(sessionIdOrUserId);
        return ofUser == null || ofUser.isEmpty() ? null : ofUser.get(ofUser.size() - 1);
    }

    /** Every live session, oldest first (a copy). */
    List<ClientSession> all() {
        return new ArrayList<>(byId.values());
    }

    /** Snapshots of every live session, oldest first. */
    List<SessionInfo> snapshots() {
        List<SessionInfo> list = new ArrayList<>(byId.size());
        for (ClientSession session : byId.values()) {
            list.add(session.snapshot());
        }
        return List.copyOf(list);
    }

    /** Forgets everything (the transport is gone). */
    void clear() {
        for (ClientSession session : byId.values()) {
            session.registered = false;
        }
        byId.clear();
        byUser.clear();
        byDevice.clear();
    }
}
