package ai.alo.audio.cdi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.alo.audio.AloAudioConfig;
import ai.alo.audio.AloAudioConfigException;
import ai.alo.audio.AudioUser;
import ai.alo.audio.DisconnectReason;
import ai.alo.audio.ReconnectBackoff;
import ai.alo.audio.UserAuthTokenProvider;
import ai.alo.audio.spi.ReconnectAttempt;
import ai.alo.audio.spi.ReconnectPolicy;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The {@code reconnect.*} keys of {@link ConfigResolver}, and what the application's beans override. */
class ReconnectKeysTest {

    private static final String TOKEN = "eyJhbGciOiJIUzI1NiJ9.eyJ1c2VyIjp7ImlkIjoidSJ9fQ.c2lnbmF0dXJl";

    /** A policy class for {@code reconnect.policy}: always one second. */
    public static class OneSecondPolicy implements ReconnectPolicy {
        @Override
        public Optional<Duration> delayBefore(ReconnectAttempt next) {
            return Optional.of(Duration.ofSeconds(1));
        }
    }

    /** A policy class whose constructor throws. */
    public static class ThrowingPolicy implements ReconnectPolicy {
        public ThrowingPolicy() {
            throw new IllegalStateException("no policy today");
        }

        @Override
        public Optional<Duration> delayBefore(ReconnectAttempt next) {
            return Optional.empty();
        }
    }

    /** A policy class without a no-argument constructor. */
    public static class ConfiguredPolicy implements ReconnectPolicy {
        private final Duration delay;

        public ConfiguredPolicy(Duration delay) {
            this.delay = delay;
        }

        @Override
        public Optional<Duration> delayBefore(ReconnectAttempt next) {
            return Optional.of(delay);
        }
    }

    /** An abstract policy class. */
    public abstract static class AbstractPolicy implements ReconnectPolicy {
    }

    private final Map<String, String> properties = new HashMap<>();
    private final ConfigResolver resolver = new ConfigResolver(new ConfigValues.SystemValues(properties::get,
            name -> null), ReconnectKeysTest.class.getClassLoader());

    private void required() {
        properties.put("alo.audio.server-uri", "ws://audio.example:8080/audio");
        properties.put("alo.audio.user.id", "u-1");
        properties.put("alo.audio.user-auth-token", TOKEN);
    }

    private String problems() {
        return assertThrows(AloAudioConfigException.class, () -> resolver.resolve("default")).getMessage();
    }

    @Test
    void unset_keepsTheDefaultBackoff() {
        required();
        assertEquals(ReconnectBackoff.defaults(), resolver.resolve("default").reconnectPolicy());
    }

    @Test
    void everyBackoffKey_setsItsComponent() {
        required();
        properties.put("alo.audio.reconnect.immediate-attempts", "1");
        properties.put("alo.audio.reconnect.initial-delay", "200ms");
        properties.put("alo.audio.reconnect.multiplier", "1.5");
        properties.put("alo.audio.reconnect.max-delay", "5s");
        properties.put("alo.audio.reconnect.jitter", "0.25");
        properties.put("alo.audio.reconnect.budget", "PT2M");
        properties.put("alo.audio.reconnect.max-attempts", "7");
        properties.put("alo.audio.reconnect.enabled", "TRUE");
        assertEquals(new ReconnectBackoff(1, Duration.ofMillis(200), 1.5, Duration.ofSeconds(5), 0.25,
                Duration.ofMinutes(2), 7), resolver.resolve("default").reconnectPolicy());
    }

    @Test
    void someKeys_overridePerClient_andTheOthersKeepTheDefaults() {
        required();
        properties.put("alo.audio.reconnect.max-delay", "30s");
        properties.put("alo.audio.reconnect.jitter", "0");
        properties.put("alo.audio.client.support.reconnect.initial-delay", "20s"); // above the default max: fine
        properties.put("alo.audio.client.support.reconnect.jitter", ".1");
        ReconnectBackoff d = ReconnectBackoff.defaults();
        assertEquals(d.withMaxDelay(Duration.ofSeconds(30)).withJitter(0),
                resolver.resolve("default").reconnectPolicy());
        assertEquals(d.withMaxDelay(Duration.ofSeconds(30)).withInitialDelay(Duration.ofSeconds(20)).withJitter(0.1),
                resolver.resolve("support").reconnectPolicy());
    }

    @Test
    void enabledFalse_isNever_andTheOtherReconnectKeysAreNotRead() {
        required();
        properties.put("alo.audio.reconnect.enabled", "false");
        properties.put("alo.audio.reconnect.jitter", "2"); // invalid, but not read for a client that never reconnects
        properties.put("alo.audio.reconnect.policy", "com.example.Missing");
        assertSame(ReconnectPolicy.never(), resolver.resolve("default").reconnectPolicy());
    }

    @Test
    void enabledTrueForOneClient_overridesASharedFalse() {
        required();
        properties.put("alo.audio.reconnect.enabled", "false");
        properties.put("alo.audio.client.support.reconnect.enabled", "true");
        assertSame(ReconnectPolicy.never(), resolver.resolve("default").reconnectPolicy());
        assertEquals(ReconnectBackoff.defaults(), resolver.resolve("support").reconnectPolicy());
    }

