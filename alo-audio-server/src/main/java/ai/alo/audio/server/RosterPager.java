package ai.alo.audio.server;

import ai.alo.audio.protocol.MessageCodec;
import ai.alo.audio.protocol.ParticipantInfo;
import ai.alo.audio.protocol.Roster;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Splits a channel's participant list into {@code roster} messages of at most {@code pageBytes} UTF-8 bytes each, the
 * last one marked {@code last} (see "Rosters are paged" in {@code docs/protocol.md}). The size of each participant's
 * JSON is measured once, when it joins ({@link #sizeOf}); a roster then costs one encode per page. Thread-safe.
 */
final class RosterPager {

    /** The smallest page size: room for the longest possible participant plus the message's own members. */
    static final int MIN_PAGE_BYTES = 4 * 1024;

    private final MessageCodec codec;
    private final int pageBytes;
    private final int emptyRosterBytes;

    RosterPager(MessageCodec codec, int pageBytes) {
        this.codec = codec;
        this.pageBytes = pageBytes;
        this.emptyRosterBytes = Reasons.utf8Length(codec.encode(new Roster(null, "x", List.of(), false)));
    }

    /**
     * The UTF-8 size of a participant's JSON object inside a roster's {@code participants} array.
     *
     * @param participant the participant
     * @return the size in bytes
     */
    int sizeOf(ParticipantInfo participant) {
        return Reasons.utf8Length(codec.encode(new Roster(null, "x", List.of(participant), false))) - emptyRosterBytes;
    }

    /**
     * The encoded pages of a roster, in order. Each page holds at least one participant, so every participant is
     * listed exactly once even if one alone were larger than a page (which {@link #MIN_PAGE_BYTES} rules out).
     *
     * @param requestId    the join's request id, or null
     * @param channelId    the channel
     * @param participants the participants, in join order
     * @param sizes        {@link #sizeOf} of each participant
     * @return the encoded {@code roster} messages, the last marked {@code last}
     */
    List<String> pages(String requestId, String channelId, ParticipantInfo[] participants, int[] sizes) {
        // "false" is one byte longer than "true", so the base of a non-last page bounds every page.
        long base = Reasons.utf8Length(codec.encode(new Roster(requestId, channelId, List.of(), false)));
        List<String> pages = new ArrayList<>(2);
        int start = 0;
        long size = base;
        for (int i = 0; i < participants.length; i++) {
            long add = sizes[i] + (i > start ? 1 : 0);
            if (i > start && size + add > pageBytes) {
                pages.add(page(requestId, channelId, participants, start, i, false));
                start = i;
                size = base + sizes[i];
            } else {
                size += add;
            }
        }
        pages.add(page(requestId, channelId, participants, start, participants.length, true));
        return pages;
    }

    private String page(String requestId, String channelId, ParticipantInfo[] participants, int from, int to,
                        boolean last) {
        return codec.encode(new Roster(requestId, channelId, Arrays.asList(participants).subList(from, to), last));
    }
}
