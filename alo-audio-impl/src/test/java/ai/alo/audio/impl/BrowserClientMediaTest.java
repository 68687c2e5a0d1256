package ai.alo.audio.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.alo.audio.AloAudio;
import ai.alo.audio.AudioChannel;
import ai.alo.audio.ConnectionState;
import ai.alo.audio.Participant;
import ai.alo.audio.server.AloAudioServer;
import ai.alo.audio.testing.Chromium;
import ai.alo.audio.testing.ChromiumPage;
import ai.alo.audio.testing.NetworkNamespace;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Proof that the media is standard WebRTC (issue 7, item 5): headless Chromium's own WebRTC, in the reference
 * service's web console, and this module's Java client in one full-duplex channel. The browser sends a 660 Hz tone
 * (WebAudio), the Java client a 440 Hz tone (a tone input); each hears the other through the relay, and when the Java
 * client disconnects the browser stops hearing it.
 *
 * <p>A media test: it runs only in the surefire execution {@code media-tests}, inside the network namespace of {@code
 * bin/netns-exec}. The browser is killed after the test (and by {@code bin/netns-exec} if this JVM dies).
 */
class BrowserClientMediaTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final AudioChannel CHANNEL = AudioChannel.fullDuplex("browser-and-java", "Browser and Java");
    private static final String STATUS = "window.aloConsole.status()";

    private ServerFixture fixture;
    private Chromium chromium;

    @BeforeAll
    static void insideTheNamespace() {
        assertTrue(NetworkNamespace.isInside(), NetworkNamespace.describe());
    }

    @AfterEach
    void stop() {
        if (chromium != null) {
            chromium.close();
        }
        if (fixture != null) {
            fixture.close();
        }
    }

    @Test
    void javaClientAndBrowser_hearEachOther_andTheBrowserStopsHearingTheClientWhenItDisconnects() throws Exception {
        fixture = new ServerFixture(AloAudioServer.builder());
        ClientMediaTest.Ears ears = new ClientMediaTest.Ears();
        fixture.runtime.devices().addToneInput("tone-440", "Tone 440 Hz", 440, 0.5);
        fixture.runtime.devices().addPcmOutput("ears", "What the Java client hears", ears);
        String javaUser = ServerFixture.newUserId();
        AloAudio java = fixture.client(fixture.config(javaUser).mediaEnabled(true).audioInputDeviceId("tone-440")
                .audioOutputDeviceId("ears").build(), new RecordingListener());
        java.connect(CHANNEL).get(WAIT.toSeconds(), TimeUnit.SECONDS);

        chromium = Chromium.launch();
        String token = fixture.server.tokens().issue("u-browser", Duration.ofMinutes(5));
        URI console = URI.create(fixture.server.consoleUri() + "#user=u-browser&name=Browser&token=" + token
                + "&channel=" + CHANNEL.id() + "&fullDuplex=1&src=tone&freq=660&auto=1");
        try (ChromiumPage page = chromium.open(console, true)) {
            page.awaitTrue(STATUS + ".state === 'CONNECTED'", WAIT);
            // the browser hears the Java client's 440 Hz
            page.awaitTrue("(s => s.receivedLevel > 0.05 && Math.abs(s.receivedPeakHz - 440) < 8)(" + STATUS + ")",
                    WAIT);
            // the Java client hears the browser's 660 Hz, and never its own tone
            // (a silent window's frequency is NaN, which is never within 20 Hz)
            ClientMediaTest.within(WAIT.toSeconds(), () -> Math.abs(ears.heard().dominantHz - 660) <= 20);
            ClientMediaTest.Ears.Heard fromBrowser = ears.heard();
            System.out.printf(Locale.ROOT, "BrowserClientMediaTest: the Java client hears %s; the browser: %s%n",
                    fromBrowser, page.evaluateObject(STATUS));
            assertEquals(660, fromBrowser.dominantHz, 20, fromBrowser::toString);
            assertTrue(fromBrowser.fractionAt(440) < 0.05, fromBrowser::toString);
            assertTrue(java.participants().stream().map(Participant::userId).anyMatch("u-browser"::equals),
                    () -> "the Java client lists the browser: " + java.participants());

            java.disconnect();
            assertEquals(ConnectionState.DISCONNECTED, java.state());
            page.awaitTrue("(s => s.receivedLevel < 0.01)(" + STATUS + ")", WAIT);
            page.awaitTrue("!JSON.stringify(" + STATUS + ".participants).includes('" + javaUser + "')", WAIT);
            assertEquals("CONNECTED", page.evaluateString(STATUS + ".state"), "the browser stays connected");
        }
    }
}
