package ai.alo.audio;

import java.util.List;

/**
 * The participants of a channel at one moment: an immutable snapshot, carried by every
 * {@link ai.alo.audio.event.ParticipantsChangedEvent}.
 *
 * <p>Taking a snapshot costs O(1) when the roster changes: a channel of thousands of participants is not copied on
 * every join or leave. The list is built only when {@link #list()} is first called on a snapshot (O(n)), and then kept.
 * A snapshot never changes, whatever happens in the channel later, so a slow or asynchronous observer sees the
 * roster as it was when its event happened.
 *
 * <p>Implementations are thread-safe.
 *
 * @since 0.1
 */
public interface ParticipantRoster {

    /**
     * How many participants the channel had, this client included.
     *
     * @return the count; O(1)
     */
    int size();

    /**
     * The participants, in the order they joined, this client included.
     *
     * @return an immutable list; built on the first call (O(n)), then cached
     */
    List<Participant> list();
}
