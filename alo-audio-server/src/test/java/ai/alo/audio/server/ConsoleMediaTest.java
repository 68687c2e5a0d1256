package ai.alo.audio.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import ai.alo.audio.impl.rtc.RtcEngine;
import ai.alo.audio.impl.rtc.RtcPacer;
import ai.alo.audio.protocol.ParticipantJoined;
import ai.alo.audio.protocol.ParticipantLeft;
import ai.alo.audio.testing.Chromium;
import ai.alo.audio.testing.ChromiumPage;
import ai.alo.audio.testing.NetworkNamespace;
import ai.alo.audio.testing.ToneDetector;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import java.io.StringReader;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import org.glassfish.tyrus.client.ClientManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * The web console through the relay, for real, both directions: headless Chromium's own WebRTC (the console page)
 * and a Java participant (a raw {@link ai.alo.audio.impl.rtc.RtcPeer}, {@link MediaParticipant}) in one channel of the
 * reference server, which answers both offers and relays. The page sends a 660 Hz WebAudio tone, the Java participant
 * 440 Hz; each must hear the other's tone and never its own.
 *
 * <p>A media test: it runs only in the surefire execution {@code media-tests}, inside the network namespace of
 * {@code bin/netns-exec} (WebRTC ignores loopback; the page and the server use 127.0.0.1, the media the veth pair).
 * One test engine and one browser serve both tests; the browser is closed (its processes killed) after them.
 */
