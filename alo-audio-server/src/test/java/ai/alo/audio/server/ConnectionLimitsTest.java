package ai.alo.audio.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import ai.alo.audio.protocol.Pong;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.glassfish.tyrus.client.ClientManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The connection caps (HTTP 429 per address, 503 in total) and the upgrade deadline, with and without the relay. */
class ConnectionLimitsTest {

    private AloAudioServer server;
    private final List<RawWebSocket> sockets = new ArrayList<>();
    private final List<Socket> plain = new ArrayList<>();
    private ClientManager client;

    @AfterEach
    void stopServer() throws Exception {
        for (RawWebSocket socket : sockets) {
            socket.close();
        }
        for (Socket socket : plain) {
            socket.close();
        }
        if (client != null) {
            client.shutdown();
        }
        if (server != null) {
            server.stop();
        }
    }

    @ParameterizedTest(name = "faultInjection={0}")
    @ValueSource(booleans = {true, false})
    void upgrade_beyondThePerAddressCap_isRefusedWith429AndRetryAfter_andTheCountGoesDownAgain(boolean relay)
            throws Exception {
        server = AloAudioServer.builder().faultInjection(relay).maxConnectionsPerAddress(2).build().start();
        RawWebSocket first = open("u-1", null);
        RawWebSocket second = open("u-2", null);
        assertEquals(101, first.status());
        assertEquals(101, second.status());

        RawWebSocket third = open("u-3", null);
        assertEquals(429, third.status());
        assertEquals("1", third.header("Retry-After"));
        assertEquals("close", third.header("Connection"));
        assertTrue(third.awaitEnd(TestPeer.WAIT), "the refused connection is closed");
        // The 101 reaches the client before the service's onOpen registers the session: wait for both.
        awaitSessions(2);
        assertEquals(2, server.sessions().size(), "a refused upgrade never becomes a session");

        first.close();
        assertEquals(101, openUntilAdmitted("u-4").status(), "a closed connection frees its place");
        second.close();
        assertEquals(101, openUntilAdmitted("u-5").status());
        assertEquals(429, open("u-6", null).status(), "and the cap still holds");
    }

    @ParameterizedTest(name = "faultInjection={0}")
    @ValueSource(booleans = {true, false})
    void upgrade_beyondTheTotalCap_isRefusedWith503AndRetryAfter(boolean relay) throws Exception {
        server = AloAudioServer.builder().faultInjection(relay).maxConnections(1).build().start();
        assertEquals(101, open("u-1", null).status());
        RawWebSocket refused = open("u-2", InetAddress.getByName("127.0.0.2"));
        assertEquals(503, refused.status());
        assertEquals("5", refused.header("Retry-After"));
        assertTrue(refused.awaitEnd(TestPeer.WAIT));
    }

    @ParameterizedTest(name = "faultInjection={0}")
    @ValueSource(booleans = {true, false})
    void perAddressCap_countsTheClientsAddress_evenBehindTheRelay(boolean relay) throws Exception {
        server = AloAudioServer.builder().faultInjection(relay).maxConnectionsPerAddress(1).build().start();
        InetAddress two = InetAddress.getByName("127.0.0.2");
        InetAddress three = InetAddress.getByName("127.0.0.3");
        assertEquals(101, open("u-2", two).status());
        assertEquals(101, open("u-3", three).status(), "another address has its own count (the relay's is not used)");
        assertEquals(429, open("u-4", two).status());
        awaitSessions(2);
        assertEquals(List.of("127.0.0.2", "127.0.0.3"),
                server.sessions().stream().map(SessionInfo::remoteAddress).sorted().toList());
    }

    @ParameterizedTest(name = "faultInjection={0}")
    @ValueSource(booleans = {true, false})
    void clientAddressHeader_sentByAClient_isNotTrusted(boolean relay) throws Exception {
        server = AloAudioServer.builder().faultInjection(relay).maxConnectionsPerAddress(1).build().start();
        client = ClientManager.createClient();
        String token = server.tokens().issue("u-1", Duration.ofHours(1));
        TestPeer peer = TestPeer.connect(client, server.uri(), Map.of("Authorization", "Bearer " + token,
                ConnectionGate.CLIENT_ADDRESS_HEADER, "10.9.8.7", ConnectionGate.CONNECTION_ID_HEADER, "1"));
        peer.hello("u-1", "", TestPeer.RELAXED);
        peer.ping(1);
        peer.nextText();
        assertEquals(new Pong(1), peer.next(Pong.class));
        assertEquals("127.0.0.1", server.sessions().get(0).remoteAddress());
        assertEquals(429, open("u-2", null).status(), "counted under its real address");
        peer.close();
    }

