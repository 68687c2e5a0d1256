package ai.alo.audio.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.alo.audio.protocol.CloseCodes;
import ai.alo.audio.protocol.Message;
import ai.alo.audio.protocol.ProtocolVersion;
import ai.alo.audio.protocol.Welcome;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A browser's token: {@code Sec-WebSocket-Protocol: alo-audio, bearer.<token>} ({@code docs/protocol.md},
 * "Transport"), sent by the JDK's own WebSocket client (which, like a browser, offers subprotocols) and by a raw
 * socket where the response head itself is checked.
 */
class SubprotocolTokenTest {

    /** One client for the class: on Java 17 its selector thread ends only when the client is collected. */
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(TestPeer.WAIT).build();

    private AloAudioServer server;

    @BeforeEach
    void start() {
        server = AloAudioServer.builder().build().start();
    }

    @AfterEach
    void stop() {
        server.stop();
    }

    @Test
    void subprotocolToken_valid_isWelcomed_andAnsweredWithAloAudio() throws Exception {
        String token = server.tokens().issue("u-1", Duration.ofMinutes(5));
        try (BrowserLikeClient client = BrowserLikeClient.open(HTTP, server.uri(), null, "alo-audio",
                "bearer." + token)) {
            assertEquals("alo-audio", client.ws.getSubprotocol());
            client.send(TestPeer.helloOf("u-1", "d-1", TestPeer.RELAXED));
            Welcome welcome = client.next(Welcome.class);
            assertEquals(ProtocolVersion.MAX, welcome.protocol());
            assertEquals("u-1", server.sessions().get(0).userId());
        }
    }

    @Test
    void subprotocolToken_tampered_closes4002() throws Exception {
        String token = server.tokens().issue("u-1", Duration.ofMinutes(5));
        String tampered = token.substring(0, token.length() - 3) + (token.endsWith("AAA") ? "BBB" : "AAA");
        assertClosed(CloseCodes.TOKEN_INVALID, tampered, null, "alo-audio", "bearer." + tampered);
    }

    @Test
    void subprotocolToken_fromAnotherSecret_closes4002() throws Exception {
        String token = new TokenIssuer("another secret that is long enough!!".getBytes(StandardCharsets.UTF_8))
                .issue("u-1", Duration.ofMinutes(5));
        assertClosed(CloseCodes.TOKEN_INVALID, token, null, "alo-audio", "bearer." + token);
    }

    @Test
    void subprotocolToken_expired_closes4003() throws Exception {
        String token = server.tokens().issue("u-1", Instant.now().minusSeconds(120));
        assertClosed(CloseCodes.TOKEN_EXPIRED, token, null, "alo-audio", "bearer." + token);
    }

    @Test
    void subprotocols_withoutBearer_close4001() throws Exception {
        assertClosed(CloseCodes.TOKEN_MISSING, "", null, "alo-audio");
    }

    @Test
    void subprotocolToken_empty_closes4001() throws Exception {
        // "bearer." alone is a valid subprotocol name; the JDK client refuses an empty token only in its own check
        assertClosed(CloseCodes.TOKEN_MISSING, "", null, "alo-audio", "bearer.");
    }

    @Test
    void subprotocolToken_twice_closes4002() throws Exception {
        String one = server.tokens().issue("u-1", Duration.ofMinutes(5));
        String two = server.tokens().issue("u-2", Duration.ofMinutes(5));
        assertClosed(CloseCodes.TOKEN_INVALID, one, null, "alo-audio", "bearer." + one, "bearer." + two);
    }

    @Test
    void bothPresent_validHeader_wins_overAnInvalidSubprotocolToken() throws Exception {
        String header = server.tokens().issue("u-header", Duration.ofMinutes(5));
        try (BrowserLikeClient client = BrowserLikeClient.open(HTTP, server.uri(), header, "alo-audio",
                "bearer.not-a-jwt")) {
            client.send(TestPeer.helloOf("u-header", "", TestPeer.RELAXED));
            client.next(Welcome.class);
            assertEquals("u-header", server.sessions().get(0).userId());
        }
    }

