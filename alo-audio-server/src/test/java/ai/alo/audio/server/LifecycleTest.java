package ai.alo.audio.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import ai.alo.audio.protocol.CloseCodes;
import ai.alo.audio.protocol.End;
import ai.alo.audio.protocol.ParticipantJoined;
import ai.alo.audio.protocol.Pong;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import org.glassfish.tyrus.client.ClientManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** Start, stop, kill, resources, several servers per JVM, the standalone entry point. */
class LifecycleTest {

    private static final byte[] SECRET = "lifecycle-test-secret-0123456789abcdef".getBytes(StandardCharsets.UTF_8);

    private ClientManager client;
    private final List<AloAudioServer> servers = new ArrayList<>();
    private final List<TestPeer> peers = new ArrayList<>();

    @BeforeEach
    void createClient() {
        client = ClientManager.createClient();
    }

    @AfterEach
    void cleanUp() {
        peers.forEach(TestPeer::close);
        client.shutdown();
        servers.forEach(AloAudioServer::kill);
    }

    @ParameterizedTest(name = "faultInjection={0}")
    @ValueSource(booleans = {true, false})
    void stop_sendsEndShutdownThenClose1001ToEverySession(boolean faultInjection) throws Exception {
        AloAudioServer server = start(AloAudioServer.builder().faultInjection(faultInjection));
        TestPeer ann = welcomed(server, "u-1");
        TestPeer bob = welcomed(server, "u-2");
        ann.join("dispatch");
        ann.awaitJoin();
        bob.join("dispatch");
        bob.awaitJoin();
        ann.next(ParticipantJoined.class);

        server.stop();

        for (TestPeer peer : List.of(ann, bob)) {
            assertEquals(new End("shutdown", "The server is shutting down"), peer.next(End.class));
            peer.assertClosedWith(CloseCodes.GOING_AWAY);
            assertTrue(peer.pending().isEmpty(), () -> "nothing after end: " + peer.pending());
        }
        assertFalse(server.isRunning());
        assertTrue(server.sessions().isEmpty());
    }

    @ParameterizedTest(name = "faultInjection={0}")
    @ValueSource(booleans = {true, false})
    void kill_closesEveryConnectionWithoutCloseFrame(boolean faultInjection) throws Exception {
        AloAudioServer server = start(AloAudioServer.builder().faultInjection(faultInjection));
        RecordingServerListener events = new RecordingServerListener();
        server.addListener(events);
        TestPeer ann = welcomed(server, "u-1");
        TestPeer bob = welcomed(server, "u-2");

        server.kill();

        for (TestPeer peer : List.of(ann, bob)) {
            peer.assertClosedWith(CloseCodes.ABNORMAL);
            assertTrue(peer.pending().isEmpty(), () -> "no end message on kill: " + peer.pending());
        }
        assertEquals(CloseCodes.ABNORMAL, events.awaitClosed("u-1").code());
        assertTrue(server.sessions().isEmpty());
        assertThrows(IllegalStateException.class, server::start);
    }

    @ParameterizedTest(name = "kill={0}")
    @ValueSource(booleans = {false, true})
    void stop_releasesEveryThreadTheServerStarted(boolean kill) throws Exception {
        Set<Thread> before = liveThreads();
        AloAudioServer server = AloAudioServer.builder().build();
        server.start();
        ClientManager ownClient = ClientManager.createClient();
        try {
            TestPeer ann = TestPeer.welcomed(ownClient, server, "u-1", "");
            TestPeer bob = TestPeer.welcomed(ownClient, server, "u-2", "");
            ann.join("a");
            ann.awaitJoin();
            bob.join("a");
            bob.awaitJoin();
            bob.ping(1);
            assertEquals(new Pong(1), bob.next(Pong.class));
            assertTrue(server.freeze("u-2"));
            ann.close();
            bob.close();
        } finally {
            ownClient.shutdown();
        }
        if (kill) {
            server.kill();
        } else {
            server.stop();
        }
        awaitNoThreadsBeyond(before);
    }

