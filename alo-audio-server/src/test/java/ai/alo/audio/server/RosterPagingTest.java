package ai.alo.audio.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.alo.audio.protocol.ChannelInfo;
import ai.alo.audio.protocol.Join;
import ai.alo.audio.protocol.Message;
import ai.alo.audio.protocol.ParticipantInfo;
import ai.alo.audio.protocol.ParticipantJoined;
import ai.alo.audio.protocol.ParticipantLeft;
import ai.alo.audio.protocol.Pong;
import ai.alo.audio.protocol.Roster;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import org.glassfish.tyrus.client.ClientManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Paged rosters: a channel of any size can be joined within the clients' message limit, the pages of one roster are
 * never split by other messages of the channel, and a join costs each other member one message.
 */
class RosterPagingTest {

    private static final int CLIENT_LIMIT = 64 * 1024;


    private AloAudioServer server;
    private ClientManager client;
    private final List<RawWebSocket> members = new ArrayList<>();
    private final List<TestPeer> peers = new ArrayList<>();

    @AfterEach
    void stopServer() throws Exception {
        peers.forEach(TestPeer::close);
        if (client != null) {
            client.shutdown();
        }
        if (server != null) {
            // kill, not stop: the raw members never answer a close frame, and nobody needs to be told.
            server.kill();
        }
        for (RawWebSocket member : members) {
            member.close();
        }
    }

    @Test
    void join_ofAChannelOf1000_comesInSeveralPagesEachWithinTheDefaultMessageLimit() throws Exception {
        server = AloAudioServer.builder().maxConnectionsPerAddress(2_000).build().start();
        client = ClientManager.createClient();
        TestPeer observer = peer("observer");
        observer.join("big");
        observer.awaitJoin();
        addRawMembers("big", 998);

        TestPeer last = peer("last");
        last.maxTextMessageSize(CLIENT_LIMIT);
        last.join("big", "join-1000");
        TestPeer.JoinAnswer answer = last.awaitJoin();

        assertEquals(1_000, answer.joined().participantCount());
        assertEquals("join-1000", answer.joined().requestId());
        assertTrue(answer.pages().size() >= 3, () -> answer.pages().size() + " pages");
        for (int i = 0; i < answer.pages().size(); i++) {
            int bytes = answer.pageTexts().get(i).getBytes(StandardCharsets.UTF_8).length;
            assertTrue(bytes <= 32 * 1024, "page " + i + " has " + bytes + " bytes, more than the page size");
            assertEquals(i == answer.pages().size() - 1, answer.pages().get(i).last());
            assertEquals("join-1000", answer.pages().get(i).requestId());
        }
        List<ParticipantInfo> all = answer.participants();
        assertEquals(1_000, all.size());
        assertEquals(1_000, all.stream().map(ParticipantInfo::connectionId).distinct().count());
        assertEquals("observer", all.get(0).userId(), "join order");
        assertEquals(answer.self(), all.get(999));
        Set<String> users = new HashSet<>();
        all.forEach(p -> users.add(p.userId()));
        for (int i = 0; i < 998; i++) {
            assertTrue(users.contains("m-" + i), "m-" + i);
        }
        assertEquals(all.stream().map(ParticipantInfo::connectionId).toList(),
                server.participants("big").stream().map(ChannelMember::connectionId).toList());
        assertTrue(last.isOpen(), "no page exceeded the 64 KiB limit");

        // The last join cost the observer exactly one message: the delta, not the list.
        Message delta = skipTo(observer, m -> m instanceof ParticipantJoined joined
                && joined.participant().userId().equals("last"));
        assertEquals(answer.self(), ((ParticipantJoined) delta).participant());
        observer.ping(42);
        assertEquals(new Pong(42), observer.next(Pong.class), "nothing else after the delta of the last join");
    }

