package ai.alo.audio.event;

import java.time.Instant;

/**
 * The root of every event an {@link ai.alo.audio.AloAudio} client emits. Sealed and non-generic, so that it can be
 * a CDI event type and so that {@code instanceof} chains over it are checked.
 *
 * @since 0.1
 */
public sealed interface AloAudioEvent permits ConnectionChangeEvent, DisconnectEvent, ParticipantsChangedEvent {

    /**
     * The name of the client that emitted this event ({@code "default"} for the default client).
     *
     * @return the client name; never null
     */
    String clientName();

    /**
     * When the state change behind this event happened.
     *
     * @return the instant; never null
     */
    Instant timestamp();
}
