package ai.alo.audio.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.glassfish.tyrus.client.ClientManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The web console's files over plain HTTP, on the same port as the WebSocket, with and without the relay. */
class ConsoleHttpTest {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(TestPeer.WAIT)
            .followRedirects(HttpClient.Redirect.NEVER).build();

    private AloAudioServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop();
        }
    }

    private AloAudioServer start(AloAudioServer.Builder builder) {
        server = builder.build().start();
        return server;
    }

    private static HttpResponse<String> get(URI uri) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(uri).timeout(TestPeer.WAIT).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void console_isServed_withItsTypes_andSafeHeaders(boolean faultInjection) throws Exception {
        start(AloAudioServer.builder().faultInjection(faultInjection));
        URI console = server.consoleUri();
        assertEquals("http", console.getScheme());
        assertEquals(server.uri().getPort(), console.getPort(), "the same port as the WebSocket");
        assertEquals("/console/", console.getPath());

        HttpResponse<String> index = get(console);
        assertEquals(200, index.statusCode());
        assertEquals("text/html;charset=utf-8", index.headers().firstValue("Content-Type").orElse(""));
        assertTrue(index.body().contains("<title>ALO audio console</title>"), index.body());
        assertTrue(index.body().contains("<meta name=\"alo-audio-path\" content=\"/audio\">"), "the WebSocket path");
        assertSafeHeaders(index);

        HttpResponse<String> script = get(console.resolve("console.js"));
        assertEquals(200, script.statusCode());
        assertEquals("text/javascript;charset=utf-8", script.headers().firstValue("Content-Type").orElse(""));
        assertTrue(script.body().contains("window.aloConsole"), "the script");
        assertSafeHeaders(script);

        HttpResponse<String> style = get(console.resolve("console.css"));
        assertEquals(200, style.statusCode());
        assertEquals("text/css;charset=utf-8", style.headers().firstValue("Content-Type").orElse(""));
        assertSafeHeaders(style);

        assertEquals(index.body(), get(console.resolve("index.html")).body());
    }

    private static void assertSafeHeaders(HttpResponse<String> response) {
        assertEquals("no-store", response.headers().firstValue("Cache-Control").orElse(""));
        assertEquals("nosniff", response.headers().firstValue("X-Content-Type-Options").orElse(""));
        assertEquals("no-referrer", response.headers().firstValue("Referrer-Policy").orElse(""));
        String csp = response.headers().firstValue("Content-Security-Policy").orElse("");
        assertTrue(csp.startsWith("default-src 'none'"), csp);
        assertTrue(csp.contains("script-src 'self'") && csp.contains("connect-src 'self'"), csp);
        assertFalse(csp.contains("unsafe-inline") || csp.contains("unsafe-eval"), csp);
        assertEquals(String.valueOf(response.body().getBytes(StandardCharsets.UTF_8).length),
                response.headers().firstValue("Content-Length").orElse(""));
    }

    @Test
    void root_andConsoleWithoutSlash_redirectToTheConsole() throws Exception {
        start(AloAudioServer.builder());
        URI base = server.consoleUri().resolve("/");
        for (String path : List.of("/", "/console")) {
            HttpResponse<String> response = get(base.resolve(path));
            assertEquals(302, response.statusCode(), path);
            assertEquals("/console/", response.headers().firstValue("Location").orElse(""), path);
        }
    }

    @Test
    void otherPaths_are404_andNothingOutsideTheThreeFilesIsServed() throws Exception {
        start(AloAudioServer.builder());
        URI base = server.consoleUri().resolve("/");
        for (String path : List.of("/console/other.js", "/console/../pom.xml", "/console/%2e%2e/pom.xml",
                "/console/console.js/", "/ai/alo/audio/server/console/console.js", "/audio",
                "/console/index.html.bak", "/favicon.ico")) {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(base + path.substring(1)))
                    .timeout(TestPeer.WAIT).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(404, response.statusCode(), path);
            assertEquals("Not found\n", response.body(), path);
        }
    }

    @Test
    void methodsOtherThanGetAndHead_are405_andHeadHasNoBody() throws Exception {
        start(AloAudioServer.builder());
        HttpResponse<String> post = HTTP.send(HttpRequest.newBuilder(server.consoleUri()).timeout(TestPeer.WAIT)
                .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(405, post.statusCode());
        assertEquals("GET, HEAD", post.headers().firstValue("Allow").orElse(""));
        HttpResponse<String> head = HTTP.send(HttpRequest.newBuilder(server.consoleUri()).timeout(TestPeer.WAIT)
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, head.statusCode());
        assertEquals("", head.body());
        assertTrue(Integer.parseInt(head.headers().firstValue("Content-Length").orElse("0")) > 1000);
    }

    @Test
    void response_closesTheConnection_soNoIdleHttpConnectionHoldsAStop() throws Exception {
        start(AloAudioServer.builder());
        URI console = server.consoleUri();
        try (Socket socket = new Socket()) {
            socket.setSoTimeout((int) TestPeer.WAIT.toMillis());
            socket.connect(new InetSocketAddress(console.getHost(), console.getPort()), (int) TestPeer.WAIT.toMillis());
            socket.getOutputStream().write(("GET /console/console.css HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Connection: keep-alive\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            for (int n; (n = in.read(buffer)) >= 0; ) { // ends at the server's FIN, else the socket timeout fails
                all.write(buffer, 0, n);
            }
            String response = all.toString(StandardCharsets.ISO_8859_1);
            assertTrue(response.startsWith("HTTP/1.1 200"), response);
            assertTrue(response.toLowerCase().contains("connection: close"), response);
        }
        long start = System.nanoTime();
        server.stop();
        long stopMillis = Duration.ofNanos(System.nanoTime() - start).toMillis();
        assertTrue(stopMillis < 4_000, () -> "stop took " + stopMillis + " ms: an HTTP connection held it");
    }

    @Test
    void consoleDisabled_servesNothing_butTheWebSocketStillWorks() throws Exception {
        start(AloAudioServer.builder().console(false));
        assertThrows(IllegalStateException.class, server::consoleUri);
        URI base = URI.create("http://127.0.0.1:" + server.port());
        assertEquals(404, get(base.resolve("/console/")).statusCode());
        assertEquals(404, get(base.resolve("/")).statusCode());
        ClientManager client = ClientManager.createClient();
        try (TestPeer peer = TestPeer.welcomed(client, server, "u-1", "d-1")) {
            assertTrue(peer.isOpen());
        } finally {
            client.shutdown();
        }
    }

    @Test
    void webSocket_keepsWorking_besideTheConsole() throws Exception {
        start(AloAudioServer.builder());
        assertEquals(200, get(server.consoleUri()).statusCode());
        ClientManager client = ClientManager.createClient();
        try (TestPeer peer = TestPeer.welcomed(client, server, "u-1", "d-1")) {
            assertTrue(peer.isOpen());
        } finally {
            client.shutdown();
        }
    }

    @Test
    void customWebSocketPath_isWhatThePageConnectsTo() throws Exception {
        start(AloAudioServer.builder().path("/voice&talk"));
        String body = get(server.consoleUri()).body();
        assertTrue(body.contains("<meta name=\"alo-audio-path\" content=\"/voice&amp;talk\">"), body);
    }

    @Test
    void consoleUri_beforeStart_isRefused() {
        AloAudioServer notStarted = AloAudioServer.builder().build();
        assertThrows(IllegalStateException.class, notStarted::consoleUri);
        notStarted.stop();
    }

    @Test
    void aStalledHttpClient_doesNotStopTheConsoleForOthers() throws IOException, Exception {
        start(AloAudioServer.builder().workerThreads(1));
        URI console = server.consoleUri();
        try (Socket stalled = new Socket()) {
            stalled.connect(new InetSocketAddress(console.getHost(), console.getPort()), (int) TestPeer.WAIT.toMillis());
            stalled.getOutputStream().write("GET /console/ HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.ISO_8859_1));
            assertEquals(200, get(console).statusCode(), "a half-sent request does not hold the one worker");
        }
    }
}
