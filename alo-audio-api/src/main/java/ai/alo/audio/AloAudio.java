package ai.alo.audio;

import ai.alo.audio.media.MediaDeviceList;
import ai.alo.audio.spi.AloAudioProvider;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * A client of the ALO audio service; the Java form of the ALO SDK's {@code AloAudio}.
 *
 * <p>A client joins one {@link AudioChannel} at a time as its configured {@link AudioUser}, keeps the connection
 * alive with heartbeats, and reports what happens as events (see {@link ai.alo.audio.event}): to plain
 * {@link AloAudioListener}s and, in CDI, to {@code @Observes} / {@code @ObservesAsync} methods.
 *
 * <h2>Lifecycle</h2>
 * <p>The client starts in {@link ConnectionState#NOT_CONNECTED}. {@link #connect(AudioChannel)} opens a WebSocket to
 * the audio service, authenticates with the user auth token and joins the channel. {@link #disconnect()} leaves the
 * channel and closes the connection; the client may connect again afterwards. {@link #close()} is the terminal
 * release of everything the client holds. See {@link ConnectionState} for every transition.
 *
 * <h2>Sessions and automatic reconnects</h2>
 * <p>A <em>session</em> runs from {@code connect()} until {@code disconnect()}, {@code close()}, a terminal cause, or
 * the {@linkplain AloAudioConfig#reconnectPolicy() reconnect policy} giving up. When an established connection is lost
 * for a cause that may pass (the service went away, the network failed), the client reconnects on its own: {@code
 * ERROR}, then {@link ConnectionState#RECONNECT_PENDING} once a second until the next attempt, then {@code CONNECTED}
 * again on the same channel with a {@link ai.alo.audio.event.ReconnectedEvent}. {@code disconnect()} and {@code
 * close()} stop it at once and for good. {@code docs/reconnect.md} draws every sequence.
 *
 * <h2>Disconnect contract</h2>
 * <ul>
 *   <li>Every loss of an established connection is reported by exactly one {@link
 *       ai.alo.audio.event.DisconnectEvent}, and every session ends with exactly one whose {@code willReconnect()} is
 *       {@code false}, whatever the path: {@code DISCONNECTED} after {@code disconnect()}, {@code ERROR} with {@code
 *       "Lost connection to the server"} when the connection is lost, {@code ERROR} with a specific message for every
 *       other cause.</li>
 *   <li>{@code disconnect()} may be called in any state, from any thread, concurrently, and from inside any event
 *       listener or observer.</li>
 *   <li>When {@code disconnect()} returns, the state is {@code DISCONNECTED}, the leave message and the close frame
 *       (code 1000) have been sent, and every thread, timer and socket of the connection has been released. It
 *       returns within the configured {@linkplain AloAudioConfig#closeGrace() close grace} even when the server no
 *       longer answers.</li>
 *   <li>A lost connection is noticed at once when the socket fails, and within the
 *       {@linkplain AloAudioConfig#heartbeatTimeout() heartbeat timeout} when the network goes silent.</li>
 * </ul>
 *
 * <h2>Threading</h2>
 * <p>All methods are thread-safe. {@code connect()} does not block; {@code disconnect()} and {@code close()} block
 * for at most the close grace (plus, for {@code close()}, the delivery of already-queued events). Events are
 * delivered on the client's dispatcher thread, see {@link AloAudioListener}.
 *
 * @since 0.1
 */
public interface AloAudio extends AutoCloseable {

    /**
     * Creates a client with the implementation found by {@link AloAudioProvider#provider()}.
     *
     * @param config the configuration
     * @return a new client in state {@link ConnectionState#NOT_CONNECTED}; the caller must {@link #close()} it
     * @throws AloAudioException if no implementation is on the class path
     */
    static AloAudio create(AloAudioConfig config) {
        return AloAudioProvider.provider().create(config);
    }

    /**
     * Connects to the audio service and joins a channel; returns at once.
     *
     * <p>When the client is not in a session ({@code NOT_CONNECTED}, {@code DISCONNECTED} or {@code ERROR}), this
     * starts a new session and its first connection attempt. When a session on the <em>same</em> channel is under way
     * (connecting, connected, or waiting to reconnect), it returns a future of that session. While a {@code disconnect()} is in progress, the new attempt starts once the
     * disconnect has finished, and that disconnect never closes it.
     *
     * <p>With {@linkplain AloAudioConfig#mediaEnabled() media enabled} (the default), joining includes the channel's
     * WebRTC audio session: {@code CONNECTED} comes when audio can flow both ways, from the configured input device
     * and into the configured output device.
     *
     * <p>The returned future completes with the joined channel when the session first reaches {@code CONNECTED};
     * later losses and reconnects do not change it (they are events). The first attempt is not retried: it
     * completes
     * exceptionally with {@link ConnectCancelledException} when {@code disconnect()} or {@code close()} cancels the
     * attempt, and with {@link AloConnectException} when the attempt fails (unreachable server, connect timeout,
     * rejected token, refused join, {@linkplain DisconnectReason#MEDIA_FAILED audio that could not be set up}); the
     * attempt's {@link ai.alo.audio.event.DisconnectEvent} carries the same reason.
     * Cancelling or completing the returned future has no effect on the connection: call {@link #disconnect()}.
     *
     * @param channel the channel to join
     * @return a future of the joined channel; never null
     * @throws NullPointerException    if {@code channel} is null
     * @throws AloAudioStateException  if the client is closed, or an attempt for another channel is active
     */
    CompletableFuture<AudioChannel> connect(AudioChannel channel);

    /**
     * Leaves the channel and terminates the connection to the audio service, as the ALO SDK's {@code disconnect()}.
     * Safe in every state; never throws.
     *
     * <ul>
     *   <li>Connected: stops sending audio at once, sends a leave message (the other participants are told at once),
     *       closes the WebSocket with code 1000, closes the audio session (peer connection, tracks, devices), releases
     *       every timer and socket of the connection, moves to {@code DISCONNECTED} and queues one {@code
     *       DisconnectEvent} with state {@code DISCONNECTED}. The others hear nothing more from this client beyond
     *       what was already in flight.</li>
     *   <li>Connecting: cancels the attempt (its future completes with {@link ConnectCancelledException}), releases
     *       its resources, and queues one {@code DisconnectEvent} with state {@code DISCONNECTED}.</li>
     *   <li>Disconnecting (another thread is disconnecting): waits for that disconnect to finish.</li>
     *   <li>{@code ERROR} (the connection was already lost and reported): moves to {@code DISCONNECTED} without a
     *       second {@code DisconnectEvent}.</li>
     *   <li>{@code NOT_CONNECTED}, {@code DISCONNECTED}, {@code CLOSED}: does nothing.</li>
     * </ul>
     * Blocks for at most the {@linkplain AloAudioConfig#closeGrace() close grace} (default 250 ms), even when the
     * server no longer answers; the events are queued, not delivered, when it returns.
     */
    void disconnect();

    /**
     * Disconnects with WebSocket close code 1001 (going away), delivers the events already queued, and releases
     * every resource of the client, including its dispatcher thread. Terminal: the state becomes {@link
     * ConnectionState#CLOSED} and {@code connect()} throws afterwards. Idempotent; never throws.
     *
     * <p>The final {@code DisconnectEvent} (reason {@link DisconnectReason#CLIENT_SHUTDOWN}) is delivered before
     * this method returns, unless it is called from inside a listener of this client, in which case it is delivered
     * right after that listener returns.
     */
    @Override
    void close();

    /**
     * The current connection state.
     *
     * @return the state; never null
     */
    ConnectionState state();

    /**
     * The channel of the current connection attempt.
     *
     * @return the channel while connecting, connected or disconnecting; empty otherwise
     */
    Optional<AudioChannel> channel();

    /**
     * The participants of the joined channel, including this client, as last reported by the audio service.
     *
     * @return an immutable snapshot; empty when not connected
     */
    List<Participant> participants();

    /**
     * This client's connection id in the joined channel (the ALO SDK's {@code currentParticipantId}).
     *
     * @return the connection id when connected; empty otherwise
     */
    Optional<String> connectionId();

    /**
     * The id the audio service gave the current session.
     *
     * @return the session id once the service has welcomed the client; empty otherwise
     */
    Optional<String> sessionId();

    /**
     * The user this client acts for.
     *
     * @return the configured user
     */
    AudioUser user();

    /**
     * The client's configuration.
     *
     * @return the configuration; immutable
     */
    AloAudioConfig config();

    /**
     * The media devices of this client's runtime, the ALO SDK's {@code getMediaList()}: inputs and outputs by id.
     * Usable in every state, also before connecting.
     *
     * @return the devices now
     * @since 0.2
     */
    MediaDeviceList getMediaList();

    /**
     * Switches the input this client speaks from, the ALO SDK's {@code changeAudioInput(deviceId)}. While connected
     * the switch takes effect with the next 10 ms frame, without renegotiating the media session; otherwise it
     * applies to the next connect. The other participants hear no gap and no frame of the old input after the switch.
     *
     * @param deviceId the id of an input device listed by {@link #getMediaList()}
     * @throws ai.alo.audio.media.AudioDeviceException if no input device has that id
     * @throws AloAudioStateException if the client is closed
     * @since 0.2
     */
    void changeAudioInput(String deviceId);

    /**
     * Switches the output this client plays received audio into. Takes effect with the next frame.
     *
     * @param deviceId the id of an output device listed by {@link #getMediaList()}
     * @throws ai.alo.audio.media.AudioDeviceException if no output device has that id, or it serves one client at a
     *                                                 time and another client uses it
     * @throws AloAudioStateException if the client is closed
     * @since 0.2
     */
    void changeAudioOutput(String deviceId);

    /**
     * The id of the input this client speaks from (or will, once connected).
     *
     * @return the device id; {@value ai.alo.audio.media.AudioDevices#SILENCE} when none was chosen
     * @since 0.2
     */
    String audioInputDeviceId();

    /**
     * The id of the output this client plays received audio into (or will, once connected).
     *
     * @return the device id; {@value ai.alo.audio.media.AudioDevices#DISCARD} when none was chosen
     * @since 0.2
     */
    String audioOutputDeviceId();

    /**
     * Adds a listener. It receives the events queued after this call.
     *
     * @param listener the listener
     * @return a handle that removes the listener
     * @throws NullPointerException if {@code listener} is null
     */
    ListenerRegistration addListener(AloAudioListener listener);
}
