package ai.alo.audio.cdi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.alo.audio.AloAudioConfig;
import ai.alo.audio.AloAudioConfigException;
import ai.alo.audio.AudioUser;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** {@link ConfigResolver} against in-memory system properties and environment variables. */
class ConfigResolverTest {

    private static final String TOKEN = "eyJhbGciOiJIUzI1NiJ9.eyJ1c2VyIjp7ImlkIjoidSJ9fQ.c2lnbmF0dXJl";

    private final Map<String, String> properties = new HashMap<>();
    private final Map<String, String> environment = new HashMap<>();
    private final ConfigResolver resolver =
            new ConfigResolver(new ConfigValues.SystemValues(properties::get, environment::get));

    private void required() {
        properties.put("alo.audio.server-uri", "ws://audio.example:8080/audio");
        properties.put("alo.audio.user.id", "u-1");
        properties.put("alo.audio.user-auth-token", TOKEN);
    }

    @Test
    void resolve_withRequiredKeysOnly_usesDefaults() {
        required();
        AloAudioConfig config = resolver.resolve("default");
        assertEquals("default", config.name());
        assertEquals(URI.create("ws://audio.example:8080/audio"), config.serverUri());
        assertEquals(new AudioUser("u-1", "", ""), config.user());
        assertEquals(TOKEN, config.userAuthToken());
        assertFalse(config.ttsEnabled());
        assertEquals(Optional.empty(), config.audioInputDeviceId());
        assertEquals(AloAudioConfig.DEFAULT_HEARTBEAT_INTERVAL, config.heartbeatInterval());
        assertEquals(AloAudioConfig.DEFAULT_HEARTBEAT_TIMEOUT, config.heartbeatTimeout());
        assertEquals(AloAudioConfig.DEFAULT_CONNECT_TIMEOUT, config.connectTimeout());
        assertEquals(AloAudioConfig.DEFAULT_CLOSE_GRACE, config.closeGrace());
        assertEquals(AloAudioConfig.DEFAULT_MAX_MESSAGE_SIZE, config.maxMessageSize());
    }

    @Test
    void resolve_withEveryKey_setsEverySetting() {
        required();
        properties.put("alo.audio.user.name", "Console 3");
        properties.put("alo.audio.user.device-id", "console-3");
        properties.put("alo.audio.tts-enabled", "TRUE");
        properties.put("alo.audio.audio-input-device-id", "mic-1");
        properties.put("alo.audio.audio-output-device-id", "spk-1");
        properties.put("alo.audio.heartbeat-interval", "500ms");
        properties.put("alo.audio.heartbeat-timeout", "PT2S");
        properties.put("alo.audio.connect-timeout", "1.5s");
        properties.put("alo.audio.close-grace", "300MS");
        properties.put("alo.audio.max-message-size", "2048");
        AloAudioConfig config = resolver.resolve("default");
        assertEquals(new AudioUser("u-1", "Console 3", "console-3"), config.user());
        assertTrue(config.ttsEnabled());
        assertEquals(Optional.of("mic-1"), config.audioInputDeviceId());
        assertEquals(Optional.of("spk-1"), config.audioOutputDeviceId());
        assertEquals(Duration.ofMillis(500), config.heartbeatInterval());
        assertEquals(Duration.ofSeconds(2), config.heartbeatTimeout());
        assertEquals(Duration.ofMillis(1500), config.connectTimeout());
        assertEquals(Duration.ofMillis(300), config.closeGrace());
        assertEquals(2048, config.maxMessageSize());
    }

    @Test
    void resolve_fromEnvironment_usesMicroProfileNaming() {
        environment.put("ALO_AUDIO_SERVER_URI", "wss://audio.example/audio");
        environment.put("ALO_AUDIO_USER_ID", "env-user");
        environment.put("ALO_AUDIO_USER_AUTH_TOKEN", TOKEN);
        environment.put("ALO_AUDIO_CLIENT_SUPPORT_USER_NAME", "Support desk");
        environment.put("alo_audio_heartbeat_timeout", "3s");
        AloAudioConfig config = resolver.resolve("support");
        assertEquals(URI.create("wss://audio.example/audio"), config.serverUri());
        assertEquals(new AudioUser("env-user", "Support desk", ""), config.user());
        assertEquals(Duration.ofSeconds(3), config.heartbeatTimeout());
    }

