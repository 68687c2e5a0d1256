package ai.alo.audio;

import ai.alo.audio.event.AloAudioEvent;
import ai.alo.audio.event.ConnectionChangeEvent;
import ai.alo.audio.event.DeviceListUpdateEvent;
import ai.alo.audio.event.DisconnectEvent;
import ai.alo.audio.event.ParticipantsChangedEvent;
import ai.alo.audio.event.ReconnectedEvent;

/**
 * Receives the events of an {@link AloAudio} client in plain Java (CDI applications observe the same events with
 * {@code @Observes}). Every method has a no-op default: implement the ones you need.
 *
 * <h2>Threading</h2>
 * <p>Calls come from the client's ordered dispatcher thread, one at a time and in the order of the state changes,
 * never from the thread that called {@code connect()} or {@code disconnect()} and never while the client holds a
 * lock. A listener may call back into the client ({@code connect()}, {@code disconnect()}, {@code close()}) without
 * deadlock. A listener must not block for long: it delays every later event of the client. A listener that throws
 * is logged (message {@code ALOAUD-1301}) and does not stop delivery to the others.
 *
 * <p>For each event, {@link #onEvent(AloAudioEvent)} is called first, then the typed method.
 *
 * @since 0.1
 */
public interface AloAudioListener {

    /**
     * Called for every event before its typed method.
     *
     * @param event the event
     */
    default void onEvent(AloAudioEvent event) {
    }

    /**
     * The connection state changed.
     *
     * @param event the transition
     */
    default void onConnectionChange(ConnectionChangeEvent event) {
    }

    /**
     * The participants of the joined channel changed.
     *
     * @param event the current participant list
     */
    default void onParticipantsChanged(ParticipantsChangedEvent event) {
    }

    /**
     * The media devices of the client's runtime changed, the ALO SDK's {@code onDeviceListUpdate}.
     *
     * @param event the kind that changed and its devices now
     * @since 0.2
     */
    default void onDeviceListUpdate(DeviceListUpdateEvent event) {
    }

    /**
     * A connection attempt ended: exactly once per attempt, on every path. No further event of that attempt follows.
     *
     * @param event how it ended
     */
    default void onDisconnect(DisconnectEvent event) {
    }

    /**
     * An automatic reconnect succeeded; see {@link ReconnectedEvent}.
     *
     * @param event the event
     * @since 0.3
     */
    default void onReconnected(ReconnectedEvent event) {
    }
}
