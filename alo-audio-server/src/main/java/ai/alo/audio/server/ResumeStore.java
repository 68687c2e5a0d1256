package ai.alo.audio.server;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The sessions that ended without a goodbye and may still be resumed (capability {@code session.resume}): one small
 * record per session, kept for the resume window, used at most once. A record holds the SHA-256 of the session's
 * resume secret (never the secret), compared in constant time.
 *
 * <p>Bounded: at most {@code limit} records; adding one more forgets the oldest. Records expire on the server's one
 * scheduler thread: at most one sweep is pending at any time, due when the oldest record expires (every record has
 * the same window, so insertion order is expiry order). {@link #clear()} forgets everything and cancels the sweep.
 *
 * <p>Guarded by the {@link StateLock}: call every method with it held (the sweep takes it itself).
 */
final class ResumeStore {

    /**
     * What a resumed session gets back.
     *
     * @param sessionId    the session id
     * @param channelId    the channel it was in, or empty
     * @param connectionId its connection id in that channel, or empty
     */
    record Resumed(String sessionId, String channelId, String connectionId) {
    }

    private record Entry(String sessionId, byte[] secretHash, String userId, String deviceId, String channelId,
                         String connectionId, long expiresAtNanos) {
    }

    private final Map<String, Entry> bySessionId = new LinkedHashMap<>();
    private final long windowNanos;
    private final int limit;
    private final ScheduledExecutorService scheduler;
    private final StateLock lock;
    private ScheduledFuture<?> sweep;
    private boolean closed;

    ResumeStore(long windowMillis, int limit, ScheduledExecutorService scheduler, StateLock lock) {
        this.windowNanos = TimeUnit.MILLISECONDS.toNanos(windowMillis);
        this.limit = limit;
        this.scheduler = scheduler;
        this.lock = lock;
    }

    /** The SHA-256 of a resume secret, as kept on the live session and in the record. */
    static byte[] hash(String secret) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /**
     * Keeps a session resumable for the window; the oldest record goes when the store is full.
     *
     * @param session a welcomed session with a resume secret that just ended without a goodbye; its channel fields
     *                must still be set
     */
    void add(ClientSession session) {
        if (closed || session.resumeSecretHash == null || session.user == null) {
            return;
        }
        String channelId = session.member == null ? "" : session.member.channelId();
        String connectionId = session.member == null ? "" : session.member.participant().connectionId();
        bySessionId.remove(session.sessionId);
        while (bySessionId.size() >= limit) {
            Iterator<Entry> oldest = bySessionId.values().iterator();
            oldest.next();
            oldest.remove();
        }
        Entry entry = new Entry(session.sessionId, session.resumeSecretHash, session.userId,
                session.user.deviceId(), channelId, connectionId, System.nanoTime() + windowNanos);
        bySessionId.put(entry.sessionId(), entry);
        if (sweep == null) {
            scheduleSweep(windowNanos);
        }
    }

    /**
     * Takes the record of a session if everything matches and the window has not passed: the record is used up.
     * On a mismatch the record stays (for its rightful owner) and nothing tells which part did not match.
     *
     * @param sessionId the session id the client names
     * @param secret    the secret the client sends
     * @param userId    the user id of the client's token
     * @param deviceId  the device id of the client's {@code hello}
     * @return what the resumed session gets back, or null for a new session
     */
    Resumed take(String sessionId, String secret, String userId, String deviceId) {
        Entry entry = bySessionId.get(sessionId);
        if (entry == null) {
            return null;
        }
        if (System.nanoTime() - entry.expiresAtNanos() >= 0) {
            bySessionId.remove(sessionId);
            return null;
        }
        // every check runs, so the time taken does not tell which one failed
        boolean secretMatches = MessageDigest.isEqual(entry.secretHash(), hash(secret));
        boolean userMatches = entry.userId().equals(userId);
        boolean deviceMatches = entry.deviceId().equals(deviceId);
        if (!(secretMatches & userMatches & deviceMatches)) {
            return null;
        }
        bySessionId.remove(sessionId);
        return new Resumed(entry.sessionId(), entry.channelId(), entry.connectionId());
    }

    /** Whether a session id is held by a record (a fresh session must not take it). */
    boolean holds(String sessionId) {
        return bySessionId.containsKey(sessionId);
    }

    /** The number of records held. */
    int size() {
        return bySessionId.size();
    }

    /** Forgets every record, cancels the sweep and refuses new records (the server stops). */
    void clear() {
        closed = true;
        bySessionId.clear();
        if (sweep != null) {
            sweep.cancel(false);
            sweep = null;
        }
    }

    private void scheduleSweep(long delayNanos) {
        try {
            sweep = scheduler.schedule(() -> lock.run(fx -> sweep()), Math.max(1, delayNanos),
                    TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            sweep = null; // the server is stopping; clear() follows
        }
    }

    /** Drops the expired records and schedules the next sweep for the oldest one left; runs under the lock. */
    private void sweep() {
        sweep = null;
        if (closed) {
            return;
        }
        long now = System.nanoTime();
        Iterator<Entry> it = bySessionId.values().iterator();
        while (it.hasNext()) {
            Entry entry = it.next();
            long left = entry.expiresAtNanos() - now;
            if (left > 0) {
                scheduleSweep(left);
                return;
            }
            it.remove();
        }
    }
}
