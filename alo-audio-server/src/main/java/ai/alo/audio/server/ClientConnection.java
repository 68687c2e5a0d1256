package ai.alo.audio.server;

import ai.alo.audio.protocol.CloseCodes;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.glassfish.grizzly.Connection;
import org.glassfish.grizzly.memory.Buffers;

/**
 * One accepted TCP connection of the Tyrus port, from accept to close: its id (passed to the endpoint through the
 * upgrade request), the client address the caps count it under, the session it carries once upgraded, and the ways
 * to end it that Tyrus does not offer: an immediate abort (a client that stopped reading would never let a close frame
 * through), a deadline for closes, and the 1009 refusal of an oversized frame ({@link FrameGuard}). Thread-safe.
 */
final class ClientConnection implements FrameGuard.Refusal {

    private static final System.Logger LOG = System.getLogger(AloAudioServer.class.getPackageName());

    /** After a 1009 refusal: how long the client may take to answer with its close frame before the TCP close. */
    static final long LINGER_MS = 2_000;

    /** Ends the session of a refused frame; implemented by {@link SessionService#frameTooBig}. */
    interface TooBigHandler {
        void frameTooBig(ClientSession session, long declared, String reason);
    }

    final long id;
    @SuppressWarnings("rawtypes")
    private final Connection grizzly;
    private final String peerAddress;
    private final ScheduledExecutorService scheduler;
    private final int maxMessageSize;
    private final TooBigHandler tooBig;
    private final AtomicBoolean released = new AtomicBoolean();

    private volatile String admittedAddress;
    private volatile boolean refusedUpgrade;
    private volatile ClientSession session;
    private volatile FrameGuard guard;
    // guarded by this
    private ScheduledFuture<?> upgradeTimer;
    private ScheduledFuture<?> closeTimer;
    private long closeDeadline;

    @SuppressWarnings("rawtypes")
    ClientConnection(long id, Connection grizzly, String peerAddress, ScheduledExecutorService scheduler,
                     int maxMessageSize, TooBigHandler tooBig) {
        this.id = id;
        this.grizzly = grizzly;
        this.peerAddress = peerAddress;
        this.scheduler = scheduler;
        this.maxMessageSize = maxMessageSize;
        this.tooBig = tooBig;
    }

    /** The TCP peer's IP address (behind the relay, the relay's). */
    String peerAddress() {
        return peerAddress;
    }

    /** The address the caps count this connection under (the relay's client's when behind the relay). */
    String address() {
        String admitted = admittedAddress;
        return admitted != null ? admitted : peerAddress;
    }

    boolean isOpen() {
        return grizzly.isOpen();
    }

    /** Counted under {@code address} by the caps; the upgrade may proceed. */
    void admit(String address) {
        admittedAddress = address;
    }

    boolean admitted() {
        return admittedAddress != null;
    }

    /** The upgrade was refused (HTTP 429 or 503); the connection is closing. */
    void refuseUpgrade() {
        refusedUpgrade = true;
    }

    boolean upgradeRefused() {
        return refusedUpgrade;
    }

    /** The WebSocket session this connection carries, once its endpoint opened. */
    ClientSession session() {
        return session;
    }

    /** The endpoint opened on this connection: it completed its upgrade. */
    void attach(ClientSession opened) {
        session = opened;
        synchronized (this) {
            if (upgradeTimer != null) {
                upgradeTimer.cancel(false);
                upgradeTimer = null;
            }
        }
    }

    FrameGuard guard() {
        return guard;
    }

    void guard(FrameGuard installed) {
        guard = installed;
    }

    /** Starts the upgrade deadline: {@code onTimeout} runs if no session attached within {@code timeoutMs}. */
    synchronized void upgradeDeadline(long timeoutMs, Runnable onTimeout) {
        try {
            upgradeTimer = scheduler.schedule(() -> {
                if (session == null && grizzly.isOpen()) {
                    onTimeout.run();
                }
            }, timeoutMs, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // The server is stopping.
        }
    }

    /** Closes the TCP connection at once (FIN, or RST when unread data remains), dropping what is queued. */
    void abort() {
        grizzly.terminateSilently();
    }

    /**
     * Ends the TCP connection if it is still open after {@code delayMs} (a close frame that cannot get through). Of
     * several deadlines the earliest wins.
     */
    synchronized void closeWithin(long delayMs) {
        if (released.get() || !grizzly.isOpen()) {
            return;
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(delayMs);
        if (closeTimer != null) {
            if (deadline - closeDeadline >= 0) {
                return;
            }
            closeTimer.cancel(false);
        }
        try {
            closeDeadline = deadline;
            closeTimer = scheduler.schedule(() -> {
                if (grizzly.isOpen()) {
                    LOG.log(Level.DEBUG, () -> "Connection " + id + " still open " + delayMs
                            + " ms after its session closed; closing it");
                    grizzly.terminateSilently();
                }
            }, delayMs, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // The server is stopping and closes every connection itself.
        }
    }

    /**
     * The TCP connection closed; releases its timers. Returns {@code true} the first time only.
     */
    boolean released() {
        if (!released.compareAndSet(false, true)) {
            return false;
        }
        synchronized (this) {
            if (upgradeTimer != null) {
                upgradeTimer.cancel(false);
            }
            if (closeTimer != null) {
                closeTimer.cancel(false);
            }
        }
        return true;
    }

    // ---------------------------------------------------------------- FrameGuard.Refusal

    @Override
    public void refuse(long declaredBytes) {
        String reason = Reasons.closeReason("Message too big (limit " + maxMessageSize + " bytes)");
        ClientSession current = session;
        if (current != null) {
            tooBig.frameTooBig(current, declaredBytes, reason);
        }
        // Tyrus would close the TCP connection right after its close frame, while the client may still be sending
        // the refused frame: the unread data would turn the close into a reset and the client might never see 1009.
        // So the close frame is written here, and the connection lingers (reading and dropping) until the client
        // answers with its own close frame, or LINGER_MS passed.
        byte[] text = reason.getBytes(StandardCharsets.UTF_8);
        byte[] frame = new byte[4 + text.length];
        frame[0] = (byte) 0x88;
        frame[1] = (byte) (2 + text.length);
        frame[2] = (byte) (CloseCodes.TOO_BIG >> 8);
        frame[3] = (byte) (CloseCodes.TOO_BIG & 0xff);
        System.arraycopy(text, 0, frame, 4, text.length);
        writeRaw(frame);
        closeWithin(LINGER_MS);
    }

    @Override
    public void peerClosed() {
        grizzly.closeSilently();
    }

    @SuppressWarnings("unchecked")
    private void writeRaw(byte[] bytes) {
        try {
            grizzly.write(Buffers.wrap(grizzly.getMemoryManager(), bytes));
        } catch (RuntimeException e) {
            LOG.log(Level.DEBUG, () -> "Connection " + id + ": writing the close frame failed: " + e);
        }
    }

    @Override
    public String toString() {
        return "connection " + id + " from " + address();
    }
}
