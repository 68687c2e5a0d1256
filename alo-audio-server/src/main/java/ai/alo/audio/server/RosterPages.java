package ai.alo.audio.server;

import ai.alo.audio.protocol.ParticipantInfo;
import java.util.List;

/**
 * An outbound queue item of a {@link ClientSession}: a channel's roster as it was when the session joined, queued
 * under the state lock right after {@code joined} and encoded into its pages only when the queue is drained (outside
 * the lock). Because the pages are one queue item, no other message can come between them.
 *
 * @param pager        the pager
 * @param requestId    the join's request id, or null
 * @param channelId    the channel
 * @param participants the members at the time of the join, in join order (a private copy)
 * @param sizes        the {@link RosterPager#sizeOf} of each
 */
record RosterPages(RosterPager pager, String requestId, String channelId, ParticipantInfo[] participants,
                   int[] sizes) {

    /** The encoded pages. */
    List<String> encode() {
        return pager.pages(requestId, channelId, participants, sizes);
    }
}