    @Test
    void threadCount_whileServing_staysFixed() throws Exception {
        AloAudioServer server = start(AloAudioServer.builder());
        Set<String> atStart = serverThreadNames();
        assertEquals(9, atStart.size(), () -> "threads: " + atStart);
        List<TestPeer> many = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            TestPeer peer = welcomed(server, "u-" + i);
            peer.join("busy");
            many.add(peer);
        }
        for (TestPeer peer : many) {
            peer.awaitJoin();
        }
        for (int round = 0; round < 50; round++) {
            for (TestPeer peer : many) {
                peer.ping(round);
            }
        }
        for (TestPeer peer : many) {
            int pongs = 0;
            while (pongs < 50) {
                if (peer.nextText().contains("\"type\":\"pong\"")) {
                    pongs++;
                }
            }
        }
        assertEquals(atStart, serverThreadNames());
    }

    @Test
    void servers_twoInOneJvm_areIndependent() throws Exception {
        AloAudioServer first = start(AloAudioServer.builder());
        AloAudioServer second = start(AloAudioServer.builder());
        assertTrue(first.port() != second.port());

        TestPeer onFirst = welcomed(first, "u-1");
        TestPeer onSecond = welcomed(second, "u-1");
        TestPeer wrongServer = TestPeer.connect(client, second.uri(), first.tokens().issue("u-1",
                Duration.ofHours(1)));
        peers.add(wrongServer);
        wrongServer.assertClosedWith(CloseCodes.TOKEN_INVALID);

        first.stop();
        onFirst.assertClosedWith(CloseCodes.GOING_AWAY);
        onSecond.ping(9);
        assertEquals(new Pong(9), onSecond.next(Pong.class));
        assertEquals(1, second.sessions().size());
    }

    @Test
    void port_whenZero_reportsTheBoundPortInTheUri() {
        AloAudioServer server = start(AloAudioServer.builder());
        assertTrue(server.port() > 0);
        assertEquals(URI.create("ws://127.0.0.1:" + server.port() + "/audio"), server.uri());
    }

    @ParameterizedTest(name = "faultInjection={0}")
    @ValueSource(booleans = {true, false})
    void port_whenFixed_canBeReusedByANewServerAfterStop(boolean faultInjection) throws Exception {
        int port = freePort();
        AloAudioServer first = start(AloAudioServer.builder().port(port).faultInjection(faultInjection)
                .tokenSecret(SECRET));
        assertEquals(port, first.port());
        TestPeer peer = welcomed(first, "u-1");
        first.stop();
        peer.assertClosedWith(CloseCodes.GOING_AWAY);

        AloAudioServer second = start(AloAudioServer.builder().port(port).faultInjection(faultInjection)
                .tokenSecret(SECRET));
        assertEquals(first.uri(), second.uri());
        TestPeer again = TestPeer.connect(client, second.uri(), first.tokens().issue("u-1", Duration.ofHours(1)));
        peers.add(again);
        again.hello("u-1", "", TestPeer.RELAXED);
        again.ping(1);
        again.nextText();
        assertEquals(new Pong(1), again.next(Pong.class));
    }

    @Test
    void start_onABusyPort_failsAndReleasesEverything() throws Exception {
        AloAudioServer first = start(AloAudioServer.builder());
        AloAudioServer second = AloAudioServer.builder().port(first.port()).build();
        servers.add(second);
        assertThrows(UncheckedIOException.class, second::start);
        assertFalse(second.isRunning());
        second.stop();
    }

    @Test
    void lifecycleMethods_inTheWrongState_failClearlyOrDoNothing() {
        AloAudioServer server = AloAudioServer.builder().build();
        servers.add(server);
        assertThrows(IllegalStateException.class, server::port);
        server.start();
        assertThrows(IllegalStateException.class, server::start);
        server.stop();
        server.stop();
        server.kill();
        assertFalse(server.isRunning());
        AloAudioServer never = AloAudioServer.builder().build();
        never.close();
        assertThrows(IllegalStateException.class, never::start);
    }

    @Test
    void builder_withInconsistentSettings_throws() {
        assertThrows(IllegalArgumentException.class, () -> AloAudioServer.builder().port(70_000));
        assertThrows(IllegalArgumentException.class, () -> AloAudioServer.builder().path("audio"));
        assertThrows(IllegalArgumentException.class, () -> AloAudioServer.builder().maxMessageSize(10));
        assertThrows(IllegalArgumentException.class,
                () -> AloAudioServer.builder().helloTimeout(Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> AloAudioServer.builder()
                .heartbeatInterval(Duration.ofSeconds(1), Duration.ofSeconds(10))
                .heartbeatTimeout(Duration.ofMillis(500), Duration.ofSeconds(5)).build());
    }

    @Test
    void main_mintToken_printsATokenTheServerAccepts() throws Exception {
        String secret = new String(SECRET, StandardCharsets.UTF_8);
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        PrintStream original = System.out;
        System.setOut(new PrintStream(buffer, true, StandardCharsets.UTF_8));
        try {
            Main.main(new String[] {"--secret", secret, "--mint-token", "u-7"});
        } finally {
            System.setOut(original);
        }
        String token = buffer.toString(StandardCharsets.UTF_8).strip();
        AloAudioServer server = start(AloAudioServer.builder().tokenSecret(SECRET));
        TestPeer peer = TestPeer.connect(client, server.uri(), token);
        peers.add(peer);
        peer.hello("u-7", "", TestPeer.RELAXED);
        peer.ping(1);
        peer.nextText();
        assertEquals(new Pong(1), peer.next(Pong.class));
    }

    private AloAudioServer start(AloAudioServer.Builder builder) {
        AloAudioServer server = builder.build();
        servers.add(server);
        return server.start();
    }

    private TestPeer welcomed(AloAudioServer server, String userId) throws Exception {
        TestPeer peer = TestPeer.welcomed(client, server, userId, "");
        peers.add(peer);
        return peer;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static Set<String> serverThreadNames() {
        return Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
                .filter(name -> name.startsWith("alo-audio-server-")).collect(Collectors.toSet());
    }

    private static Set<Thread> liveThreads() {
        return new HashSet<>(Thread.getAllStackTraces().keySet());
    }

    /** Polls (bounded) until every thread started since {@code before} has ended. */
    private static void awaitNoThreadsBeyond(Set<Thread> before) {
        long deadline = System.nanoTime() + TestPeer.WAIT.toNanos();
        Set<Thread> extra;
        do {
            extra = liveThreads();
            extra.removeAll(before);
            extra.removeIf(t -> !t.isAlive());
            if (extra.isEmpty()) {
                return;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        } while (System.nanoTime() < deadline);
        fail("threads still alive after stop: " + extra.stream().map(Thread::getName).sorted()
                .collect(Collectors.joining(", ")));
    }
}
