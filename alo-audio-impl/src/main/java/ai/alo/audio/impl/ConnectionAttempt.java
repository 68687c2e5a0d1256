package ai.alo.audio.impl;

import ai.alo.audio.AudioChannel;
import ai.alo.audio.Participant;
import ai.alo.audio.impl.ws.SignallingConnection;
import ai.alo.audio.protocol.End;
import ai.alo.audio.protocol.HeartbeatInfo;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * One connection attempt of a client: from {@code connect()} to its {@link ai.alo.audio.event.DisconnectEvent}.
 *
 * <p>It owns everything the connection holds: the connector thread that opens the WebSocket, the timer thread
 * (connect timeout, heartbeat pings, the heartbeat watchdog), and the {@link SignallingConnection} with its I/O
 * threads. All of them come from this attempt's {@link ThreadTracker}, and {@link #release(Ending, Deadline)} is the
 * one path that releases them and waits, up to a deadline, until every one has ended.
 *
 * <p>The protocol fields ({@code phase}, {@code ending}, the session and participant data) are guarded by the
 * client's state lock; the resource fields by this object's monitor.
 */
final class ConnectionAttempt {

    private static final System.Logger LOG = System.getLogger("ai.alo.audio");

    /** Progress of the protocol on this attempt. */
    enum Phase { OPENING, HELLO_SENT, JOINING, JOINED }

    final long id;
    final AudioChannel channel;
    final CompletableFuture<AudioChannel> future = new CompletableFuture<>();
    /** Completes when the attempt's resources are released and its final state is committed. */
    final CompletableFuture<Void> done = new CompletableFuture<>();
    final ThreadTracker threads;

    // guarded by the client's state lock
    Phase phase = Phase.OPENING;
    Ending ending;
    String sessionId;
    String connectionId;
    List<Participant> participants = List.of();
    HeartbeatInfo heartbeat;
    End endMessage;

    volatile long lastReceivedNanos = System.nanoTime();
    private long pingSeq;

    // guarded by this
    private final ScheduledThreadPoolExecutor timers;
    private SignallingConnection connection;
    private Thread connector;
    private boolean releasing;

    ConnectionAttempt(long id, AudioChannel channel, ThreadTracker threads) {
        this.id = id;
        this.channel = channel;
        this.threads = threads;
        this.timers = new ScheduledThreadPoolExecutor(1, threads);
        this.timers.setRemoveOnCancelPolicy(true);
        this.timers.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    }

    /**
     * Starts the connector thread, unless the attempt is already being released.
     *
     * @param connection creates the connection (called at most once)
     * @param connectTask run on the connector thread with the connection
     * @return {@code false} if the attempt was released before it could start
     */
    synchronized boolean start(Supplier<SignallingConnection> connection,
                               Consumer<SignallingConnection> connectTask) {
        if (releasing) {
            return false;
        }
        SignallingConnection created = connection.get();
        this.connection = created;
        connector = threads.newThread(() -> connectTask.accept(created));
        connector.start();
        return true;
    }

    synchronized SignallingConnection connection() {
        return connection;
    }

    /** Schedules a timer task of this attempt; ignored once the attempt is being released. */
    synchronized void schedule(Runnable task, long delayNanos) {
        if (!releasing) {
            timers.schedule(task, delayNanos, TimeUnit.NANOSECONDS);
        }
    }

    /** Schedules a repeating timer task of this attempt; ignored once the attempt is being released. */
    synchronized void scheduleAtFixedRate(Runnable task, long periodNanos) {
        if (!releasing) {
            timers.scheduleAtFixedRate(task, periodNanos, periodNanos, TimeUnit.NANOSECONDS);
        }
    }

    synchronized long nextPingSeq() {
        return ++pingSeq;
    }

    /**
     * Releases everything the attempt holds, on the calling thread: cancels the timers, stops the connector, sends
     * {@code leave} and the close frame when the ending asks for them, releases the connection, and waits until
     * every thread of the attempt other than the calling one has ended. Bounded by the deadline: what is still
     * running then is logged ({@code ALOAUD-1201}) and left to end on its own. Called exactly once per attempt.
     *
     * @param ending   how the attempt ends
     * @param leave    the {@code leave} message to send first, or null
     * @param deadline the bound
     */
    void release(Ending ending, String leave, Deadline deadline) {
        Thread connectorThread;
        SignallingConnection conn;
        synchronized (this) {
            releasing = true;
            // drops every queued task (the watchdog's next run, the pings, the connect timeout) without running it
            timers.shutdownNow();
            connectorThread = connector;
            conn = connection;
        }
        List<String> leftovers = new ArrayList<>();
        try {
            if (connectorThread != null && connectorThread != Thread.currentThread() && connectorThread.isAlive()) {
                if (conn != null && !conn.isOpen()) {
                    conn.abort();
                }
                connectorThread.interrupt();
                connectorThread.join(Math.max(1, deadline.remainingMillis() / 2));
            }
            if (conn != null) {
                if (leave != null && conn.isOpen()) {
                    // Queued, not awaited: the close frame is queued behind it on the same ordered write queue, so
                    // the server always reads the leave first; if the socket fails, the server sees the close.
                    conn.send(leave);
                }
                if (ending.closeToSend() != 0) {
                    conn.close(ending.closeToSend(), closePhrase(ending));
                }
                conn.release();
            }
            // A peer that answers the closing handshake lets the transport end within milliseconds; one that does
            // not (a silent network, a frozen server) would keep it open, so after half the remaining grace the
            // transport is closed without waiting for the peer.
            Deadline soft = new Deadline(System.nanoTime() + deadline.remainingNanos() / 2);
            List<Thread> alive = threads.awaitTermination(soft);
            if (!alive.isEmpty() && conn != null) {
                conn.abort();
                alive = threads.awaitTermination(deadline);
            }
            for (Thread thread : alive) {
                leftovers.add("thread " + thread.getName());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            leftovers.add("release interrupted");
        }
        if (!leftovers.isEmpty()) {
            LOG.log(Level.WARNING, "ALOAUD-1201 connection {0}: still running after the close grace, left to end "
                    + "on their own: {1}", String.valueOf(id), leftovers);
        }
    }

    private static String closePhrase(Ending ending) {
        switch (ending.reason()) {
            case CLIENT_INITIATED:
                return "disconnect";
            case CLIENT_SHUTDOWN:
                return "client shutdown";
            case HEARTBEAT_TIMEOUT:
                return "heartbeat timeout";
            case CONNECT_TIMEOUT:
                return "connect timeout";
            case PROTOCOL_ERROR:
                return "protocol error";
            default:
                return ending.reason().name().toLowerCase(java.util.Locale.ROOT);
        }
    }
}
