package ai.alo.audio.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.alo.audio.protocol.CloseCodes;
import ai.alo.audio.testing.Chromium;
import ai.alo.audio.testing.ChromiumPage;
import jakarta.json.JsonObject;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.glassfish.tyrus.client.ClientManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The web console in a real headless Chromium, against the real reference service, signalling only (no media: the
 * page's WebRTC runs only in {@code ConsoleMediaTest}, inside the media network namespace). Everything goes over
 * 127.0.0.1.
 */
class ConsoleBrowserTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    private static Chromium chromium;

    private AloAudioServer server;
    private final RecordingServerListener events = new RecordingServerListener();
    private ClientManager client;

    @BeforeAll
    static void launch() {
        chromium = Chromium.launch();
    }

    @AfterAll
    static void quit() {
        if (chromium != null) {
            chromium.close();
        }
    }

    @BeforeEach
    void start() {
        // signalling only: outside a network namespace the browser's WebRTC must not run (it would use eth0)
        server = AloAudioServer.builder().media(false).build();
        server.addListener(events);
        server.start();
        client = ClientManager.createClient();
    }

    @AfterEach
    void stop() {
        client.shutdown();
        server.stop();
    }

    private URI console(String fragment) {
        return URI.create(server.consoleUri() + "#" + fragment);
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }

    private static JsonObject status(ChromiumPage page) {
        return page.evaluateObject("window.aloConsole.status()");
    }

    private static void awaitState(ChromiumPage page, String state) {
        page.awaitTrue("window.aloConsole.status().state === '" + state + "'", WAIT);
    }

    @Test
    void console_joinsAChannel_showsTheOthers_pings_andLeaves() throws Exception {
        String token = server.tokens().issue("u-browser", Duration.ofMinutes(5));
        List<String> frames;
        try (LogCapture log = new LogCapture();
             ChromiumPage page = chromium.open(console("user=u-browser&name=" + encode("Ann B") + "&token=" + token
                     + "&channel=ch-1&channelName=" + encode("Channel one") + "&fullDuplex=1&src=tone&auto=1"),
                     true)) {
            awaitState(page, "CONNECTED");
            JsonObject status = status(page);
            assertEquals("unavailable", status.getString("mediaState"), "a server without media.webrtc");
            assertEquals("ch-1", status.getString("channelId"));
            List<JsonObject> participants = status.getJsonArray("participants").getValuesAs(JsonObject.class);
            assertEquals(1, participants.size(), participants::toString);
            assertEquals("u-browser", participants.get(0).getString("userId"));
            assertEquals("Ann B", participants.get(0).getString("name"));
            assertTrue(participants.get(0).getBoolean("self"));
            assertEquals("1", page.evaluateString("document.getElementById('participant-count').textContent"));
            assertFalse(page.evaluateString("location.href").contains(token), "the fragment is removed once read");
            assertFalse(page.evaluateString("location.href").contains("#"));

            // what the server sees: the browser's session, the subprotocol user, its channel and its pings
            SessionInfo session = server.sessions().get(0);
            assertEquals("u-browser", session.userId());
            RecordingServerListener.Joined joined = events.await(RecordingServerListener.Joined.class,
                    j -> j.member().userId().equals("u-browser"));
            assertEquals("ch-1", joined.channelId());
            events.await(RecordingServerListener.Received.class, r -> r.type().equals("ping")
                    && r.session().userId().equals("u-browser"));

            // another participant comes and goes: the list follows the deltas
            try (TestPeer java = TestPeer.welcomed(client, server, "u-java", "d-1")) {
                java.join("ch-1");
                page.awaitTrue("window.aloConsole.status().participants.length === 2", WAIT);
                page.awaitTrue("window.aloConsole.status().participants.some(p => p.userId === 'u-java' && !p.self)",
                        WAIT);
                java.leave("ch-1");
                page.awaitTrue("window.aloConsole.status().participants.length === 1", WAIT);
            }

            page.evaluate("document.getElementById('disconnect').click()");
            awaitState(page, "DISCONNECTED");
            RecordingServerListener.Left left = events.await(RecordingServerListener.Left.class,
                    l -> l.member().userId().equals("u-browser"));
            assertEquals("left", left.reason(), "the console sends leave before closing");
            JsonObject after = status(page);
            assertEquals("CLIENT_INITIATED", after.getJsonObject("lastDisconnect").getString("reason"));
            assertEquals(0, after.getJsonArray("participants").size());
            assertTrue(page.log().stream().noneMatch(entry -> entry.contains("Content Security Policy")
                    || entry.contains("Refused to")), () -> "CSP violations: " + page.log());
            assertTrue(page.log().stream().noneMatch(entry -> entry.startsWith("exception")),
                    () -> "uncaught exceptions: " + page.log());
            frames = page.webSocketFramesSent();
            log.assertNoTokenIn(List.of(token));
        }
        assertTrue(frames.get(0).startsWith("{\"type\":\"hello\""), frames.get(0));
        assertTrue(frames.get(0).contains("\"capabilities\":[\"media.webrtc\"]"), frames.get(0));
        assertTrue(frames.stream().anyMatch(f -> f.contains("\"type\":\"join\"") && f.contains("\"requestId\"")),
                frames::toString);
        assertTrue(frames.stream().anyMatch(f -> f.contains("\"type\":\"leave\"")), frames::toString);
        for (String frame : frames) {
            assertFalse(frame.contains(token.substring(token.lastIndexOf('.') + 1)), "no message carries the token");
            assertFalse(frame.contains("/console/") || frame.contains("token="), "no message carries the URL: "
                    + frame);
        }
    }

    @Test
    void console_withABadToken_showsTokenRejected() {
        try (ChromiumPage page = chromium.open(console("user=u-1&token=not-a-jwt&channel=ch-1&auto=1"))) {
            awaitState(page, "ERROR");
            JsonObject last = status(page).getJsonObject("lastDisconnect");
            assertEquals("TOKEN_REJECTED", last.getString("reason"));
            assertEquals(CloseCodes.TOKEN_INVALID, last.getInt("code"));
            assertTrue(last.getString("message").startsWith("The audio service rejected the user auth token"),
                    last::toString);
            assertTrue(page.evaluateString("document.getElementById('last-disconnect').textContent")
                    .contains("TOKEN_REJECTED"));
        }
    }

    @Test
    void console_withATokenABrowserCannotSend_saysSo_withoutShowingIt() {
        try (ChromiumPage page = chromium.open(console("user=u-1&token=" + encode("secret with spaces")
                + "&channel=ch-1&auto=1"))) {
            awaitState(page, "ERROR");
            JsonObject last = status(page).getJsonObject("lastDisconnect");
            assertEquals("CONNECT_FAILED", last.getString("reason"));
            assertTrue(last.getString("message").contains("the server URL or the token cannot be used by a browser"),
                    last::toString);
            assertFalse(last.toString().contains("secret"), last::toString);
            assertFalse(page.evaluateString("document.body.textContent").contains("secret with spaces"));
            assertTrue(server.sessions().isEmpty());
        }
    }

    @Test
    void console_withAnExpiredToken_showsTokenExpired() {
        String token = server.tokens().issue("u-1", java.time.Instant.now().minusSeconds(120));
        try (ChromiumPage page = chromium.open(console("user=u-1&token=" + token + "&channel=ch-1&auto=1"))) {
            awaitState(page, "ERROR");
            assertEquals("TOKEN_EXPIRED", status(page).getJsonObject("lastDisconnect").getString("reason"));
        }
    }

    @Test
    void console_withAnotherUserThanItsToken_showsForbidden() {
        String token = server.tokens().issue("u-1", Duration.ofMinutes(5));
        try (ChromiumPage page = chromium.open(console("user=u-2&token=" + token + "&channel=ch-1&auto=1"))) {
            awaitState(page, "ERROR");
            JsonObject last = status(page).getJsonObject("lastDisconnect");
            assertEquals("FORBIDDEN", last.getString("reason"));
            assertEquals(CloseCodes.FORBIDDEN, last.getInt("code"));
        }
    }

    @Test
    void console_kickedByAnOperator_showsKicked_withTheOperatorsMessage() throws Exception {
        String token = server.tokens().issue("u-1", Duration.ofMinutes(5));
        try (ChromiumPage page = chromium.open(console("user=u-1&token=" + token + "&channel=ch-1&auto=1"))) {
            awaitState(page, "CONNECTED");
            assertTrue(server.endSession("u-1", "kicked", "Removed by an operator", CloseCodes.KICKED));
            awaitState(page, "ERROR");
            JsonObject last = status(page).getJsonObject("lastDisconnect");
            assertEquals("KICKED", last.getString("reason"));
            assertEquals("Removed from the channel by the audio service: Removed by an operator",
                    last.getString("message"));
            assertEquals(0, status(page).getJsonArray("participants").size());
        }
    }

    @Test
    void console_whenTheServerStops_showsServerShutdown() {
        String token = server.tokens().issue("u-1", Duration.ofMinutes(5));
        try (ChromiumPage page = chromium.open(console("user=u-1&token=" + token + "&channel=ch-1&auto=1"))) {
            awaitState(page, "CONNECTED");
            server.stop();
            awaitState(page, "ERROR");
            assertEquals("SERVER_SHUTDOWN", status(page).getJsonObject("lastDisconnect").getString("reason"));
        }
    }

    @Test
    void console_onASilentNetwork_detectsItWithItsHeartbeat() {
        String token = server.tokens().issue("u-1", Duration.ofMinutes(5));
        try (ChromiumPage page = chromium.open(console("user=u-1&token=" + token + "&channel=ch-1&auto=1"))) {
            awaitState(page, "CONNECTED");
            assertTrue(server.freeze("u-1"));
            awaitState(page, "ERROR");
            String reason = status(page).getJsonObject("lastDisconnect").getString("reason");
            // the page's own watchdog (2.5 s) or the server's close 4008 (which cannot pass the frozen relay)
            assertEquals("HEARTBEAT_TIMEOUT", reason);
            assertEquals("Lost connection to the server",
                    status(page).getJsonObject("lastDisconnect").getString("message"));
            server.unfreezeAll();
        }
    }

    @Test
    void console_withMissingFields_doesNotConnect_andSaysWhichAreMissing() {
        try (ChromiumPage page = chromium.open(console("user=u-1&auto=1"))) {
            page.awaitTrue("window.aloConsole.status().lastDisconnect !== null", WAIT);
            JsonObject status = status(page);
            assertEquals("NOT_CONNECTED", status.getString("state"));
            assertEquals("Missing token, channel", status.getJsonObject("lastDisconnect").getString("message"));
            assertTrue(server.sessions().isEmpty());
        }
    }

    @Test
    void console_canConnectAgain_afterAnError() {
        String token = server.tokens().issue("u-1", Duration.ofMinutes(5));
        try (ChromiumPage page = chromium.open(console("user=u-1&token=bad&channel=ch-1&auto=1"))) {
            awaitState(page, "ERROR");
            page.evaluate("document.getElementById('token').value = '" + token + "'");
            page.evaluate("document.getElementById('connect').click()");
            awaitState(page, "CONNECTED");
            assertEquals(1, server.participants("ch-1").size());
        }
    }
}
