package ai.alo.audio.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.alo.audio.AloAudio;
import ai.alo.audio.AloAudioRuntimeConfig;
import ai.alo.audio.ConnectionState;
import ai.alo.audio.Participant;
import ai.alo.audio.event.ParticipantsChangedEvent;
import ai.alo.audio.server.AloAudioServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Large channels: the roster arrives in pages, so a channel of any size joins within the message limit; afterwards
 * every join or leave is one delta event (O(1) on the client), and each event's roster stays as it was.
 */
class LargeChannelTest {

    @Test
    void rosterOverManyPages_isJoinedWhole_thenChangesAreDeltas_andSnapshotsStayAsTheyWere() throws Exception {
        // 4 KiB pages hold about 30 participants: a channel of 100 needs several
        try (ServerFixture fixture = new ServerFixture(AloAudioServer.builder().rosterPageBytes(4096))) {
            List<String> users = new ArrayList<>();
            for (int i = 0; i < 99; i++) {
                String user = ServerFixture.newUserId();
                users.add(user);
                fixture.client(user, null).connect(ServerFixture.CHANNEL).get(10, TimeUnit.SECONDS);
            }
            String last = ServerFixture.newUserId();
            users.add(last);
            RecordingListener events = new RecordingListener();
            AloAudio audio = fixture.client(last, events);
            audio.connect(ServerFixture.CHANNEL).get(10, TimeUnit.SECONDS);

            ParticipantsChangedEvent initial = events.next(ParticipantsChangedEvent.class);
            assertTrue(initial.isInitial());
            assertEquals(100, initial.roster().size());
            assertEquals(users, initial.participants().stream().map(Participant::userId).toList(), "in join order");
            assertEquals(initial.participants(), audio.participants());

            String newcomer = ServerFixture.newUserId();
            AloAudio joining = fixture.client(newcomer, null);
            joining.connect(ServerFixture.CHANNEL).get(10, TimeUnit.SECONDS);
            ParticipantsChangedEvent joined = events.next(ParticipantsChangedEvent.class);
            assertEquals(List.of(newcomer), joined.joined().stream().map(Participant::userId).toList());
            assertEquals(List.of(), joined.left());
            assertEquals(101, joined.roster().size());

            joining.disconnect();
            ParticipantsChangedEvent left = events.next(ParticipantsChangedEvent.class);
            assertEquals(List.of(), left.joined());
            assertEquals(List.of(newcomer), left.left().stream().map(Participant::userId).toList());
            assertEquals(100, left.roster().size());

            // the earlier snapshots, read only now, are as they were
            assertEquals(100, initial.participants().size());
            assertEquals(101, joined.participants().size());
            assertEquals(newcomer, joined.participants().get(100).userId());
        }
    }

    @Test
    void channelOf1000Participants_isJoinable_withTheDefaultMessageLimit() throws Exception {
        int size = 1000;
        try (ServerFixture fixture = new ServerFixture(AloAudioServer.builder().maxConnectionsPerAddress(2 * size),
                AloAudioRuntimeConfig.builder())) {
            List<CompletableFuture<?>> connects = new ArrayList<>();
            for (int i = 0; i < size - 1; i++) {
                String user = ServerFixture.newUserId();
                // a relaxed heartbeat: 1,000 clients of one test JVM need not ping every second
                AloAudio client = fixture.client(fixture.config(user).name(user).connectTimeout(Duration.ofSeconds(60))
                        .heartbeatInterval(Duration.ofSeconds(10)).heartbeatTimeout(Duration.ofSeconds(30)).build(),
                        null);
                connects.add(client.connect(ServerFixture.CHANNEL));
                if (connects.size() % 50 == 0) {
                    CompletableFuture.allOf(connects.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
                }
            }
            CompletableFuture.allOf(connects.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
            String last = ServerFixture.newUserId();
            RecordingListener events = new RecordingListener();
            AloAudio audio = fixture.client(fixture.config(last).name(last).connectTimeout(Duration.ofSeconds(60))
                    .build(), events);
            audio.connect(ServerFixture.CHANNEL).get(90, TimeUnit.SECONDS);

            ParticipantsChangedEvent initial = events.next(ParticipantsChangedEvent.class);
            assertEquals(size, initial.roster().size());
            assertEquals(size, audio.participants().size());
            assertEquals(ConnectionState.CONNECTED, audio.state());
        }
    }
}
