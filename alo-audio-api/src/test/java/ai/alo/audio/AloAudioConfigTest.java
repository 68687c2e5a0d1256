package ai.alo.audio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class AloAudioConfigTest {

    private static final String TOKEN = "eyJhbGciOiJIUzI1NiJ9.eyJ1c2VyIjp7ImlkIjoidTEifX0.c2lnbmF0dXJl";

    private static AloAudioConfig.Builder valid() {
        return AloAudioConfig.builder()
                .serverUri(URI.create("ws://127.0.0.1:8765/audio"))
                .user(new AudioUser("u1", "Ann", "d1"))
                .userAuthToken(TOKEN);
    }

    @Test
    void build_withRequiredValues_hasDocumentedDefaults() {
        AloAudioConfig config = valid().build();
        assertEquals("default", config.name());
        assertEquals(Duration.ofSeconds(1), config.heartbeatInterval());
        assertEquals(Duration.ofMillis(2500), config.heartbeatTimeout());
        assertTrue(config.heartbeatTimeout().compareTo(Duration.ofSeconds(3)) <= 0, "detection budget <= 3 s");
        assertEquals(Duration.ofSeconds(10), config.connectTimeout());
        assertEquals(Duration.ofMillis(250), config.closeGrace());
        assertEquals(64 * 1024, config.maxMessageSize());
        assertFalse(config.ttsEnabled());
        assertTrue(config.audioInputDeviceId().isEmpty());
        assertTrue(config.sslContext().isEmpty());
    }

    @Test
    void toString_neverShowsToken() {
        String text = valid().build().toString();
        assertFalse(text.contains(TOKEN), text);
        assertFalse(text.contains("c2lnbmF0dXJl"), text);
        assertTrue(text.contains("<redacted>"), text);
    }

    @Test
    void build_withHttpScheme_namesTheSetting() {
        AloAudioConfigException e = assertThrows(AloAudioConfigException.class,
                () -> valid().serverUri(URI.create("http://127.0.0.1/audio")).build());
        assertTrue(e.getMessage().contains("serverUri") && e.getMessage().contains("ws://"), e.getMessage());
    }

    @Test
    void build_withoutScheme_isRejected() {
        assertThrows(AloAudioConfigException.class, () -> valid().serverUri("localhost:8765/audio").build());
    }

    @Test
    void build_withUserInfoInUri_isRejectedWithoutEchoingIt() {
        AloAudioConfigException e = assertThrows(AloAudioConfigException.class,
                () -> valid().serverUri(URI.create("ws://bob:secret@host/audio")).build());
        assertFalse(e.getMessage().contains("secret"), e.getMessage());
    }

    @Test
    void serverUri_withInvalidText_isConfigError() {
        assertThrows(AloAudioConfigException.class, () -> valid().serverUri("ws://bad host/"));
    }

    @Test
    void build_withoutToken_namesTheSetting() {
        AloAudioConfigException e = assertThrows(AloAudioConfigException.class,
                () -> AloAudioConfig.builder().serverUri("ws://h/a").user(AudioUser.of("u", "n")).build());
        assertTrue(e.getMessage().contains("userAuthToken"), e.getMessage());
    }

    @Test
    void build_withWhitespaceInToken_isRejectedWithoutEchoingIt() {
        AloAudioConfigException e = assertThrows(AloAudioConfigException.class,
                () -> valid().userAuthToken("abc def-secret").build());
        assertFalse(e.getMessage().contains("def-secret"), e.getMessage());
    }

    @Test
    void build_withTimeoutNotAboveInterval_isRejected() {
        assertThrows(AloAudioConfigException.class,
                () -> valid().heartbeatInterval(Duration.ofSeconds(2)).heartbeatTimeout(Duration.ofSeconds(2)).build());
    }

    @Test
    void build_withTinyCloseGrace_isRejected() {
        assertThrows(AloAudioConfigException.class, () -> valid().closeGrace(Duration.ofMillis(1)).build());
    }

    @Test
    void build_withBadName_isRejected() {
        assertThrows(AloAudioConfigException.class, () -> valid().name("with space").build());
    }

    @Test
    void toBuilder_copiesEverything() {
        AloAudioConfig config = valid().ttsEnabled(true).audioInputDeviceId("mic").name("support").build();
        AloAudioConfig copy = config.toBuilder().build();
        assertEquals(config.toString(), copy.toString());
        assertEquals(config.userAuthToken(), copy.userAuthToken());
    }
}
