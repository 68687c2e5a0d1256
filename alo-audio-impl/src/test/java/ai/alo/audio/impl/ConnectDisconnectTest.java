package ai.alo.audio.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.alo.audio.AloAudio;
import ai.alo.audio.ConnectionState;
import ai.alo.audio.DisconnectReason;
import ai.alo.audio.Initiator;
import ai.alo.audio.Participant;
import ai.alo.audio.event.AloAudioEvent;
import ai.alo.audio.event.ConnectionChangeEvent;
import ai.alo.audio.event.DisconnectEvent;
import ai.alo.audio.event.ParticipantsChangedEvent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Set;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Contract items 1 and 5: what {@code disconnect()} leaves behind, and a connect after it. */
class ConnectDisconnectTest extends ServerBackedTest {

    @Test
    void connect_reachesConnected_withEventsInOrderOnTheDispatcherThread() throws Exception {
        RecordingListener events = new RecordingListener();
        String user = ServerFixture.newUserId();
        AloAudio audio = fixture.client(user, events);
        assertEquals(ConnectionState.NOT_CONNECTED, audio.state());

        assertEquals(ServerFixture.CHANNEL, audio.connect(ServerFixture.CHANNEL).get(10, TimeUnit.SECONDS));

        assertEquals(ConnectionState.CONNECTED, audio.state());
        assertEquals(ConnectionState.CONNECTING, events.next(ConnectionChangeEvent.class).state());
        assertEquals(ConnectionState.ACQUIRING_ACCESS, events.next(ConnectionChangeEvent.class).state());
        assertEquals(ConnectionState.CONNECTED, events.next(ConnectionChangeEvent.class).state());
        ParticipantsChangedEvent participants = events.next(ParticipantsChangedEvent.class);
        assertEquals(List.of(user), participants.participants().stream().map(Participant::userId).toList());
        assertEquals(audio.connectionId().orElseThrow(), participants.currentParticipantId());
        assertTrue(audio.sessionId().isPresent());
        for (Thread thread : events.threads) {
            assertNotEquals(Thread.currentThread(), thread);
            assertTrue(thread.getName().startsWith(fixture.runtime.config().name() + "-event-"), thread.getName());
        }
    }