    @Test
    void resolve_systemPropertyWinsOverEnvironment() {
        required();
        environment.put("ALO_AUDIO_USER_ID", "env-user");
        assertEquals("u-1", resolver.resolve("default").user().id());
    }

    @Test
    void builder_clientKeysOverrideSharedKeys_andMissingKeysStayUnset() {
        properties.put("alo.audio.server-uri", "ws://shared.example/audio");
        properties.put("alo.audio.heartbeat-interval", "2s");
        properties.put("alo.audio.heartbeat-timeout", "5s");
        properties.put("alo.audio.client.support.server-uri", "ws://support.example/audio");
        properties.put("alo.audio.client.support.user.id", "support-desk");
        AloAudioConfig.Builder builder = resolver.builder("support");
        AloAudioConfigException missingToken = assertThrows(AloAudioConfigException.class, builder::build);
        assertTrue(missingToken.getMessage().contains("userAuthToken"), missingToken.getMessage());

        AloAudioConfig config = builder.userAuthToken(TOKEN).build();
        assertEquals("support", config.name());
        assertEquals(URI.create("ws://support.example/audio"), config.serverUri());
        assertEquals("support-desk", config.user().id());
        assertEquals(Duration.ofSeconds(2), config.heartbeatInterval());
        assertEquals(Duration.ofSeconds(5), config.heartbeatTimeout());
    }

    @Test
    void resolve_withoutAnything_namesEveryMissingKeyAndWhereItWasLookedUp() {
        AloAudioConfigException e = assertThrows(AloAudioConfigException.class, () -> resolver.resolve("default"));
        String message = e.getMessage();
        assertTrue(message.contains("alo.audio.server-uri is not set"), message);
        assertTrue(message.contains("alo.audio.user.id is not set"), message);
        assertTrue(message.contains("alo.audio.user-auth-token is not set"), message);
        assertTrue(message.contains("system property alo.audio.server-uri or environment variable "
                + "ALO_AUDIO_SERVER_URI"), message);
        assertTrue(message.contains("alo.audio.client.default.server-uri"), message);
    }

    @Test
    void resolve_badDuration_namesTheKeyAndQuotesTheValue() {
        required();
        properties.put("alo.audio.client.default.heartbeat-timeout", "soon");
        AloAudioConfigException e = assertThrows(AloAudioConfigException.class, () -> resolver.resolve("default"));
        assertTrue(e.getMessage().contains("alo.audio.client.default.heartbeat-timeout has an invalid value 'soon' "
                + "(from system property alo.audio.client.default.heartbeat-timeout)"), e.getMessage());
        assertTrue(e.getMessage().contains("PT2.5S"), e.getMessage());
    }

    @Test
    void resolve_badTokenValue_isNeverEchoed() {
        required();
        String secret = "s3cr3t-PART-of-the-token";
        properties.put("alo.audio.user-auth-token", "Bearer " + secret);
        AloAudioConfigException e = assertThrows(AloAudioConfigException.class, () -> resolver.resolve("default"));
        assertTrue(e.getMessage().contains("alo.audio.user-auth-token has an invalid value (from system property "
                + "alo.audio.user-auth-token; the value is not shown)"), e.getMessage());
        assertFalse(fullText(e).contains(secret), fullText(e));
    }

    @Test
    void resolve_badUriAndNumbersAndBooleans_areEachNamed() {
        required();
        properties.put("alo.audio.server-uri", "http://audio.example/audio");
        properties.put("alo.audio.max-message-size", "64k");
        properties.put("alo.audio.tts-enabled", "yes");
        String message = assertThrows(AloAudioConfigException.class, () -> resolver.resolve("default")).getMessage();
        assertTrue(message.contains("alo.audio.server-uri has an invalid value 'http://audio.example/audio'"), message);
        assertTrue(message.contains("serverUri must use the ws:// or wss:// scheme"), "the builder's rule: " + message);
        assertTrue(message.contains("alo.audio.max-message-size has an invalid value '64k'"), message);
        assertTrue(message.contains("alo.audio.tts-enabled has an invalid value 'yes'"), message);
        assertFalse(message.contains("alo.audio.server-uri is not set"), message);
    }