    @ParameterizedTest(name = "faultInjection={0}")
    @ValueSource(booleans = {true, false})
    void connection_sendingHalfARequest_isClosedAfterTheUpgradeTimeout_whileUpgradedOnesStay(boolean relay)
            throws Exception {
        // Long enough that the upgraded peer's own upgrade fits in it on a loaded machine.
        Duration timeout = Duration.ofMillis(1_500);
        server = AloAudioServer.builder().faultInjection(relay).upgradeTimeout(timeout).build().start();
        client = ClientManager.createClient();
        TestPeer upgraded = TestPeer.welcomed(client, server, "u-1", "");

        long start = System.nanoTime();
        Socket half = plainSocket();
        half.getOutputStream().write(("GET " + server.uri().getPath() + " HTTP/1.1\r\nHost: 127.0.0.1\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
        Socket silent = plainSocket();
        assertTrue(endsWithin(half, TestPeer.WAIT), "half a request is closed");
        long elapsed = System.nanoTime() - start;
        assertTrue(elapsed >= timeout.toNanos() / 2, () -> "not before the timeout: " + elapsed / 1_000_000 + " ms");
        assertTrue(endsWithin(silent, TestPeer.WAIT), "a connection that sends nothing is closed");

        upgraded.ping(5);
        assertEquals(new Pong(5), upgraded.next(Pong.class));
        assertTrue(upgraded.isOpen(), "the deadline ends with the upgrade");
        upgraded.close();
    }

    @ParameterizedTest(name = "faultInjection={0}")
    @ValueSource(booleans = {true, false})
    void plainHttpRequest_isAnsweredAndClosedAfterTheUpgradeTimeout(boolean relay) throws Exception {
        // Long enough that the 404 gets through (the relay included) before the deadline on a loaded machine.
        server = AloAudioServer.builder().faultInjection(relay).upgradeTimeout(Duration.ofSeconds(3)).build()
                .start();
        Socket socket = plainSocket();
        socket.getOutputStream().write(("GET /other HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
        byte[] head = new byte[12];
        int read = socket.getInputStream().readNBytes(head, 0, head.length);
        assertEquals("HTTP/1.1 404", new String(head, 0, read, StandardCharsets.ISO_8859_1));
        assertTrue(endsWithin(socket, TestPeer.WAIT), "a keep-alive HTTP connection is not kept");
    }

    private RawWebSocket open(String userId, InetAddress from) throws IOException {
        RawWebSocket ws = RawWebSocket.open(server.uri(), server.tokens().issue(userId, Duration.ofHours(1)), from, 0);
        sockets.add(ws);
        return ws;
    }

    /** Opens until the server admits the connection: it releases a closed one's place when it sees the close. */
    private RawWebSocket openUntilAdmitted(String userId) throws IOException {
        long deadline = System.nanoTime() + TestPeer.WAIT.toNanos();
        while (true) {
            RawWebSocket ws = open(userId, null);
            if (ws.status() == 101) {
                return ws;
            }
            assertEquals(429, ws.status());
            ws.close();
            if (System.nanoTime() > deadline) {
                return fail("the closed connection's place was never released");
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
    }

    private void awaitSessions(int count) {
        long deadline = System.nanoTime() + TestPeer.WAIT.toNanos();
        while (server.sessions().size() < count) {
            if (System.nanoTime() > deadline) {
                fail("expected " + count + " sessions, have " + server.sessions());
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
    }

    private Socket plainSocket() throws IOException {
        Socket socket = new Socket();
        plain.add(socket);
        socket.connect(new InetSocketAddress("127.0.0.1", server.port()), (int) TestPeer.WAIT.toMillis());
        return socket;
    }

    /** Reads and drops until the server ends the connection; {@code false} if it is still open after the wait. */
    private static boolean endsWithin(Socket socket, Duration wait) throws IOException {
        socket.setSoTimeout((int) wait.toMillis());
        InputStream in = socket.getInputStream();
        byte[] buffer = new byte[1024];
        try {
            while (in.read(buffer) >= 0) {
                // drop
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (SocketException e) {
            return true;
        }
    }
}