    @Test
    void disconnect_whenConnected_leavesTellsOthersAtOnceAndReleasesEverything() throws Exception {
        // a heartbeat timeout far longer than the bound below proves the others were told by the leave
        String watcherId = ServerFixture.newUserId();
        RecordingListener watcherEvents = new RecordingListener();
        AloAudio watcher = fixture.client(fixture.config(watcherId).name(watcherId)
                .heartbeatInterval(Duration.ofSeconds(5)).heartbeatTimeout(Duration.ofSeconds(30)).build(),
                watcherEvents);
        watcher.connect(ServerFixture.CHANNEL).get(10, TimeUnit.SECONDS);

        String user = ServerFixture.newUserId();
        RecordingListener events = new RecordingListener();
        AloAudio audio = fixture.client(fixture.config(user).name(user)
                .heartbeatInterval(Duration.ofSeconds(5)).heartbeatTimeout(Duration.ofSeconds(30)).build(), events);
        audio.connect(ServerFixture.CHANNEL).get(10, TimeUnit.SECONDS);
        watcherEvents.await("watcher sees the user", all -> lastParticipants(all).size() == 2);

        long start = System.nanoTime();
        audio.disconnect();
        long disconnectMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        // state and resources, checked right after the call returned
        assertEquals(ConnectionState.DISCONNECTED, audio.state());
        assertTrue(audio.channel().isEmpty());
        assertTrue(audio.participants().isEmpty());
        // what the runtime still holds is the watcher's: its socket, its heartbeat ping and watchdog
        assertEquals(1, fixture.runtime.openConnections(), "sockets held: the watcher's only");
        assertEquals(2, fixture.runtime.pendingTimerTasks(), "timer tasks held: the watcher's only");
        assertTrue(disconnectMillis < 2000, "disconnect() took " + disconnectMillis + " ms");

        // the server saw leave, then close 1000
        fixture.events.await("closed " + user);
        List<String> serverSide = fixture.events.entriesFor(user);
        int leave = serverSide.indexOf("message " + user + " leave");
        int left = serverSide.indexOf("left " + user + " dispatch left");
        int closed = serverSide.indexOf("closed " + user + " 1000");
        assertTrue(leave >= 0 && left > leave && closed > left, "server side: " + serverSide);

        // the other participant was told at once (well before any heartbeat timeout)
        long told = System.nanoTime();
        watcherEvents.await("watcher sees the user leave", all -> lastParticipants(all).size() == 1);
        assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) < 5000);
        assertTrue(told > 0);

        // exactly one DisconnectEvent, DISCONNECTED, as in the ALO SDK
        DisconnectEvent event = events.nextDisconnect();
        assertEquals(ConnectionState.DISCONNECTED, event.state());
        assertEquals("", event.message());
        assertEquals(DisconnectReason.CLIENT_INITIATED, event.reason());
        assertEquals(Initiator.CLIENT, event.initiator());
        assertEquals(1000, event.closeCode());
        assertEquals(ServerFixture.CHANNEL, event.channel());
        assertEquals(user, event.user().id());
        assertTrue(event.wasConnected());
        assertFalse(event.willReconnect());
        assertTrue(event.sessionId() != null && !event.sessionId().isEmpty());

        audio.disconnect();
        audio.close();
        assertEquals(1, events.disconnects().size(), "DisconnectEvents: " + events.disconnects());
    }

    @Test
    void connect_afterDisconnect_worksOnTheSameClient() throws Exception {
        RecordingListener events = new RecordingListener();
        String user = ServerFixture.newUserId();
        AloAudio audio = fixture.client(user, events);
        for (int i = 0; i < 3; i++) {
            audio.connect(ServerFixture.CHANNEL).get(10, TimeUnit.SECONDS);
            assertEquals(ConnectionState.CONNECTED, audio.state());
            audio.disconnect();
            assertEquals(ConnectionState.DISCONNECTED, audio.state());
        }
        events.await("three disconnects", all -> count(all, DisconnectEvent.class) == 3);
    }

    @Test
    void connect_issuedRightAfterDisconnect_isNotClosedByIt() throws Exception {
        String user = ServerFixture.newUserId();
        RecordingListener events = new RecordingListener();
        AloAudio audio = fixture.client(user, events);
        for (int i = 0; i < 20; i++) {
            audio.connect(ServerFixture.CHANNEL).get(10, TimeUnit.SECONDS);
            Thread disconnecting = new Thread(audio::disconnect);
            disconnecting.start();
            // connect() while the other thread may be mid-disconnect: it waits, then starts a fresh attempt
            while (audio.state() == ConnectionState.CONNECTED && disconnecting.isAlive()) {
                Thread.onSpinWait();
            }
            audio.connect(ServerFixture.CHANNEL).get(10, TimeUnit.SECONDS);
            disconnecting.join(5000);
            assertEquals(ConnectionState.CONNECTED, audio.state(), "round " + i);
            audio.disconnect();
        }
        events.await("twenty... disconnects", all -> count(all, DisconnectEvent.class) == 40);
        assertEquals(40, events.disconnects().stream().filter(e -> e.state() == ConnectionState.DISCONNECTED)
                .count());
    }

    @Test
    void disconnect_letsTheServerCloseFirst_soTheClientHoldsNoTimeWait() throws Exception {
        assumeTrue(Files.isReadable(Path.of("/proc/net/tcp")), "needs Linux /proc/net/tcp");
        int serverPort = fixture.server.uri().getPort();
        Set<Integer> before = clientPorts(serverPort, ESTABLISHED);
        AloAudio audio = fixture.client(ServerFixture.newUserId(), new RecordingListener());
        audio.connect(ServerFixture.CHANNEL).get(10, TimeUnit.SECONDS);
        Set<Integer> ours = clientPorts(serverPort, ESTABLISHED);
        ours.removeAll(before);
        assertEquals(1, ours.size(), "the client's socket: " + ours);
        int clientPort = ours.iterator().next();

        audio.disconnect();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (fixture.runtime.openConnections() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertEquals(0, fixture.runtime.openConnections());

        // the server's side of this connection is in TIME_WAIT (it closed first); the client's side is gone
        List<String[]> entries = tcpEntries();
        assertTrue(entries.stream().anyMatch(e -> port(e[1]) == serverPort && port(e[2]) == clientPort
                && TIME_WAIT.equals(e[3])), "the server holds the TIME_WAIT");
        assertFalse(entries.stream().anyMatch(e -> port(e[1]) == clientPort && port(e[2]) == serverPort),
                "the client holds nothing of the connection");
    }

    private static final String ESTABLISHED = "01";
    private static final String TIME_WAIT = "06";

    /** Local ports of sockets connected to {@code serverPort} in the given state. */
    private static Set<Integer> clientPorts(int serverPort, String state) throws IOException {
        Set<Integer> ports = new HashSet<>();
        for (String[] e : tcpEntries()) {
            if (port(e[2]) == serverPort && state.equals(e[3])) {
                ports.add(port(e[1]));
            }
        }
        return ports;
    }

    /** Rows of /proc/net/tcp and tcp6: {@code sl, local, remote, state, ...}. */
    private static List<String[]> tcpEntries() throws IOException {
        List<String[]> entries = new ArrayList<>();
        for (String file : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            Path path = Path.of(file);
            if (!Files.isReadable(path)) {
                continue;
            }
            List<String> lines = Files.readAllLines(path);
            for (String line : lines.subList(1, lines.size())) {
                entries.add(line.trim().split("\\s+"));
            }
        }
        return entries;
    }

    private static int port(String address) {
        return Integer.parseInt(address.substring(address.indexOf(':') + 1), 16);
    }

    static List<Participant> lastParticipants(List<AloAudioEvent> all) {
        List<Participant> last = List.of();
        for (AloAudioEvent e : all) {
            if (e instanceof ParticipantsChangedEvent p) {
                last = p.participants();
            }
        }
        return last;
    }

    static long count(List<AloAudioEvent> all, Class<? extends AloAudioEvent> type) {
        return all.stream().filter(type::isInstance).count();
    }

}
