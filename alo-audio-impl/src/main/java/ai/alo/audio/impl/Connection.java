package ai.alo.audio.impl;

import ai.alo.audio.AudioChannel;
import ai.alo.audio.impl.media.MediaSession;
import ai.alo.audio.impl.observe.FlightRecorder;
import ai.alo.audio.impl.runtime.Cancellable;
import ai.alo.audio.impl.runtime.Deadline;
import ai.alo.audio.impl.runtime.RuntimeTimer;
import ai.alo.audio.impl.ws.SignallingConnection;
import ai.alo.audio.protocol.End;
import ai.alo.audio.protocol.Message;
import ai.alo.audio.protocol.MessageCodec;
import ai.alo.audio.protocol.Ping;
import java.lang.System.Logger.Level;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;

/**
 * One connection attempt of a client: the first of a session ({@code connect()}) or an automatic reconnect; it ends
 * in a loss, a failure, or an intentional end.
 *
 * <h2>What it holds, and the one release</h2>
 * <p>Nothing here owns a thread: the socket, its I/O, the timers and the media engine belong to the client's runtime.
 * The attempt holds handles: its {@link SignallingConnection} (a socket on a shared I/O thread), its timer tasks
 * (connect timeout, heartbeat ping and watchdog, end fallback), its pending requests and its {@link MediaSession}
 * (a peer connection of the runtime's engine, fed by the engine's pacer). {@link #release} is the one path that
 * returns them all: sending audio stopped first, timer tasks cancelled (and none scheduled afterwards), pending
 * requests dropped, the socket closed, the media session closed. A graceful release sends {@code leave} and the close
 * frame, closes the media session while the peer answers, and waits, bounded, until the peer has closed and the
 * socket's descriptor is released. A release without a deadline (a failure, possibly on a socket I/O thread) hands
 * the media session's close to an event thread ({@link MediaSession#closeLater()}).
 *
 * <h2>Locking</h2>
 * <p>The protocol fields ({@code phase}, {@code ending}, {@code reported}, session and roster data) are guarded by the
 * client's state lock; the resource fields by this object's monitor.
 */
final class Connection implements Heartbeat.Owner {

    private static final System.Logger LOG = System.getLogger("ai.alo.audio");

    /**
     * Progress of the protocol on this attempt. {@code MEDIA}: the channel is joined and the media session is being
     * negotiated (only with media enabled); the client is still {@code ACQUIRING_ACCESS}.
     */
    enum Phase { OPENING, HELLO_SENT, JOINING, ROSTER, MEDIA, JOINED }

    final long id;
    final AudioChannel channel;
    /** The session's {@code connect()} future: shared by every attempt of the session. */
    final CompletableFuture<AudioChannel> future;
    /** The outage this attempt tries to end, or null for the session's first attempt. */
    final Outage outage;
    /** This attempt's number in its outage (from 1), or 0 for the session's first attempt. */
    final int attempt;
    /** Whether this attempt is the one retry with a fresh token after the service found the last one expired. */
    final boolean tokenRefresh;
    /** Completes when the attempt's resources are released and its final state is committed. */
    final CompletableFuture<Void> done = new CompletableFuture<>();
    final Heartbeat heartbeat = new Heartbeat(this);
    final PendingRequests requests = new PendingRequests();
    final long startNanos = System.nanoTime();
    /** The JFR connect event, begun when the attempt starts; committed when it connects or fails. */
    final Object connectEvent = FlightRecorder.connectStarted();
    private final ClientStateMachine client;
    private final RuntimeTimer timer;
    private final MessageCodec codec;

    // guarded by the client's state lock
    Phase phase = Phase.OPENING;
    Ending ending;
    /** Whether this attempt's DisconnectEvent has been queued. */
    boolean reported;
    String sessionId;
    String connectionId;
    String joinRequestId;
    int protocol;
    List<String> capabilities = List.of();
    RosterLog roster;
    End endMessage;
    /** The session id this attempt's {@code hello} asked to resume, or null. */
    String resumeRequested;
    /** From {@code welcome}: the secret to resume this session with, or null. */
    String resumeSecret;
    /** From {@code welcome}: whether the service resumed the session named in {@code hello}. */
    boolean resumed;

    // guarded by this
    private SignallingConnection signalling;
    private MediaSession media;
    private boolean released;
    private Cancellable connectTimeout = Cancellable.NONE;
    private Cancellable endFallback = Cancellable.NONE;

    Connection(long id, AudioChannel channel, CompletableFuture<AudioChannel> future, Outage outage, int attempt,
               boolean tokenRefresh, ClientStateMachine client, RuntimeTimer timer, MessageCodec codec) {
        this.tokenRefresh = tokenRefresh;
        this.id = id;
        this.channel = channel;
        this.future = future;
        this.outage = outage;
        this.attempt = attempt;
        this.client = client;
        this.timer = timer;
        this.codec = codec;
    }