    @Test
    void badValues_areEachNamed_together() {
        required();
        properties.put("alo.audio.reconnect.enabled", "yes");
        properties.put("alo.audio.reconnect.immediate-attempts", "two");
        properties.put("alo.audio.client.default.reconnect.initial-delay", "soon");
        properties.put("alo.audio.reconnect.multiplier", "NaN");
        properties.put("alo.audio.reconnect.budget", "600");
        properties.put("alo.audio.reconnect.jitter", "2");
        AloAudioConfigException e = assertThrows(AloAudioConfigException.class, () -> resolver.resolve("default"));
        String message = e.getMessage();
        assertEquals(Optional.of("reconnect.enabled"), e.property(), "the first problem's property");
        assertTrue(message.contains("alo.audio.reconnect.enabled has an invalid value 'yes' (from system property "
                + "alo.audio.reconnect.enabled): expected true or false"), message);
        assertTrue(message.contains("alo.audio.reconnect.immediate-attempts has an invalid value 'two' (from system "
                + "property alo.audio.reconnect.immediate-attempts): expected a whole number"), message);
        assertTrue(message.contains("alo.audio.client.default.reconnect.initial-delay has an invalid value 'soon' "
                + "(from system property alo.audio.client.default.reconnect.initial-delay): expected a duration with "
                + "a unit"), message);
        assertTrue(message.contains("alo.audio.reconnect.multiplier has an invalid value 'NaN'"), message);
        assertTrue(message.contains("alo.audio.reconnect.budget has an invalid value '600' (from system property "
                + "alo.audio.reconnect.budget): a duration needs a unit: write 600ms"), message);
        assertTrue(message.contains("alo.audio.reconnect.jitter has an invalid value '2' (from system property "
                + "alo.audio.reconnect.jitter): reconnect jitter must be between 0 and 1, was 2.0"), message);
    }

    @Test
    void severalOutOfRangeValues_areAllReported_inTheBackoffsOrder() {
        required();
        properties.put("alo.audio.reconnect.jitter", "1.5");
        properties.put("alo.audio.reconnect.budget", "0s");
        properties.put("alo.audio.reconnect.max-attempts", "-1");
        properties.put("alo.audio.reconnect.multiplier", "0.5");
        AloAudioConfigException e = assertThrows(AloAudioConfigException.class, () -> resolver.resolve("default"));
        assertEquals(Optional.of("reconnect.multiplier"), e.property());
        String message = e.getMessage();
        assertTrue(message.contains("alo.audio.reconnect.multiplier has an invalid value '0.5' (from system property "
                + "alo.audio.reconnect.multiplier): reconnect multiplier must be a number of at least 1"), message);
        assertTrue(message.contains("alo.audio.reconnect.jitter has an invalid value '1.5'"), message);
        assertTrue(message.contains("alo.audio.reconnect.budget has an invalid value '0s' (from system property "
                + "alo.audio.reconnect.budget): reconnect budget must be positive"), message);
        assertTrue(message.contains("alo.audio.reconnect.max-attempts has an invalid value '-1' (from system property "
                + "alo.audio.reconnect.max-attempts): reconnect maxAttempts must not be negative"), message);
    }

    @Test
    void aDefaultThatBreaksARule_namesTheUnsetKey() {
        required();
        properties.put("alo.audio.reconnect.initial-delay", "20s");
        properties.put("alo.audio.client.support.reconnect.max-delay", "10s");
        String message = problems();
        assertTrue(message.contains("alo.audio.reconnect.max-delay is not set (looked up "
                + "alo.audio.client.default.reconnect.max-delay, then alo.audio.reconnect.max-delay"), message);
        assertTrue(message.contains("reconnect maxDelay must be at least initialDelay (PT20S), was PT15S"), message);
        AloAudioConfigException support = assertThrows(AloAudioConfigException.class,
                () -> resolver.resolve("support"));
        assertTrue(support.getMessage().contains("alo.audio.client.support.reconnect.max-delay has an invalid value "
                + "'10s' (from system property alo.audio.client.support.reconnect.max-delay): reconnect maxDelay "
                + "must be at least initialDelay (PT20S), was PT10S"), support.getMessage());
        assertFalse(support.getMessage().contains("is not set"), "reported once: " + support.getMessage());
    }

    @Test
    void policyClass_isInstantiatedForEachClient() {
        required();
        properties.put("alo.audio.reconnect.policy", OneSecondPolicy.class.getName());
        ReconnectPolicy first = resolver.resolve("default").reconnectPolicy();
        ReconnectPolicy second = resolver.resolve("default").reconnectPolicy();
        assertInstanceOf(OneSecondPolicy.class, first);
        assertNotSame(first, second);
        assertEquals(Optional.of(Duration.ofSeconds(1)), first.delayBefore(new ReconnectAttempt("default", 1,
                Duration.ZERO, DisconnectReason.CONNECTION_LOST)));
    }

