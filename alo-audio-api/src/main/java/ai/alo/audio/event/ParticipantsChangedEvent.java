package ai.alo.audio.event;

import ai.alo.audio.AudioChannel;
import ai.alo.audio.Participant;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The participants of the joined channel changed; the Java form of the ALO SDK's {@code onParticipantsChanged}.
 * Emitted once when the channel is joined, with the current list, and again each time a participant joins or
 * leaves. The list includes this client itself; compare {@link Participant#connectionId()} with
 * {@link #currentParticipantId()} to find it.
 *
 * @param clientName           the client's name
 * @param channel              the channel
 * @param currentParticipantId the connection id of this client in the channel
 * @param participants         the full, current list; immutable
 * @param timestamp            when the change was received
 * @since 0.1
 */
public record ParticipantsChangedEvent(String clientName, AudioChannel channel, String currentParticipantId,
                                       List<Participant> participants, Instant timestamp)
        implements AloAudioEvent {

    /**
     * Validates the components and copies the list.
     *
     * @throws NullPointerException if a component is null
     */
    public ParticipantsChangedEvent {
        Objects.requireNonNull(clientName, "clientName");
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(currentParticipantId, "currentParticipantId");
        participants = List.copyOf(participants);
        Objects.requireNonNull(timestamp, "timestamp");
    }
}
