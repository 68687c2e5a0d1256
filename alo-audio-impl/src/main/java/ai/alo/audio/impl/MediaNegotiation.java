package ai.alo.audio.impl;

import ai.alo.audio.impl.media.AudioSession;
import ai.alo.audio.impl.media.MediaSession;
import ai.alo.audio.impl.media.MediaUnavailableException;
import ai.alo.audio.media.AudioDeviceException;
import ai.alo.audio.protocol.Capability;
import ai.alo.audio.protocol.MediaOffer;
import ai.alo.audio.protocol.MessageTypes;
import java.lang.System.Logger.Level;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;

/**
 * The media session of one connection, from the last roster page to {@code CONNECTED} and while it lasts: opens it
 * on the runtime's {@link ai.alo.audio.impl.media.MediaEngine} with the client's chosen input and output, sends the
 * offer, applies the answer ({@link MediaAnswerHandler}), and turns what becomes of it into the state machine's
 * steps: connected completes the join; a failure while connecting ends the attempt with {@code MEDIA_FAILED}, a
 * failure afterwards with {@code MEDIA_LOST}.
 *
 * <h2>Threads</h2>
 * <p>{@link #start()} runs on a connect thread of the runtime, never on a socket I/O thread: the first media session of
 * a runtime loads the native library, and gathering ICE candidates takes a few milliseconds. The session's listener
 * calls come from the engine's callback thread. Nothing here holds the client's lock while calling into the engine.
 * The session belongs to the connection as soon as it is made ({@link Connection#attachMedia}); the connection's one
 * release closes it.
 */
final class MediaNegotiation implements MediaSession.Listener {

    private static final System.Logger LOG = System.getLogger("ai.alo.audio.media");
    static final String OFFER = MessageTypes.nameOf(MediaOffer.class);

    private final ClientStateMachine client;
    private final Connection connection;

    private MediaNegotiation(ClientStateMachine client, Connection connection) {
        this.client = client;
        this.connection = connection;
    }

    /**
     * Starts negotiating the media session of a connection that has just reached {@link Connection.Phase#MEDIA};
     * never throws.
     *
     * @param client     the client
     * @param connection the connection
     */
    static void begin(ClientStateMachine client, Connection connection) {
        MediaNegotiation negotiation = new MediaNegotiation(client, connection);
        try {
            client.runtime().connectExecutor().execute(negotiation::start);
        } catch (RejectedExecutionException | OutOfMemoryError e) {
            client.fail(connection, Ending.noThread(e));
        }
    }

    private void start() {
        try {
            open();
        } catch (RuntimeException | LinkageError e) {
            LOG.log(Level.ERROR, "ALOAUD-2103 [" + client.name() + "] starting the audio session failed", e);
            client.fail(connection, Ending.internal(e));
        }
    }

    private void open() {
        Boolean offered = client.ifLive(connection, () -> connection.capabilities.contains(Capability.MEDIA_WEBRTC));
        if (offered == null) {
            return; // ended meanwhile
        }
        if (!offered) {
            failed("the audio service does not offer WebRTC audio (its welcome does not list the capability "
                    + Capability.MEDIA_WEBRTC + "); set mediaEnabled(false) to connect for signalling only", null);
            return;
        }
        try {
            // the first session of the runtime loads the native library; a failure is kept for the runtime's life
            client.runtime().media().checkAvailable();
        } catch (MediaUnavailableException e) {
            failed(e.getMessage(), e);
            return;
        }
        AudioSession audio;
        try {
            audio = client.audio().startSession(connection.channel.id());
        } catch (AudioDeviceException e) {
            failed(e.getMessage(), e);
            return;
        }
        MediaSession session;
        try {
            session = client.runtime().media().open(audio, this);
        } catch (MediaUnavailableException e) {
            audio.close();
            failed(e.getMessage(), e);
            return;
        }
        if (!connection.attachMedia(session)) {
            session.close(); // released meanwhile: the release did not see this session
            return;
        }
        session.createOffer().whenComplete((sdp, error) -> {
            if (error != null) {
                failed("could not create the WebRTC offer: " + message(error), unwrap(error));
            } else {
                sendOffer(sdp);
            }
        });
    }

    private void sendOffer(String sdp) {
        String requestId = client.ifLive(connection, () -> {
            if (connection.phase != Connection.Phase.MEDIA) {
                return null;
            }
            return connection.requests.register(OFFER);
        });
        if (requestId == null) {
            return;
        }
        MediaOffer offer;
        try {
            offer = new MediaOffer(requestId, connection.channel.id(), sdp);
        } catch (IllegalArgumentException e) {
            failed("the WebRTC offer cannot be sent: " + e.getMessage(), e);
            return;
        }
        connection.send(offer);
    }

    /**
     * Applies the service's answer; called by {@link MediaAnswerHandler} once it has matched the request.
     *
     * @param session the connection's media session
     * @param sdp     the answer
     */
    static void answered(ClientStateMachine client, Connection connection, MediaSession session, String sdp) {
        session.acceptAnswer(sdp).whenComplete((ignored, error) -> {
            if (error != null) {
                Ending ending = client.ifLive(connection, () -> Ending.mediaFailed(
                        "the audio service's answer could not be applied: " + message(error), unwrap(error), true));
                if (ending != null) {
                    client.fail(connection, ending);
                }
            }
        });
    }

    // -- MediaSession.Listener (the engine's callback thread)

    @Override
    public void onConnected() {
        client.mediaConnected(connection);
    }

    @Override
    public void onFailed(String message) {
        lost(client, connection, message);
    }

    /**
     * The media session failed or the service reported it lost: {@code MEDIA_FAILED} while connecting, {@code
     * MEDIA_LOST} once connected; nothing once the connection has ended.
     *
     * @param message what happened, readable, without secrets
     */
    static void lost(ClientStateMachine client, Connection connection, String message) {
        Ending ending = client.ifLive(connection, () -> {
            switch (connection.phase) {
                case MEDIA:
                    return Ending.mediaFailed(message, null, true);
                case JOINED:
                    return Ending.mediaLost(message);
                default:
                    return null;
            }
        });
        if (ending != null) {
            client.fail(connection, ending);
        }
    }

    private void failed(String detail, Throwable cause) {
        Ending ending = client.ifLive(connection, () -> Ending.mediaFailed(detail, cause, true));
        if (ending != null) {
            client.fail(connection, ending);
        }
    }

    private static Throwable unwrap(Throwable error) {
        return error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    }

    private static String message(Throwable error) {
        Throwable cause = unwrap(error);
        return cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    }
}
