package ai.alo.audio.server;

import ai.alo.audio.protocol.CloseCodes;
import ai.alo.audio.protocol.HeartbeatInfo;
import ai.alo.audio.protocol.UserInfo;
import jakarta.websocket.CloseReason;
import jakarta.websocket.SendResult;
import jakarta.websocket.Session;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The server's state of one WebSocket session plus its ordered outbound queue.
 *
 * <p>Fields marked "guarded by the state lock" are only touched while the {@link StateLock} is held. Outbound messages
 * are queued (in the order the state changes happened, because they are queued under that lock) and sent by
 * {@link #drain()}, which is only called without the lock: whoever finds the queue idle sends everything queued with
 * Tyrus's asynchronous send, so no thread ever blocks on a slow peer and per-peer order is kept. A {@link RosterPages}
 * item is encoded there, outside the lock, into its pages, which go out back to back. A queued close ends the queue:
 * later messages are dropped.
 *
 * <p>Sends are counted until Tyrus reports them written: when more than the send queue limit is outstanding (the
 * client stopped reading) or a send fails while the socket still looks open, the session is reported to its
 * {@link SendFailureHandler} once and nothing more is sent to it.
 */
final class ClientSession {

    private static final System.Logger LOG = System.getLogger(AloAudioServer.class.getPackageName());

    /** Told when sending to a session broke; called at most once per session, on any thread, without locks. */
    interface SendFailureHandler {
        void sendFailed(ClientSession session, String why);
    }

    /** A queued close frame. */
    private record CloseItem(int code, String reason) {
    }

    final long seq;
    /** Set at open; a resumed session takes its earlier id at {@code hello} (written under the state lock). */
    volatile String sessionId;
    final Session ws;
    final long relayId;
    final Instant openedAt;
    /** The TCP connection, or null when it could not be found (then aborts fall back to a close frame). */
    final ClientConnection connection;

    // guarded by the state lock
    String userId = "";
    /** The hello's user, its name already capped. */
    UserInfo user;
    /** Written under the state lock; read without it by the message dispatch. */
    volatile SessionInfo.Phase phase = SessionInfo.Phase.AWAITING_HELLO;
    HeartbeatInfo heartbeat;
    int protocol;
    List<String> capabilities = List.of();
    /** The channel membership, or null. */
    ChannelRegistry.Member member;
    boolean registered;
    /** The media session in the joined channel ({@link MediaSessions}), or null. */
    MediaSession media;
    /** The {@code participant.left} reason to use when the socket closes, set before a server-initiated close. */
    String leftReason;
    /** The channel ids the token allows, or null for any. */
    Set<String> allowedChannels;
    /** The SHA-256 of the session's resume secret, or null without capability {@code session.resume}. */
    byte[] resumeSecretHash;
    /** Set when the server drops the session for a lost connection (heartbeat timeout, failed send). */
    boolean dropped;
    /** After a resume: the channel and connection id the session had, reused by its next join of that channel. */
    String resumedChannelId;
    String resumedConnectionId;

    /** System.nanoTime() of the last received message. */
    volatile long lastReceivedNanos = System.nanoTime();
    volatile boolean closed;

    // guarded by this
    private ScheduledFuture<?> helloTimer;
    private ScheduledFuture<?> watchdog;

    private final Queue<Object> outbound = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean draining = new AtomicBoolean();
    private final AtomicLong unsentBytes = new AtomicLong();
    private final AtomicBoolean sendFailed = new AtomicBoolean();
    private final int sendQueueLimit;
    private final SendFailureHandler failureHandler;
    private volatile boolean closeQueued;

    ClientSession(long seq, String sessionId, Session ws, long relayId, ClientConnection connection, Instant openedAt,
                  int sendQueueLimit, SendFailureHandler failureHandler) {
        this.seq = seq;
        this.sessionId = sessionId;
        this.ws = ws;
        this.relayId = relayId;
        this.connection = connection;
        this.openedAt = openedAt;
        this.sendQueueLimit = sendQueueLimit;
        this.failureHandler = failureHandler;
    }

    /** The channel id, or empty; call with the state lock held. */
    String channelId() {
        return member == null ? "" : member.channelId();
    }

    /** A snapshot; call with the state lock held (or after close, when nothing changes any more). */
    SessionInfo snapshot() {
        return new SessionInfo(sessionId, userId, user == null ? "" : user.deviceId(),
                user == null ? "" : user.name(), phase, channelId(),
                member == null ? "" : member.participant().connectionId(), protocol,
                heartbeat == null ? null : Duration.ofMillis(heartbeat.intervalMs()),
                heartbeat == null ? null : Duration.ofMillis(heartbeat.timeoutMs()), capabilities,
                connection == null ? "" : connection.address(), relayId, openedAt);
    }

    /**
     * Queues a text frame ({@link String}) or a {@link RosterPages} item; ignored once a close is queued. Call
     * {@link #drain()} afterwards, without locks.
     */
    void enqueue(Object item) {
        if (!closeQueued) {
            outbound.add(item);
        }
    }

    /**
     * Queues a close frame after everything queued so far; later messages are dropped.
     *
     * @return {@code false} if a close was already queued
     */
    boolean enqueueClose(int code, String reason) {
        if (closeQueued) {
            return false;
        }
        closeQueued = true;
        outbound.add(new CloseItem(code, Reasons.closeReason(reason)));
        return true;
    }

    boolean closeQueued() {
        return closeQueued;
    }

    /** Queues a text frame and sends it at once (used for {@code pong}, which needs no lock). */
    void sendNow(String text) {
        enqueue(text);
        drain();
    }

    /** Sends what is queued. Never call with the state lock held: a close runs {@code onClose} synchronously. */
    void drain() {
        while (!outbound.isEmpty() && draining.compareAndSet(false, true)) {
            try {
                Object item;
                while ((item = outbound.poll()) != null) {
                    if (item instanceof String text) {
                        send(text);
                    } else if (item instanceof RosterPages pages) {
                        for (String page : pages.encode()) {
                            send(page);
                        }
                    } else if (item instanceof CloseItem close) {
                        outbound.clear();
                        close(close.code(), close.reason());
                    }
                }
            } finally {
                draining.set(false);
            }
        }
    }

    /** The bytes handed to Tyrus and not yet reported written. */
    long unsentBytes() {
        return unsentBytes.get();
    }

    private void send(String text) {
        if (closed || sendFailed.get() || !ws.isOpen()) {
            return;
        }
        int size = Reasons.utf8Length(text);
        long unsent = unsentBytes.addAndGet(size);
        if (unsent > sendQueueLimit) {
            unsentBytes.addAndGet(-size);
            fail("more than " + sendQueueLimit + " bytes queued: the client stopped reading");
            return;
        }
        try {
            ws.getAsyncRemote().sendText(text, result -> sent(result, size));
        } catch (RuntimeException e) {
            unsentBytes.addAndGet(-size);
            if (gone()) {
                // IllegalStateException when the connection closed meanwhile: the close path cleans up.
                LOG.log(Level.DEBUG, () -> "Send to " + sessionId + " failed after its close: " + e);
            } else {
                fail("send failed: " + e);
            }
        }
    }

    private void sent(SendResult result, int size) {
        unsentBytes.addAndGet(-size);
        if (result.isOK()) {
            return;
        }
        if (gone()) {
            LOG.log(Level.DEBUG, () -> "Send to " + sessionId + " failed after its close: " + result.getException());
        } else {
            fail("send failed: " + result.getException());
        }
    }

    /**
     * Whether the session or its connection is already closed: then a failed send is no news, the close path (Tyrus's
     * {@code onClose}, which follows the connection's close) ends the session.
     */
    private boolean gone() {
        return closed || !ws.isOpen() || connection != null && !connection.isOpen();
    }

    private void fail(String why) {
        if (sendFailed.compareAndSet(false, true)) {
            outbound.clear();
            failureHandler.sendFailed(this, why);
        }
    }

    private void close(int code, String reason) {
        try {
            ws.close(new CloseReason(CloseReason.CloseCodes.getCloseCode(code), reason));
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.DEBUG, () -> "Close of " + sessionId + " failed: " + e);
        }
    }

    /**
     * Ends the TCP connection at once, without a close frame and without waiting for what is queued (used when the
     * client stopped reading, so a close frame would never get through).
     */
    void abort() {
        if (connection != null) {
            connection.abort();
        } else {
            close(CloseCodes.INTERNAL_ERROR, "Send failed");
        }
    }

    synchronized void helloTimer(ScheduledFuture<?> timer) {
        if (closed) {
            timer.cancel(false);
        } else {
            helloTimer = timer;
        }
    }

    synchronized void cancelHelloTimer() {
        if (helloTimer != null) {
            helloTimer.cancel(false);
            helloTimer = null;
        }
    }

    synchronized void watchdog(ScheduledFuture<?> timer) {
        if (closed) {
            timer.cancel(false);
        } else {
            watchdog = timer;
        }
    }

    /** Marks the session closed and cancels its timers; idempotent. */
    synchronized void markClosed() {
        closed = true;
        if (helloTimer != null) {
            helloTimer.cancel(false);
            helloTimer = null;
        }
        if (watchdog != null) {
            watchdog.cancel(false);
            watchdog = null;
        }
    }

    @Override
    public String toString() {
        return "session " + sessionId;
    }
}
