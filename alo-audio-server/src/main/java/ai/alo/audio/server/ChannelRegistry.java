package ai.alo.audio.server;

import ai.alo.audio.protocol.ChannelInfo;
import ai.alo.audio.protocol.Joined;
import ai.alo.audio.protocol.MessageCodec;
import ai.alo.audio.protocol.ParticipantInfo;
import ai.alo.audio.protocol.ParticipantJoined;
import ai.alo.audio.protocol.ParticipantLeft;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The channels of a server and their members: join, leave, and the broadcasts that tell the other members. Every join
 * gets a fresh connection id, except the first join of a resumed session to the channel it was in, which gets its
 * earlier one back. A join or
 * a leave costs one small message ({@code participant.joined} / {@code participant.left}, encoded once) to each other
 * member and never resends the list; the joiner gets {@code joined} and its roster pages (a {@link RosterPages} item
 * queued right behind it, encoded later outside the lock).
 *
 * <p>Guarded by the {@link StateLock}: call every method with it held.
 */
final class ChannelRegistry {

    private static final System.Logger LOG = System.getLogger(AloAudioServer.class.getPackageName());

    /**
     * A session's membership of a channel.
     *
     * @param channelId   the channel
     * @param session     the member's session
     * @param participant the participant as the others see it
     * @param jsonBytes   the size of the participant in a roster page ({@link RosterPager#sizeOf})
     */
    record Member(String channelId, ClientSession session, ParticipantInfo participant, int jsonBytes) {

        ChannelMember toPublic() {
            return new ChannelMember(participant.connectionId(), participant.userId(), participant.name(),
                    participant.muted());
        }
    }

    private final Map<String, Map<String, Member>> channels = new HashMap<>();
    private final MessageCodec codec;
    private final RosterPager pager;
    private final RandomIds ids;

    ChannelRegistry(MessageCodec codec, RosterPager pager, RandomIds ids) {
        this.codec = codec;
        this.pager = pager;
        this.ids = ids;
    }

    /**
     * Adds a session to a channel (after leaving its current one, if any, with reason {@code "left"}): tells the other
     * members, answers {@code joined} and queues the roster pages.
     *
     * @param session   an active session
     * @param requestId the join's request id, or null
     * @param channel   the channel, its id already checked
     * @param fx        the effects of the locked section
     */
    void join(ClientSession session, String requestId, ChannelInfo channel, Effects fx) {
        if (session.member != null) {
            leave(session, "left", true, fx);
        }
        String channelId = channel.id();
        Map<String, Member> members = channels.computeIfAbsent(channelId, k -> new LinkedHashMap<>());
        String connectionId = resumedConnectionId(session, channelId, members);
        ParticipantInfo participant = new ParticipantInfo(connectionId, session.userId, session.user.name(), true);
        Member member = new Member(channelId, session, participant, pager.sizeOf(participant));
        if (!members.isEmpty()) {
            String announcement = codec.encode(new ParticipantJoined(channelId, participant));
            for (Member other : members.values()) {
                fx.send(other.session(), announcement);
            }
        }
        members.put(participant.connectionId(), member);
        session.member = member;

        ParticipantInfo[] roster = new ParticipantInfo[members.size()];
        int[] sizes = new int[roster.length];
        int i = 0;
        for (Member m : members.values()) {
            roster[i] = m.participant();
            sizes[i++] = m.jsonBytes();
        }
        fx.send(session, codec.encode(new Joined(requestId, channel, participant.connectionId(), roster.length)));
        fx.send(session, new RosterPages(pager, requestId, channelId, roster, sizes));
        ChannelMember joined = member.toPublic();
        fx.event(l -> l.onParticipantJoined(channelId, joined));
        LOG.log(Level.DEBUG, () -> "Session " + session.sessionId + " joined " + channelId + " as "
                + participant.connectionId() + " (" + roster.length + " members)");
    }

    /**
     * The connection id of a join: a resumed session's first join of the channel it was in gets its earlier id back
     * (unless a member holds it); every other join a fresh one. The earlier id is offered once.
     */
    private String resumedConnectionId(ClientSession session, String channelId, Map<String, Member> members) {
        String earlier = session.resumedConnectionId;
        boolean reuse = earlier != null && !earlier.isEmpty() && channelId.equals(session.resumedChannelId)
                && !members.containsKey(earlier);
        session.resumedChannelId = null;
        session.resumedConnectionId = null;
        return reuse ? earlier : ids.next("p-");
    }

    /**
     * Removes a session from its channel.
     *
     * @param session    the session
     * @param reason     the {@code participant.left} reason
     * @param tellOthers whether the other members get {@code participant.left} (not during a shutdown)
     * @param fx         the effects of the locked section
     * @return {@code false} when the session was in no channel
     */
    boolean leave(ClientSession session, String reason, boolean tellOthers, Effects fx) {
        Member member = session.member;
        if (member == null) {
            return false;
        }
        session.member = null;
        String channelId = member.channelId();
        Map<String, Member> members = channels.get(channelId);
        if (members == null || members.remove(member.participant().connectionId()) == null) {
            return true;
        }
        if (members.isEmpty()) {
            channels.remove(channelId);
        } else if (tellOthers) {
            String announcement = codec.encode(new ParticipantLeft(channelId, member.participant(), reason));
            for (Member other : members.values()) {
                fx.send(other.session(), announcement);
            }
        }
        ChannelMember left = member.toPublic();
        fx.event(l -> l.onParticipantLeft(channelId, left, reason));
        LOG.log(Level.DEBUG, () -> "Session " + session.sessionId + " left " + channelId + ": " + reason);
        return true;
    }

    /** The members of a channel in join order, or an empty list. */
    List<ChannelMember> members(String channelId) {
        Map<String, Member> members = channels.get(channelId);
        if (members == null) {
            return List.of();
        }
        List<ChannelMember> list = new ArrayList<>(members.size());
        for (Member member : members.values()) {
            list.add(member.toPublic());
        }
        return List.copyOf(list);
    }

    /** Forgets every channel (the transport is gone). */
    void clear() {
        channels.clear();
    }
}
