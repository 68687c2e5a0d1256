package ai.alo.audio.event;

import java.time.Instant;

/**
 * The root of every event an {@link ai.alo.audio.AloAudio} client emits. Non-generic, so that it can be a CDI event
 * type; sealed, so that the implementation alone constructs events.
 *
 * <h2>Compatibility</h2>
 * <p><b>New event types may be added</b> in any later version (media, push-to-talk, reconnects will add theirs), and
 * new components may be added to the existing records. So: handle the types you know and ignore the others; a
 * {@code switch} over an {@code AloAudioEvent} must have a {@code default} branch, because the compiler's exhaustiveness
 * check for sealed types does not survive an added type; an {@code @Observes AloAudioEvent} observer receives the new
 * types too. Existing types keep their meaning, their state values and their {@link #clientName()} and {@link
 * #timestamp()}.
 *
 * @since 0.1
 */
public sealed interface AloAudioEvent permits ConnectionChangeEvent, DeviceListUpdateEvent, DisconnectEvent,
        ParticipantsChangedEvent, ReconnectedEvent {

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