    @Test
    void bothPresent_invalidHeader_wins_overAValidSubprotocolToken() throws Exception {
        String valid = server.tokens().issue("u-1", Duration.ofMinutes(5));
        assertClosed(CloseCodes.TOKEN_INVALID, valid, "not-a-jwt", "alo-audio", "bearer." + valid);
    }

    @Test
    void bothPresent_headerUser_isTheSessionUser_notTheSubprotocolUser() throws Exception {
        String header = server.tokens().issue("u-header", Duration.ofMinutes(5));
        String protocol = server.tokens().issue("u-protocol", Duration.ofMinutes(5));
        try (BrowserLikeClient client = BrowserLikeClient.open(HTTP, server.uri(), header, "alo-audio",
                "bearer." + protocol)) {
            client.send(TestPeer.helloOf("u-protocol", "", TestPeer.RELAXED));
            CloseEvent close = client.awaitClose();
            assertEquals(CloseCodes.FORBIDDEN, close.code(), "hello as the subprotocol's user: " + close);
        }
    }

    @Test
    void upgradeResponse_namesOnlyAloAudio_andNeverTheToken() throws Exception {
        String token = server.tokens().issue("u-1", Duration.ofMinutes(5));
        String head = rawUpgrade(server.uri(), "alo-audio, bearer." + token);
        assertTrue(head.startsWith("HTTP/1.1 101"), head);
        List<String> protocols = headerValues(head, "Sec-WebSocket-Protocol");
        assertEquals(List.of("alo-audio"), protocols, head);
        assertFalse(head.contains(token), "the response head must not echo the token");
        assertFalse(head.toLowerCase().contains("bearer"), head);
    }

    @Test
    void upgradeResponse_withOnlyABearerSubprotocol_namesNoSubprotocol() throws Exception {
        String token = server.tokens().issue("u-1", Duration.ofMinutes(5));
        String head = rawUpgrade(server.uri(), "bearer." + token);
        assertTrue(head.startsWith("HTTP/1.1 101"), head);
        assertEquals(List.of(), headerValues(head, "Sec-WebSocket-Protocol"), head);
        assertFalse(head.contains(token), head);
    }

    @Test
    void token_neverReachesALogRecord_evenAtLevelAll() throws Exception {
        List<String> secrets = new ArrayList<>();
        try (LogCapture log = new LogCapture()) {
            String valid = server.tokens().issue("u-log", Duration.ofMinutes(5));
            secrets.add(valid);
            try (BrowserLikeClient client = BrowserLikeClient.open(HTTP, server.uri(), null, "alo-audio",
                    "bearer." + valid)) {
                client.send(TestPeer.helloOf("u-log", "", TestPeer.RELAXED));
                client.next(Welcome.class);
            }
            String expired = server.tokens().issue("u-log", Instant.now().minusSeconds(120));
            secrets.add(expired);
            assertClosed(CloseCodes.TOKEN_EXPIRED, expired, null, "alo-audio", "bearer." + expired);
            String header = server.tokens().issue("u-log-2", Duration.ofMinutes(5));
            String other = server.tokens().issue("u-log-3", Duration.ofMinutes(5));
            secrets.add(header);
            secrets.add(other);
            try (BrowserLikeClient client = BrowserLikeClient.open(HTTP, server.uri(), header, "alo-audio",
                    "bearer." + other)) {
                client.send(TestPeer.helloOf("u-log-2", "", TestPeer.RELAXED));
                client.next(Welcome.class);
            }
            String raw = server.tokens().issue("u-log-4", Duration.ofMinutes(5));
            secrets.add(raw);
            rawUpgrade(server.uri(), "alo-audio, bearer." + raw);
            log.assertNoTokenIn(secrets);
        }
    }

    // ---------------------------------------------------------------- helpers