    @Test
    void resolve_inconsistentValues_nameTheKeyOfTheBuilderProperty() {
        required();
        properties.put("alo.audio.heartbeat-interval", "3s");
        properties.put("alo.audio.client.default.heartbeat-timeout", "2s");
        AloAudioConfigException e = assertThrows(AloAudioConfigException.class, () -> resolver.resolve("default"));
        assertEquals(Optional.of("heartbeatTimeout"), e.property());
        assertTrue(e.getMessage().contains("alo.audio.client.default.heartbeat-timeout has an invalid value '2s' "
                + "(from system property alo.audio.client.default.heartbeat-timeout): heartbeatTimeout (PT2S) must be "
                + "longer than heartbeatInterval (PT3S)"), e.getMessage());
    }

    @Test
    void resolve_defaultThatBreaksARule_namesTheUnsetKey() {
        required();
        properties.put("alo.audio.heartbeat-interval", "3s");
        String message = assertThrows(AloAudioConfigException.class, () -> resolver.resolve("default")).getMessage();
        assertTrue(message.contains("alo.audio.heartbeat-timeout is not set (looked up "
                + "alo.audio.client.default.heartbeat-timeout, then alo.audio.heartbeat-timeout"), message);
        assertTrue(message.contains("heartbeatTimeout (" + AloAudioConfig.DEFAULT_HEARTBEAT_TIMEOUT + ") must be "
                + "longer than heartbeatInterval (PT3S)"), message);
    }

    @Test
    void resolve_builderRule_isTranslatedThroughProperty_withTheBuildersWords() {
        required();
        properties.put("alo.audio.close-grace", "5ms");
        properties.put("alo.audio.connect-timeout", "PT-1S"); // parses; the builder says it must be positive
        AloAudioConfigException e = assertThrows(AloAudioConfigException.class, () -> resolver.resolve("default"));
        assertEquals(Optional.of("connectTimeout"), e.property(), "the first problem, in the builder's order");
        assertTrue(e.getMessage().contains("alo.audio.connect-timeout has an invalid value 'PT-1S' (from system "
                + "property alo.audio.connect-timeout): connectTimeout must be positive, was PT-1S"), e.getMessage());
        assertTrue(e.getMessage().contains("alo.audio.close-grace has an invalid value '5ms' (from system property "
                + "alo.audio.close-grace): closeGrace must be at least PT0.01S, was PT0.005S"), e.getMessage());
        AloAudioConfigException builders = assertInstanceOf(AloAudioConfigException.class, e.getCause());
        assertEquals(Optional.of("connectTimeout"), builders.property());
    }

    @Test
    void resolve_bareNumberDuration_isRefused_namingTheKeyAndWhatToWrite() {
        required();
        properties.put("alo.audio.client.default.connect-timeout", "10");
        AloAudioConfigException e = assertThrows(AloAudioConfigException.class, () -> resolver.resolve("default"));
        assertEquals(Optional.of("connectTimeout"), e.property());
        assertTrue(e.getMessage().contains("alo.audio.client.default.connect-timeout has an invalid value '10' (from "
                + "system property alo.audio.client.default.connect-timeout): a duration needs a unit: write 10ms for "
                + "milliseconds or 10s for seconds"), e.getMessage());
    }

    @Test
    void builder_bareNumberDuration_isRefusedToo() {
        properties.put("alo.audio.close-grace", "250");
        AloAudioConfigException e = assertThrows(AloAudioConfigException.class, () -> resolver.builder("support"));
        assertTrue(e.getMessage().contains("alo.audio.close-grace has an invalid value '250'"), e.getMessage());
        assertTrue(e.getMessage().contains("write 250ms"), e.getMessage());
    }

    @Test
    void resolve_blankUserId_isNotSet_namingUserIdKeyAndProperty() {
        required();
        properties.put("alo.audio.user.id", "   ");
        AloAudioConfigException e = assertThrows(AloAudioConfigException.class, () -> resolver.resolve("default"));
        assertEquals(Optional.of("user.id"), e.property());
        assertTrue(e.getMessage().contains("alo.audio.user.id is not set"), e.getMessage());
    }

