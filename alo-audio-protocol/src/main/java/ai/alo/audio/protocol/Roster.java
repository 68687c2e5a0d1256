package ai.alo.audio.protocol;

import java.util.List;

/**
 * Server to client: one page of a channel's participants, sent right after {@link Joined}. A roster is split into
 * pages so that each message stays far below the message size limit whatever the channel's size; the pages of one
 * roster are sent back to back, with no other message of the channel between them.
 *
 * @param requestId    the join's request id, or null
 * @param channelId    the channel
 * @param participants the participants on this page (the joiner among them on some page)
 * @param last         whether this is the roster's last page
 */
@MessageType("roster")
public record Roster(String requestId, String channelId, List<ParticipantInfo> participants, boolean last)
        implements Reply {

    /** Checks the components and copies the list. */
    public Roster {
        requestId = Checks.requestId(requestId);
        Checks.nonBlank(channelId, "channelId");
        participants = List.copyOf(Checks.present(participants, "participants"));
    }
}
