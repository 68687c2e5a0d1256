package ai.alo.audio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
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
        assertEquals(Duration.ofMillis(1800), config.heartbeatTimeout());
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
    void name_invalid_isRejectedAtOnce_namingTheProperty() {
        AloAudioConfig.Builder builder = valid();
        AloAudioConfigException e = assertThrows(AloAudioConfigException.class, () -> builder.name("with space"));
        assertEquals(Optional.of("name"), e.property());
        assertThrows(AloAudioConfigException.class, () -> builder.name(""));
        assertThrows(AloAudioConfigException.class, () -> builder.name("x".repeat(65)));
        assertEquals("default", builder.build().name(), "a rejected name leaves the builder as it was");
    }

    /** One row per rule of build(): the change that breaks it, and the property the exception must name. */
    private record Rule(String property, UnaryOperator<AloAudioConfig.Builder> breakIt) {
    }

    @Test
    void build_eachRule_namesItsProperty() {
        List<Rule> rules = List.of(
                new Rule("serverUri", b -> b.serverUri(URI.create("http://127.0.0.1/audio"))),
                new Rule("serverUri", b -> b.serverUri(URI.create("ws:/no-host"))),
                new Rule("user.id", b -> b.user(" ", "Ann", "d1")),
                new Rule("userAuthToken", b -> b.userAuthToken(" ")),
                new Rule("userAuthToken", b -> b.userAuthToken("abc def")),
                new Rule("heartbeatInterval", b -> b.heartbeatInterval(Duration.ofMillis(10))),
                new Rule("heartbeatTimeout", b -> b.heartbeatTimeout(Duration.ofMillis(500))),
                new Rule("heartbeatTimeout", b -> b.heartbeatTimeout(Duration.ofSeconds(-1))),
                new Rule("connectTimeout", b -> b.connectTimeout(Duration.ZERO)),
                new Rule("closeGrace", b -> b.closeGrace(Duration.ofMillis(1))),
                new Rule("maxMessageSize", b -> b.maxMessageSize(100)));
        for (Rule rule : rules) {
            AloAudioConfigException e = assertThrows(AloAudioConfigException.class,
                    () -> rule.breakIt().apply(valid()).build(), rule.property());
            assertEquals(Optional.of(rule.property()), e.property(), e.getMessage());
            assertTrue(e.getMessage().startsWith(rule.property()), e.getMessage());
            assertEquals(0, e.getSuppressed().length, e.getMessage());
        }
    }

    @Test
    void build_blankUserIdFromComponents_isAConfigErrorNamingUserId() {
        AloAudioConfigException e = assertThrows(AloAudioConfigException.class,
                () -> valid().user("", "Ann", "d1").build());
        assertEquals(Optional.of("user.id"), e.property());
        assertTrue(e.getMessage().contains("user.id must not be blank"), e.getMessage());
    }

    @Test
    void audioUser_withBlankId_isStillRejectedAsAValue() {
        assertThrows(IllegalArgumentException.class, () -> new AudioUser(" ", "Ann", ""));
    }

    @Test
    void user_fromComponents_equalsUserFromRecord() {
        assertEquals(new AudioUser("u1", "Ann", "d1"), valid().user("u1", "Ann", "d1").build().user());
        assertEquals(valid().build().user(), valid().build().toBuilder().build().user());
    }

    @Test
    void build_withoutUser_namesPropertyUserId() {
        AloAudioConfigException e = assertThrows(AloAudioConfigException.class,
                () -> AloAudioConfig.builder().serverUri("ws://h/a").userAuthToken(TOKEN).build());
        assertEquals(Optional.of("user.id"), e.property());
    }

    @Test
    void build_withSeveralProblems_throwsTheFirst_andSuppressesEachFurtherOneWithItsProperty() {
        AloAudioConfigException e = assertThrows(AloAudioConfigException.class, () -> AloAudioConfig.builder()
                .user("", "", "")
                .connectTimeout(Duration.ofSeconds(-1))
                .build());
        assertEquals(Optional.of("serverUri"), e.property());
        List<Optional<String>> further = Arrays.stream(e.getSuppressed())
                .map(s -> ((AloAudioConfigException) s).property()).toList();
        assertEquals(List.of(Optional.of("user.id"), Optional.of("userAuthToken"), Optional.of("connectTimeout")),
                further);
    }

    @Test
    void build_relationOfTwoInvalidValues_reportsOnlyTheInvalidOne() {
        AloAudioConfigException e = assertThrows(AloAudioConfigException.class,
                () -> valid().heartbeatInterval(Duration.ofMillis(1)).heartbeatTimeout(Duration.ofMillis(1)).build());
        assertEquals(Optional.of("heartbeatInterval"), e.property());
        assertEquals(0, e.getSuppressed().length, "the relation is not checked against an invalid interval");
    }

    @Test
    void serverUri_invalidText_namesPropertyWithoutEchoingUserInfo() {
        AloAudioConfigException e = assertThrows(AloAudioConfigException.class,
                () -> valid().serverUri("ws://bob:s3cret@bad host/"));
        assertEquals(Optional.of("serverUri"), e.property());
        assertFalse(e.getMessage().contains("s3cret"), e.getMessage());
    }

    @Test
    void exception_withoutProperty_hasEmptyProperty() {
        assertEquals(Optional.empty(), new AloAudioConfigException("something").property());
        assertEquals(Optional.empty(), new AloAudioConfigException("something", new RuntimeException()).property());
        assertEquals(Optional.of("closeGrace"), new AloAudioConfigException("closeGrace", "m", null).property());
    }

    @Test
    void toBuilder_copiesEverything() {
        AloAudioConfig config = valid().ttsEnabled(true).audioInputDeviceId("mic").name("support").build();
        AloAudioConfig copy = config.toBuilder().build();
        assertEquals(config.toString(), copy.toString());
        assertEquals(config.userAuthToken(), copy.userAuthToken());
    }
}