    /**
     * Sets the socket of this attempt, unless it was released first.
     *
     * @param connection the signalling connection, not started
     * @return {@code false} if the attempt was already released (the caller must not start the connection)
     */
    synchronized boolean attach(SignallingConnection connection) {
        if (released) {
            return false;
        }
        this.signalling = connection;
        return true;
    }

    synchronized SignallingConnection signalling() {
        return signalling;
    }

    /**
     * Sets the media session of this attempt, unless it was released first.
     *
     * @param session the media session
     * @return {@code false} if the attempt was already released (the caller closes the session)
     */
    synchronized boolean attachMedia(MediaSession session) {
        if (released) {
            return false;
        }
        this.media = session;
        return true;
    }

    synchronized MediaSession media() {
        return media;
    }

    synchronized void connectTimeout(Cancellable handle) {
        if (released) {
            handle.cancel();
        } else {
            connectTimeout = handle;
        }
    }

    synchronized void cancelConnectTimeout() {
        connectTimeout.cancel();
    }

    synchronized void endFallback(Cancellable handle) {
        if (released) {
            handle.cancel();
        } else {
            endFallback.cancel();
            endFallback = handle;
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // timer tasks: never scheduled once released; a task that throws ends the attempt

    /**
     * {@inheritDoc}
     *
     * @throws RejectedExecutionException if the runtime's timer is shut down; the caller ends the attempt
     */
    @Override
    public Cancellable schedule(Runnable task, long delayNanos) {
        synchronized (this) {
            return released ? Cancellable.NONE : timer.schedule(guard(task), delayNanos);
        }
    }

    /**
     * {@inheritDoc}
     *
     * @throws RejectedExecutionException if the runtime's timer is shut down; the caller ends the attempt
     */
    @Override
    public Cancellable scheduleAtFixedRate(Runnable task, long periodNanos) {
        synchronized (this) {
            return released ? Cancellable.NONE : timer.scheduleAtFixedRate(guard(task), periodNanos);
        }
    }

    private Runnable guard(Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (RuntimeException | LinkageError e) {
                LOG.log(Level.ERROR, "ALOAUD-1902 [" + client.name() + "] a timer task of connection " + id
                        + " failed; ending the connection", e);
                client.fail(this, Ending.internal(e));
            }
        };
    }

    @Override
    public void sendPing(long seq) {
        send(new Ping(seq));
    }

    @Override
    public void silent(long silentMillis) {
        client.heartbeatTimeout(this, silentMillis);
    }

    @Override
    public void readPending(Runnable then) {
        SignallingConnection connection = signalling();
        if (connection == null) {
            then.run();
        } else {
            connection.readPending(then);
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // sending

    /**
     * Sends a message; a failure to send ends the attempt as a lost connection at once (a request is never left
     * waiting for an answer that cannot come).
     *
     * @param message the message
     */
    void send(Message message) {
        SignallingConnection connection = signalling();
        if (connection == null) {
            return;
        }
        connection.send(codec.encode(message), cause -> client.fail(this, Ending.sendFailed(cause)));
    }

    // ------------------------------------------------------------------------------------------------------------
    // release

    /**
     * Releases everything the attempt holds. Called exactly once per attempt, by whoever ended it.
     *
     * @param ending   how the attempt ends
     * @param leave    the {@code leave} message to send before the close frame, or null
     * @param deadline for a graceful end (intentional, with a close frame): how long to wait for the peer to close and
     *                 the socket to be released, on the calling thread; null to return at once
     * @return {@code true} if everything was released within the deadline (always {@code true} without one)
     */
    boolean release(Ending ending, String leave, Deadline deadline) {
        SignallingConnection connection;
        MediaSession session;
        synchronized (this) {
            if (released) {
                return true;
            }
            released = true;
            connectTimeout.cancel();
            endFallback.cancel();
            connection = signalling;
            session = media;
        }
        if (session != null) {
            // first: not one more frame leaves this client, whatever the rest of the release costs
            session.stopSending();
        }
        heartbeat.stop();
        requests.clear();
        if (connection != null) {
            if (connection.isOpen() && ending.closeToSend() != 0) {
                if (leave != null) {
                    // queued, not awaited: the close frame follows it in order, so the server reads the leave first
                    connection.send(leave, cause -> { });
                }
                connection.close(ending.closeToSend(), ClientStateMachine.closePhrase(ending));
            } else {
                connection.abort();
            }
        }
        if (session != null) {
            if (deadline == null) {
                session.closeLater();
            } else {
                // while the service reads the leave and answers the close
                session.close();
            }
        }
        if (connection == null || deadline == null) {
            return true;
        }
        // The peer answers the close and closes its side within a round trip; one that does not (a silent network,
        // a frozen server) gets half the grace, then the socket is closed without waiting for it.
        if (deadline.fraction(0.5).await(connection.released())) {
            return true;
        }
        connection.abort();
        return deadline.await(connection.released());
    }

    @Override
    public String toString() {
        return "Connection[" + id + ", channel=" + channel.id() + "]";
    }
}