    @Test
    void roster_withASmallPageSize_isSplitIntoPagesThatEachFitAndTogetherListEveryoneOnce() throws Exception {
        int pageBytes = 4 * 1024;
        server = AloAudioServer.builder().rosterPageBytes(pageBytes).build().start();
        client = ClientManager.createClient();
        addRawMembers("c", 150);
        TestPeer joiner = peer("joiner");
        joiner.join("c");
        TestPeer.JoinAnswer answer = joiner.awaitJoin();
        assertTrue(answer.pages().size() >= 3, () -> answer.pages().size() + " pages");
        for (String page : answer.pageTexts()) {
            assertTrue(page.getBytes(StandardCharsets.UTF_8).length <= pageBytes, page);
        }
        for (Roster page : answer.pages()) {
            assertFalse(page.participants().isEmpty());
        }
        List<String> users = answer.participants().stream().map(ParticipantInfo::userId).toList();
        assertEquals(151, users.size());
        assertEquals(151, new HashSet<>(users).size());
        assertEquals("joiner", users.get(150));
        assertEquals(server.participants("c").stream().map(ChannelMember::userId).toList(), users, "join order");
    }

    @Test
    void rosterPages_areNeverInterleavedWithAnotherJoinOfTheChannel() throws Exception {
        server = AloAudioServer.builder().rosterPageBytes(4 * 1024).build().start();
        client = ClientManager.createClient();
        addRawMembers("c", 150);
        TestPeer x = peer("x");
        TestPeer y = peer("y");
        for (int round = 0; round < 20; round++) {
            // Both joins in flight at once, on two connections served by different worker threads.
            x.join("c", "x-" + round);
            y.join("c", "y-" + round);
            TestPeer.JoinAnswer xJoin = x.awaitJoin();
            TestPeer.JoinAnswer yJoin = y.awaitJoin();
            assertTrue(xJoin.pages().size() >= 3);
            String yConnection = yJoin.joined().connectionId();
            String xConnection = xJoin.joined().connectionId();
            boolean yInXsRoster = xJoin.participants().stream().anyMatch(p -> p.connectionId().equals(yConnection));
            boolean xInYsRoster = yJoin.participants().stream().anyMatch(p -> p.connectionId().equals(xConnection));
            assertTrue(yInXsRoster ^ xInYsRoster, "exactly one joined first");
            if (!yInXsRoster) {
                assertEquals(yConnection, x.next(ParticipantJoined.class).participant().connectionId());
            } else {
                assertEquals(xConnection, y.next(ParticipantJoined.class).participant().connectionId());
            }
            // Out again for the next round: x first (y is told), then y.
            x.join("ex-" + round);
            x.awaitJoin();
            assertEquals(xConnection, y.next(ParticipantLeft.class).participant().connectionId());
            y.join("ey-" + round);
            y.awaitJoin();
            assertTrue(x.pending().isEmpty() && y.pending().isEmpty(), () -> x.pending() + " " + y.pending());
        }
    }

    /** Reads messages until one matches; returns it. */
    private static Message skipTo(TestPeer peer, Predicate<Message> condition)
            throws Exception {
        while (true) {
            Message message = peer.nextMessage();
            if (condition.test(message)) {
                return message;
            }
        }
    }

    /**
     * Joins {@code count} sessions (users m-0, m-1, ...) to a channel over raw sockets that never read again: each
     * waits only for its upgrade response, then sends hello and join. Four threads open them, to spend less of the
     * test's time waiting on round trips; returns when the server lists them all in the channel.
     */
    private void addRawMembers(String channel, int count) throws Exception {
        int threads = 4;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<List<RawWebSocket>>> parts = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int first = t;
                parts.add(pool.submit(() -> {
                    List<RawWebSocket> opened = new ArrayList<>();
                    for (int i = first; i < count; i += threads) {
                        String userId = "m-" + i;
                        RawWebSocket ws = RawWebSocket.upgraded(server.uri(),
                                server.tokens().issue(userId, Duration.ofHours(1)));
                        opened.add(ws);
                        ws.sendText(TestPeer.encode(TestPeer.helloOf(userId, "", TestPeer.RELAXED)));
                        ws.sendText(TestPeer.encode(new Join(null, new ChannelInfo(channel, channel, false))));
                    }
                    return opened;
                }));
            }
            for (Future<List<RawWebSocket>> part : parts) {
                members.addAll(part.get(120, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (server.participants(channel).stream().filter(m -> m.userId().startsWith("m-")).count() < count) {
            assertTrue(System.nanoTime() < deadline, () -> "only " + server.participants(channel).size()
                    + " of " + count + " joined");
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
    }

    private TestPeer peer(String userId) throws Exception {
        TestPeer peer = TestPeer.welcomed(client, server, userId, "");
        peers.add(peer);
        return peer;
    }
}