    @Test
    void policyClass_missing_isNamedWithWhatToWrite() {
        required();
        properties.put("alo.audio.reconnect.policy", "com.example.MissingPolicy");
        AloAudioConfigException e = assertThrows(AloAudioConfigException.class, () -> resolver.resolve("default"));
        assertEquals(Optional.of("reconnectPolicy"), e.property());
        assertTrue(e.getMessage().contains("alo.audio.reconnect.policy has an invalid value 'com.example.MissingPolicy' "
                + "(from system property alo.audio.reconnect.policy): no class com.example.MissingPolicy is visible to "
                + "the application's class loader"), e.getMessage());
    }

    @Test
    void policyClass_ofAnotherType_isRefused() {
        required();
        properties.put("alo.audio.reconnect.policy", "java.lang.String");
        assertTrue(problems().contains("alo.audio.reconnect.policy has an invalid value 'java.lang.String' (from "
                + "system property alo.audio.reconnect.policy): the class java.lang.String does not implement "
                + "ai.alo.audio.spi.ReconnectPolicy"), problems());
    }

    @Test
    void policyClass_thatThrows_isNamed_withTheExceptionAttached() {
        required();
        properties.put("alo.audio.reconnect.policy", ThrowingPolicy.class.getName());
        AloAudioConfigException e = assertThrows(AloAudioConfigException.class, () -> resolver.resolve("default"));
        assertTrue(e.getMessage().contains("the constructor of " + ThrowingPolicy.class.getName() + " threw "
                + "java.lang.IllegalStateException: no policy today"), e.getMessage());
        assertTrue(Arrays.stream(e.getSuppressed()).anyMatch(s -> s instanceof IllegalStateException
                && "no policy today".equals(s.getMessage())), "the constructor's exception is attached");
    }

    @Test
    void policyClass_withoutNoArgConstructor_orAbstract_isRefused() {
        required();
        properties.put("alo.audio.reconnect.policy", ConfiguredPolicy.class.getName());
        assertTrue(problems().contains("the class " + ConfiguredPolicy.class.getName() + " has no public "
                + "no-argument constructor"), problems());
        properties.put("alo.audio.reconnect.policy", AbstractPolicy.class.getName());
        assertTrue(problems().contains("the class " + AbstractPolicy.class.getName() + " is abstract"), problems());
    }

    @Test
    void policyClass_andBackoffKeys_areExclusive_namingBoth() {
        required();
        properties.put("alo.audio.reconnect.policy", OneSecondPolicy.class.getName());
        properties.put("alo.audio.reconnect.max-delay", "30s");
        properties.put("alo.audio.client.default.reconnect.jitter", "0.1");
        AloAudioConfigException e = assertThrows(AloAudioConfigException.class, () -> resolver.resolve("default"));
        assertEquals(Optional.of("reconnectPolicy"), e.property());
        assertTrue(e.getMessage().contains("alo.audio.reconnect.policy (from system property alo.audio.reconnect.policy) "
                + "and alo.audio.reconnect.max-delay (from system property alo.audio.reconnect.max-delay), "
                + "alo.audio.client.default.reconnect.jitter (from system property "
                + "alo.audio.client.default.reconnect.jitter) are both set"), e.getMessage());
    }

    @Test
    void builder_forTheFactory_carriesThePolicy_andRefusesBadKeys() {
        properties.put("alo.audio.reconnect.max-attempts", "3");
        AloAudioConfig config = resolver.builder("support").serverUri("ws://audio.example/audio")
                .user(AudioUser.of("u-2", "Support")).userAuthToken(TOKEN).build();
        assertEquals(ReconnectBackoff.defaults().withMaxAttempts(3), config.reconnectPolicy());
        properties.put("alo.audio.reconnect.jitter", "-0.5");
        AloAudioConfigException e = assertThrows(AloAudioConfigException.class, () -> resolver.builder("support"));
        assertTrue(e.getMessage().contains("alo.audio.reconnect.jitter has an invalid value '-0.5'"), e.getMessage());
    }

    @Test
    void missingToken_pointsToTheProviderBean() {
        properties.put("alo.audio.server-uri", "ws://audio.example:8080/audio");
        properties.put("alo.audio.user.id", "u-1");
        String message = problems();
        assertTrue(message.contains("alo.audio.user-auth-token is not set"), message);
        assertTrue(message.contains("or declare a bean of type ai.alo.audio.UserAuthTokenProvider (@Default for every "
                + "client, @AloClient(\"default\") for this one)"), message);
    }

    @Test
    void overrides_aProviderMakesTheTokenOptional_aPolicyReplacesTheKeys() {
        properties.put("alo.audio.server-uri", "ws://audio.example:8080/audio");
        properties.put("alo.audio.user.id", "u-1");
        properties.put("alo.audio.reconnect.jitter", "2"); // not read: the policy bean wins
        UserAuthTokenProvider provider = user -> TOKEN;
        ReconnectPolicy policy = next -> Optional.empty();
        AloAudioConfig config = resolver.resolve("default", new ConfigResolver.Overrides(provider, policy));
        assertSame(provider, config.userAuthTokenProvider().orElseThrow());
        assertTrue(config.userAuthToken() == null, "no token key, and none shown");
        assertSame(policy, config.reconnectPolicy());
    }
}
