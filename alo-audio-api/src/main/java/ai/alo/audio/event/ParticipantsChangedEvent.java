package ai.alo.audio.event;

import ai.alo.audio.AudioChannel;
import ai.alo.audio.Participant;
import ai.alo.audio.ParticipantRoster;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The participants of the joined channel changed; the Java form of the ALO SDK's {@code onParticipantsChanged}.
 *
 * <p>Emitted once when the channel is joined ({@link #joined()} then holds every participant, this client included),
 * and again for each participant who joins or leaves afterwards ({@link #joined()} or {@link #left()} holds that one
 * participant). The events carry deltas, so one join or leave costs O(1) however large the channel; the whole list as
 * it was at this event is available from {@link #roster()} (built only when asked). Compare
 * {@link Participant#connectionId()} with {@link #currentParticipantId()} to find this client.
 *
 * @param clientName           the client's name
 * @param channel              the channel
 * @param currentParticipantId the connection id of this client in the channel
 * @param joined               participants who joined with this change (on joining the channel: all of them);
 *                             immutable
 * @param left                 participants who left with this change; immutable
 * @param roster               the channel's participants right after this change
 * @param timestamp            when the change was received
 * @since 0.1
 */
public record ParticipantsChangedEvent(String clientName, AudioChannel channel, String currentParticipantId,
                                       List<Participant> joined, List<Participant> left, ParticipantRoster roster,
                                       Instant timestamp)
        implements AloAudioEvent {

    /**
     * Validates the components and copies the lists.
     *
     * @throws NullPointerException if a component is null
     */
    public ParticipantsChangedEvent {
        Objects.requireNonNull(clientName, "clientName");
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(currentParticipantId, "currentParticipantId");
        joined = List.copyOf(joined);
        left = List.copyOf(left);
        Objects.requireNonNull(roster, "roster");
        Objects.requireNonNull(timestamp, "timestamp");
    }

    /**
     * The whole participant list right after this change, in join order; the ALO SDK's {@code participants}.
     * Shorthand for {@code roster().list()}.
     *
     * @return an immutable list, built on the first call
     */
    public List<Participant> participants() {
        return roster.list();
    }

    /**
     * Whether this is the first event of a join, which lists every participant in {@link #joined()}.
     *
     * @return {@code true} on joining the channel
     */
    public boolean isInitial() {
        return left.isEmpty() && joined.size() == roster.size();
    }
}
