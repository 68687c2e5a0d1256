package ai.alo.audio.server;

import ai.alo.audio.protocol.HeartbeatInfo;
import ai.alo.audio.protocol.ParticipantInfo;
import ai.alo.audio.protocol.UserInfo;
import jakarta.websocket.CloseReason;
import jakarta.websocket.SendResult;
import jakarta.websocket.Session;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.time.Instant;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The server's state of one WebSocket session plus its ordered outbound queue.
 *
 * <p>Fields marked "guarded by the registry lock" are only touched while {@link SessionRegistry} holds its lock.
 * Outbound messages are queued (in the order the state changes happened, because they are queued under that lock)
 * and sent by {@link #drain()}, which is only called without the lock: whoever finds the queue idle sends
 * everything queued with Tyrus's asynchronous send, so no thread ever blocks on a slow peer and per-peer order is
 * kept. A queued close ends the queue: later messages are dropped.
 */
final class ClientSession {

    private static final System.Logger LOG = System.getLogger(AloAudioServer.class.getPackageName());

    /** A queued close frame. */
    private record CloseItem(int code, String reason) {
    }

    final long seq;
    final String sessionId;
    final Session ws;
    final long relayId;
    final Instant openedAt;

    // guarded by the registry lock
    String userId = "";
    UserInfo user;
    SessionInfo.Phase phase = SessionInfo.Phase.AWAITING_HELLO;
    HeartbeatInfo heartbeat;
    String channelId = "";
    ParticipantInfo participant;
    boolean registered;
    /** The {@code participant.left} reason to use when the socket closes, set before a server-initiated close. */
    String leftReason;
    /** The close code once closed. */
    int closeCode;

    /** System.nanoTime() of the last received message. */
    volatile long lastReceivedNanos = System.nanoTime();
    volatile boolean closed;

    // guarded by this
    private ScheduledFuture<?> helloTimer;
    private ScheduledFuture<?> watchdog;

    private final Queue<Object> outbound = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean draining = new AtomicBoolean();
    private volatile boolean closeQueued;

    ClientSession(long seq, String sessionId, Session ws, long relayId, Instant openedAt) {
        this.seq = seq;
        this.sessionId = sessionId;
        this.ws = ws;
        this.relayId = relayId;
        this.openedAt = openedAt;
    }

    /** A snapshot; call with the registry lock held (or after close, when nothing changes any more). */
    SessionInfo snapshot() {
        return new SessionInfo(sessionId, userId, user == null ? "" : user.deviceId(),
                user == null ? "" : user.name(), phase, channelId,
                participant == null ? "" : participant.connectionId(), heartbeat, relayId, openedAt);
    }

    /** Queues a text frame; ignored once a close is queued. Call {@link #drain()} afterwards, without locks. */
    void enqueue(String text) {
        if (!closeQueued) {
            outbound.add(text);
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

    /** Sends what is queued. Never call with the registry lock held: a close runs {@code onClose} synchronously. */
    void drain() {
        while (!outbound.isEmpty() && draining.compareAndSet(false, true)) {
            try {
                Object item;
                while ((item = outbound.poll()) != null) {
                    if (item instanceof String text) {
                        send(text);
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

    private void send(String text) {
        if (closed || !ws.isOpen()) {
            return;
        }
        try {
            ws.getAsyncRemote().sendText(text, this::sent);
        } catch (RuntimeException e) {
            // IllegalStateException when the connection closed meanwhile: the close path cleans up.
            LOG.log(Level.DEBUG, () -> "Send to " + sessionId + " failed: " + e);
        }
    }

    private void sent(SendResult result) {
        if (!result.isOK()) {
            LOG.log(Level.DEBUG, () -> "Send to " + sessionId + " failed: " + result.getException());
        }
    }

    private void close(int code, String reason) {
        try {
            ws.close(new CloseReason(CloseReason.CloseCodes.getCloseCode(code), reason));
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.DEBUG, () -> "Close of " + sessionId + " failed: " + e);
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