    @Test
    void builder_blankUserIdFromTheApplication_failsInBuild_withPropertyUserId() {
        properties.put("alo.audio.server-uri", "ws://audio.example/audio");
        AloAudioConfig.Builder builder = resolver.builder("support").user("", "Support", "").userAuthToken(TOKEN);
        AloAudioConfigException e = assertThrows(AloAudioConfigException.class, builder::build);
        assertEquals(Optional.of("user.id"), e.property());
    }

    @Test
    void resolve_uriWithUserInfo_isRefusedWithoutShowingIt() {
        required();
        properties.put("alo.audio.server-uri", "ws://bob:pa55word@audio.example/audio");
        AloAudioConfigException e = assertThrows(AloAudioConfigException.class, () -> resolver.resolve("default"));
        assertEquals(Optional.of("serverUri"), e.property());
        assertTrue(e.getMessage().contains("alo.audio.server-uri has an invalid value 'ws://***@audio.example/audio'"),
                e.getMessage());
        assertFalse(fullText(e).contains("pa55word"), fullText(e));
    }

    @Test
    void resolve_uriThatIsNoUri_isRefusedByTheBuildersParser() {
        required();
        properties.put("alo.audio.server-uri", "ws://bad host/audio");
        AloAudioConfigException e = assertThrows(AloAudioConfigException.class, () -> resolver.resolve("default"));
        assertTrue(e.getMessage().contains("alo.audio.server-uri has an invalid value 'ws://bad host/audio' (from "
                + "system property alo.audio.server-uri): serverUri is not a valid URI"), e.getMessage());
        assertFalse(e.getMessage().contains("is not set"), "reported once: " + e.getMessage());
    }

    @Test
    void builder_invalidName_isRefusedByTheBuilder() {
        AloAudioConfigException e = assertThrows(AloAudioConfigException.class, () -> resolver.builder("with space"));
        assertEquals(Optional.of("name"), e.property());
        assertThrows(AloAudioConfigException.class, () -> resolver.builder(""));
    }

    @Test
    void parseDuration_acceptsIsoAndUnits() {
        assertEquals(Duration.ofMillis(2500), ConfigResolver.parseDuration("PT2.5S"));
        assertEquals(Duration.ofMillis(2500), ConfigResolver.parseDuration("pt2.5s"));
        assertEquals(Duration.ofMillis(250), ConfigResolver.parseDuration("250ms"));
        assertEquals(Duration.ofMillis(2500), ConfigResolver.parseDuration("2.5s"));
        assertEquals(Duration.ofMillis(2500), ConfigResolver.parseDuration(" 2.5 S "));
        assertEquals(Duration.ofMinutes(2), ConfigResolver.parseDuration("2m"));
        assertEquals(Duration.ofMillis(500), ConfigResolver.parseDuration(".5s"));
        assertEquals(Duration.ZERO, ConfigResolver.parseDuration("0ms"));
        assertEquals(Duration.ofSeconds(-1), ConfigResolver.parseDuration("PT-1S"), "syntax only; the builder judges");
    }

    @Test
    void parseDuration_refusesBareNumbersAndGarbage() {
        String[] bad = {"", "10", "0", "2.5", "+10", "-1", "soon", "1h", "-1s", "1.s", "1 000ms", "P",
                "99999999999999999m"};
        for (String text : bad) {
            assertThrows(IllegalArgumentException.class, () -> ConfigResolver.parseDuration(text), text);
        }
        IllegalArgumentException bare = assertThrows(IllegalArgumentException.class,
                () -> ConfigResolver.parseDuration("10"));
        assertTrue(bare.getMessage().contains("write 10ms for milliseconds or 10s for seconds"), bare.getMessage());
    }

    @Test
    void environmentNames_followMicroProfileConfig() {
        assertEquals(java.util.List.of("alo.audio.server-uri", "alo_audio_server_uri", "ALO_AUDIO_SERVER_URI"),
                java.util.List.of(ConfigValues.environmentNames("alo.audio.server-uri")));
    }

    static String fullText(Throwable e) {
        java.io.StringWriter out = new java.io.StringWriter();
        e.printStackTrace(new java.io.PrintWriter(out));
        return out.toString();
    }
}