@Execution(ExecutionMode.SAME_THREAD)
class ConsoleMediaTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final int WINDOW = 30;

    private static RtcEngine engine;
    private static RtcPacer pacer;
    private static Chromium chromium;

    private AloAudioServer server;
    private ClientManager client;
    private MediaParticipant java;

    @BeforeAll
    static void startMedia() {
        assertTrue(NetworkNamespace.isInside(), () -> "media tests run inside bin/netns-exec (surefire execution "
                + "media-tests); interfaces here:\n" + NetworkNamespace.describe());
        engine = MediaParticipant.testEngine("console-media");
        pacer = MediaParticipant.testPacer("console-media");
        chromium = Chromium.launch();
    }

    @AfterAll
    static void stopMedia() {
        if (chromium != null) {
            chromium.close();
        }
        if (pacer != null) {
            pacer.close();
        }
        if (engine != null) {
            engine.close();
        }
    }

    @BeforeEach
    void start() {
        server = AloAudioServer.builder().build().start();
        client = ClientManager.createClient();
    }

    @AfterEach
    void stop() {
        if (java != null) {
            java.close();
        }
        server.stop();
        client.shutdown();
    }

    @Test
    void fullDuplex_browserAndJavaHearEachOther_throughTheRelay_andMuteSilencesTheBrowser() throws Exception {
        java = MediaParticipant.joined(client, server, engine, pacer, "u-java", "ch-media", true);
        java.connect();
        java.sendTone(440);
        String token = server.tokens().issue("u-browser", Duration.ofMinutes(5));
        URI console = URI.create(server.consoleUri() + "#user=u-browser&name=Browser&token=" + token
                + "&channel=ch-media&fullDuplex=1&src=tone&freq=660&auto=1");
        try (ChromiumPage page = chromium.open(console, true)) {
            long opened = System.nanoTime();
            page.awaitTrue("window.aloConsole.status().state === 'CONNECTED'", WAIT);
            long connected = System.nanoTime();
            assertEquals("connected", page.evaluateString("window.aloConsole.status().mediaState"));
            assertOfferHasOnlyNamespaceCandidates(page);
            java.await(ParticipantJoined.class, j -> j.participant().userId().equals("u-browser"));

            // the browser hears the Java participant's 440 Hz, the Java participant the browser's 660 Hz, not its own
            page.awaitTrue("(s => s.receivedLevel > 0.05 && Math.abs(s.receivedPeakHz - 440) < 8)"
                    + "(window.aloConsole.status())", WAIT);
            java.awaitHearing("the browser's 660 Hz and not its own 440 Hz", p -> p.amplitude(660, WINDOW) > 0.05
                    && p.amplitude(440, WINDOW) < 0.01);
            long heard = System.nanoTime();
            assertTrue(page.evaluateNumber("window.aloConsole.status().sentLevel") > 0.05, "the page sends");

            // it keeps flowing: 2 s more at about 100 frames a second, still the tones
            long framesBefore = java.framesHeard();
            long since = System.nanoTime();
            Thread.sleep(2000);
            double perSecond = (java.framesHeard() - framesBefore) / ((System.nanoTime() - since) / 1e9);
            assertTrue(perSecond > 85, "frames per second at the Java participant: " + perSecond);
            ToneDetector.Snapshot steady = java.heard();
            assertEquals(660, steady.dominantHz(), 5, steady::toString);
            assertTrue(java.amplitude(440, WINDOW) < 0.01, java::describeHeard);
            page.awaitTrue("(s => s.receivedLevel > 0.05 && Math.abs(s.receivedPeakHz - 440) < 8)"
                    + "(window.aloConsole.status())", WAIT);
            JsonObject status = page.evaluateObject("window.aloConsole.status()");
            System.out.printf(Locale.ROOT, "ConsoleMediaTest: page opened -> CONNECTED %.0f ms, -> both tones heard "
                            + "%.0f ms (polled every 50 ms); %.1f frames/s at Java; Java hears %.1f Hz at RMS %.3f, "
                            + "the browser %.0f Hz at RMS %.3f (sent at RMS 0.212 and 0.354)%n",
                    (connected - opened) / 1e6, (heard - opened) / 1e6, perSecond, steady.dominantHz(),
                    steady.level(), status.getJsonNumber("receivedPeakHz").doubleValue(),
                    status.getJsonNumber("receivedLevel").doubleValue());

            // mute: the browser sends silence, the Java participant hears it go quiet; unmute: the tone is back
            page.evaluate("document.getElementById('mute').click()");
            assertTrue(page.evaluateObject("window.aloConsole.status()").getBoolean("muted"));
            java.awaitHearing("silence after mute", p -> p.amplitude(660, WINDOW) < 0.01);
            page.evaluate("document.getElementById('mute').click()");
            java.awaitHearing("the tone after unmute", p -> p.amplitude(660, WINDOW) > 0.05);

            // disconnect: the console leaves, the relay closes its peer, the Java participant hears nothing more
            page.evaluate("document.getElementById('disconnect').click()");
            page.awaitTrue("window.aloConsole.status().state === 'DISCONNECTED'", WAIT);
            assertEquals("closed", page.evaluateString("window.aloConsole.status().mediaState"));
            java.await(ParticipantLeft.class, l -> l.participant().userId().equals("u-browser"));
            assertEquals(1, server.mediaRelay().openPeers(), "only the Java participant's peer is left");
            java.awaitHearing("silence after the browser left", p -> p.amplitude(660, WINDOW) < 0.01);
            assertNoSecretsShown(page);
        }
    }

    @Test
    void pushToTalk_browserIsHeardOnlyWhileTalkIsHeld_andHearsTheJavaParticipantAlways() throws Exception {
        java = MediaParticipant.joined(client, server, engine, pacer, "u-java", "ch-ptt", false);
        java.connect();
        java.sendTone(440);
        String token = server.tokens().issue("u-ptt", Duration.ofMinutes(5));
        URI console = URI.create(server.consoleUri() + "#user=u-ptt&token=" + token
                + "&channel=ch-ptt&src=tone&freq=660&auto=1");
        try (ChromiumPage page = chromium.open(console, true)) {
            page.awaitTrue("window.aloConsole.status().state === 'CONNECTED'", WAIT);
            // not talking: the Java participant hears nothing of the page, the page hears the Java participant
            page.awaitTrue("(s => s.receivedLevel > 0.05 && Math.abs(s.receivedPeakHz - 440) < 8)"
                    + "(window.aloConsole.status())", WAIT);
            long frames = java.framesHeard();
            java.awaitHearing("200 frames while the browser is connected", p -> p.framesHeard() >= frames + 200);
            assertTrue(java.amplitude(660, WINDOW) < 0.01, java::describeHeard);
            assertEquals(0, page.evaluateNumber("window.aloConsole.status().sentLevel"), 0.001);

            page.evaluate("document.getElementById('talk').dispatchEvent(new PointerEvent('pointerdown', "
                    + "{pointerId: 1, bubbles: true}))");
            assertTrue(page.evaluateObject("window.aloConsole.status()").getBoolean("talking"));
            java.awaitHearing("the tone while talking", p -> p.amplitude(660, WINDOW) > 0.05);

            page.evaluate("document.getElementById('talk').dispatchEvent(new PointerEvent('pointerup', "
                    + "{pointerId: 1, bubbles: true}))");
            assertFalse(page.evaluateObject("window.aloConsole.status()").getBoolean("talking"));
            java.awaitHearing("silence after releasing talk", p -> p.amplitude(660, WINDOW) < 0.01);
            assertNoSecretsShown(page);
        }
    }

    /** The console's offer went through the server: complete (non-trickle), Opus, namespace addresses only. */
    private static void assertOfferHasOnlyNamespaceCandidates(ChromiumPage page) {
        for (String frame : page.webSocketFramesSent()) {
            try (JsonReader reader = Json.createReader(new StringReader(frame))) {
                JsonObject message = reader.readObject();
                if ("media.offer".equals(message.getString("type", ""))) {
                    String sdp = message.getString("sdp");
                    assertTrue(sdp.contains("opus/48000"), "an Opus offer");
                    assertTrue(sdp.contains("a=candidate:"), "non-trickle: the candidates are in the offer");
                    assertTrue(sdp.lines().filter(line -> line.startsWith("a=candidate:"))
                                    .allMatch(line -> line.contains(" " + NetworkNamespace.MEDIA_PREFIX)),
                            "the only candidates are the namespace's veth addresses");
                    return;
                }
            }
        }
        fail("the console sent no media.offer; sent: " + page.webSocketFramesSent().size() + " frames");
    }

    private static void assertNoSecretsShown(ChromiumPage page) {
        String eventLog = page.evaluateString("document.getElementById('log').textContent");
        assertFalse(eventLog.contains("ice-pwd") || eventLog.contains("v=0"), eventLog);
        assertTrue(page.log().stream().noneMatch(line -> line.contains("ice-pwd")), page.log()::toString);
        assertTrue(page.log().stream().noneMatch(line -> line.startsWith("exception")), page.log()::toString);
    }
}