    private void assertClosed(int code, String secret, String authorization, String... subprotocols)
            throws Exception {
        try (BrowserLikeClient client = BrowserLikeClient.open(HTTP, server.uri(), authorization, subprotocols)) {
            CloseEvent close = client.awaitClose();
            assertEquals(code, close.code(), () -> "close: " + close);
            assertFalse(close.reason().isBlank(), "a readable reason");
            if (!secret.isEmpty()) {
                assertFalse(close.reason().contains(secret), "the reason must not contain the token");
            }
        }
        assertTrue(server.sessions().isEmpty(), "a rejected connection is never a session");
    }

    /** Sends an upgrade request with this {@code Sec-WebSocket-Protocol} line; returns the response head. */
    private static String rawUpgrade(URI uri, String subprotocols) throws IOException {
        try (Socket socket = new Socket()) {
            socket.setSoTimeout((int) TestPeer.WAIT.toMillis());
            socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), (int) TestPeer.WAIT.toMillis());
            String request = "GET " + uri.getPath() + " HTTP/1.1\r\n"
                    + "Host: " + uri.getHost() + ":" + uri.getPort() + "\r\n"
                    + "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: " + Base64.getEncoder().encodeToString(new byte[16]) + "\r\n"
                    + "Sec-WebSocket-Version: 13\r\n"
                    + "Sec-WebSocket-Protocol: " + subprotocols + "\r\n\r\n";
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            int matched = 0;
            while (matched < 4) {
                int b = in.read();
                if (b < 0) {
                    break;
                }
                head.write(b);
                matched = b == "\r\n\r\n".charAt(matched) ? matched + 1 : b == '\r' ? 1 : 0;
            }
            return head.toString(StandardCharsets.ISO_8859_1);
        }
    }

    private static List<String> headerValues(String head, String name) {
        List<String> values = new ArrayList<>();
        for (String line : head.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).strip().equalsIgnoreCase(name)) {
                values.add(line.substring(colon + 1).strip());
            }
        }
        return values;
    }

    record CloseEvent(int code, String reason) {
    }

    /** The JDK's WebSocket client, which offers subprotocols as a browser does; every wait is bounded. */
    private static final class BrowserLikeClient implements WebSocket.Listener, AutoCloseable {

        private final BlockingQueue<String> texts = new LinkedBlockingQueue<>();
        private final CompletableFuture<CloseEvent> closed = new CompletableFuture<>();
        private final StringBuilder partial = new StringBuilder();
        private WebSocket ws;

        static BrowserLikeClient open(HttpClient http, URI uri, String authorization, String... subprotocols)
                throws Exception {
            BrowserLikeClient client = new BrowserLikeClient();
            WebSocket.Builder builder = http.newWebSocketBuilder().connectTimeout(TestPeer.WAIT);
            if (subprotocols.length > 0) {
                builder.subprotocols(subprotocols[0], java.util.Arrays.copyOfRange(subprotocols, 1,
                        subprotocols.length));
            }
            if (authorization != null) {
                builder.header("Authorization", "Bearer " + authorization);
            }
            client.ws = builder.buildAsync(uri, client).get(TestPeer.WAIT.toMillis(), TimeUnit.MILLISECONDS);
            return client;
        }

        void send(Message message) throws Exception {
            ws.sendText(TestPeer.encode(message), true).get(TestPeer.WAIT.toMillis(), TimeUnit.MILLISECONDS);
        }

        <T extends Message> T next(Class<T> type) throws Exception {
            String text = texts.poll(TestPeer.WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertNotNull(text, () -> "no " + type.getSimpleName() + " within " + TestPeer.WAIT + "; closed: "
                    + closed.getNow(null));
            return type.cast(TestPeer.CODEC.decode(text, TestPeer.SERVER_TYPES, 1 << 20).message());
        }

        CloseEvent awaitClose() throws Exception {
            return closed.get(TestPeer.WAIT.toMillis(), TimeUnit.MILLISECONDS);
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                texts.add(partial.toString());
                partial.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closed.complete(new CloseEvent(statusCode, reason));
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closed.complete(new CloseEvent(1006, String.valueOf(error)));
        }

        @Override
        public void close() {
            if (!ws.isOutputClosed()) {
                ws.sendClose(1000, "bye");
            }
            ws.abort();
        }
    }
}
