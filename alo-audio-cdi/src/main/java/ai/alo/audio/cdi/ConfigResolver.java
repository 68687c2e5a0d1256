package ai.alo.audio.cdi;

import ai.alo.audio.AloAudioConfig;
import ai.alo.audio.AloAudioConfigException;
import ai.alo.audio.AudioUser;
import java.math.BigDecimal;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the configuration of a client from configuration keys.
 *
 * <h2>Keys</h2>
 * <p>For a client named {@code <name>}, each setting {@code <key>} is read from {@code alo.audio.client.<name>.<key>}
 * and, when that is not set, from {@code alo.audio.<key>}; so an application configures the common values once and
 * overrides per client only what differs. The keys are the constants of this class: {@value #SERVER_URI} (required),
 * {@value #USER_ID} (required), {@value #USER_NAME}, {@value #USER_DEVICE_ID}, {@value #USER_AUTH_TOKEN} (required),
 * {@value #TTS_ENABLED}, {@value #AUDIO_INPUT_DEVICE_ID}, {@value #AUDIO_OUTPUT_DEVICE_ID}, {@value
 * #HEARTBEAT_INTERVAL}, {@value #HEARTBEAT_TIMEOUT}, {@value #CONNECT_TIMEOUT}, {@value #CLOSE_GRACE}, {@value
 * #MAX_MESSAGE_SIZE}. Durations are ISO-8601 ({@code PT2.5S}) or a number with unit {@code ms}, {@code s} or
 * {@code m}; a bare number means milliseconds. Blank values count as not set.
 *
 * <h2>Errors</h2>
 * <p>Every problem is reported as an {@link AloAudioConfigException} whose message names the key and where it was
 * looked up; all problems of one client are reported together. Bad values are quoted, except the user auth token,
 * which never appears in a message.
 *
 * <p>Internal. Thread-safe.
 */
final class ConfigResolver {

    /** Prefix of the keys shared by every client. */
    static final String PREFIX = "alo.audio.";
    /** Prefix of the per-client keys: {@code alo.audio.client.<name>.<key>}. */
    static final String CLIENT_PREFIX = "alo.audio.client.";

    /** Key suffix: the audio service's ws:// or wss:// URI; required. */
    static final String SERVER_URI = "server-uri";
    /** Key suffix: the ALO Cloud user id the token was issued for; required. */
    static final String USER_ID = "user.id";
    /** Key suffix: the display name; default empty. */
    static final String USER_NAME = "user.name";
    /** Key suffix: the id of this installation; default empty. */
    static final String USER_DEVICE_ID = "user.device-id";
    /** Key suffix: the user auth token; required; never shown. */
    static final String USER_AUTH_TOKEN = "user-auth-token";
    /** Key suffix: {@code true} or {@code false}; default false. */
    static final String TTS_ENABLED = "tts-enabled";
    /** Key suffix: the microphone; default the system's. */
    static final String AUDIO_INPUT_DEVICE_ID = "audio-input-device-id";
    /** Key suffix: the speaker; default the system's. */
    static final String AUDIO_OUTPUT_DEVICE_ID = "audio-output-device-id";
    /** Key suffix: a duration; default 1 s. */
    static final String HEARTBEAT_INTERVAL = "heartbeat-interval";
    /** Key suffix: a duration; default 2.5 s. */
    static final String HEARTBEAT_TIMEOUT = "heartbeat-timeout";
    /** Key suffix: a duration; default 10 s. */
    static final String CONNECT_TIMEOUT = "connect-timeout";
    /** Key suffix: a duration; default 250 ms. */
    static final String CLOSE_GRACE = "close-grace";
    /** Key suffix: bytes; default 65536. */
    static final String MAX_MESSAGE_SIZE = "max-message-size";

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?|\\.\\d+)\\s*(ms|s|m)?",
            Pattern.CASE_INSENSITIVE);
    private static final String DURATION_HINT = "expected a duration such as PT2.5S, 2500ms, 2.5s or 1m "
            + "(a bare number means milliseconds)";

    /** The builder properties named in {@link AloAudioConfig.Builder#build()} messages, and their keys. */
    private static final Map<String, String> BUILDER_PROPERTIES = Map.of(
            "serverUri", SERVER_URI,
            "user", USER_ID,
            "userAuthToken", USER_AUTH_TOKEN,
            "heartbeatInterval", HEARTBEAT_INTERVAL,
            "heartbeatTimeout", HEARTBEAT_TIMEOUT,
            "connectTimeout", CONNECT_TIMEOUT,
            "closeGrace", CLOSE_GRACE,
            "maxMessageSize", MAX_MESSAGE_SIZE);

    private final ConfigValues values;

    /**
     * A resolver over a source of values.
     *
     * @param values where keys are looked up
     */
    ConfigResolver(ConfigValues values) {
        this.values = values;
    }

    /**
     * A resolver for the calling application: MicroProfile Config of the thread's context class loader when
     * available, else system properties and environment variables.
     *
     * @return the resolver
     */
    static ConfigResolver forApplication() {
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        return new ConfigResolver(ConfigValues.detect(context != null ? context
                : ConfigResolver.class.getClassLoader()));
    }

    /**
     * Where values come from, for log messages.
     *
     * @return a short description of the source
     */
    String source() {
        return values.toString();
    }

    /**
     * The complete configuration of a client: every required key must be set and every value valid.
     *
     * @param name the client name
     * @return the configuration
     * @throws AloAudioConfigException naming every missing or invalid key
     * @throws IllegalArgumentException if {@code name} is not a valid client name
     */
    AloAudioConfig resolve(String name) {
        Reading reading = new Reading(checkName(name));
        AloAudioConfig.Builder builder = reading.fill(true);
        reading.throwProblems();
        try {
            return builder.build();
        } catch (AloAudioConfigException e) {
            throw reading.explain(e);
        }
    }

    /**
     * A builder pre-filled with whatever is configured for a client; missing keys are left to the caller.
     *
     * @param name the client name
     * @return the builder, named {@code name}
     * @throws AloAudioConfigException naming every invalid value
     * @throws IllegalArgumentException if {@code name} is not a valid client name
     */
    AloAudioConfig.Builder builder(String name) {
        Reading reading = new Reading(checkName(name));
        AloAudioConfig.Builder builder = reading.fill(false);
        reading.throwProblems();
        return builder;
    }

    private static String checkName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("A client name must be 1 to 64 letters, digits, '.', '_' or '-', was "
                    + (name == null ? "null" : "'" + name + "'"));
        }
        return name;
    }

    /**
     * Parses a duration: ISO-8601 ({@code PT2.5S}) or a non-negative number with an optional unit {@code ms},
     * {@code s} or {@code m} (default milliseconds).
     *
     * @param text the text
     * @return the duration
     * @throws IllegalArgumentException with a readable reason
     */
    static Duration parseDuration(String text) {
        String t = text.trim();
        Duration duration;
        if (!t.isEmpty() && (t.charAt(0) == 'P' || t.charAt(0) == 'p' || t.charAt(0) == '-' || t.charAt(0) == '+')) {
            try {
                duration = Duration.parse(t);
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException(DURATION_HINT, e);
            }
        } else {
            Matcher m = DURATION.matcher(t);
            if (!m.matches()) {
                throw new IllegalArgumentException(DURATION_HINT);
            }
            String unit = m.group(2) == null ? "ms" : m.group(2).toLowerCase(Locale.ROOT);
            long nanosPerUnit = switch (unit) {
                case "s" -> 1_000_000_000L;
                case "m" -> 60_000_000_000L;
                default -> 1_000_000L;
            };
            try {
                duration = Duration.ofNanos(new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(nanosPerUnit))
                        .toBigInteger().longValueExact());
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException("the duration is too long", e);
            }
        }
        if (duration.isNegative()) {
            throw new IllegalArgumentException("a duration must not be negative");
        }
        return duration;
    }

    /** One pass over the keys of one client; collects problems instead of stopping at the first. */
    private final class Reading {

        private final String name;
        private final List<String> problems = new ArrayList<>();
        /** Setting -> the key it was read from (or the shared key when it was not set). */
        private final Map<String, String> keysUsed = new LinkedHashMap<>();
        /** Settings whose value was invalid (already reported, so not reported as missing too). */
        private final Set<String> invalid = new HashSet<>();

        Reading(String name) {
            this.name = name;
        }

        AloAudioConfig.Builder fill(boolean complete) {
            AloAudioConfig.Builder b = AloAudioConfig.builder().name(name);
            Optional<URI> uri = read(SERVER_URI, this::parseUri, "expected a ws:// or wss:// URI", true);
            uri.ifPresent(b::serverUri);
            if (uri.isEmpty() && complete && !invalid.contains(SERVER_URI)) {
                missing(SERVER_URI);
            }
            Optional<String> userId = text(USER_ID);
            String userName = text(USER_NAME).orElse("");
            String deviceId = text(USER_DEVICE_ID).orElse("");
            if (userId.isPresent()) {
                b.user(new AudioUser(userId.get(), userName, deviceId));
            } else if (complete) {
                missing(USER_ID);
            }
            Optional<String> token = token();
            if (token.isPresent()) {
                b.userAuthToken(token.get());
            } else if (complete && !invalid.contains(USER_AUTH_TOKEN)) {
                missing(USER_AUTH_TOKEN);
            }
            read(TTS_ENABLED, ConfigResolver::parseBoolean, "expected true or false", true).ifPresent(b::ttsEnabled);
            text(AUDIO_INPUT_DEVICE_ID).ifPresent(b::audioInputDeviceId);
            text(AUDIO_OUTPUT_DEVICE_ID).ifPresent(b::audioOutputDeviceId);
            duration(HEARTBEAT_INTERVAL, b::heartbeatInterval);
            duration(HEARTBEAT_TIMEOUT, b::heartbeatTimeout);
            duration(CONNECT_TIMEOUT, b::connectTimeout);
            duration(CLOSE_GRACE, b::closeGrace);
            read(MAX_MESSAGE_SIZE, Integer::valueOf, "expected a whole number of bytes", true)
                    .ifPresent(b::maxMessageSize);
            return b;
        }

        private Optional<ConfigValues.Found> lookup(String key) {
            String clientKey = CLIENT_PREFIX + name + "." + key;
            Optional<ConfigValues.Found> found = values.get(clientKey);
            if (found.isPresent()) {
                keysUsed.put(key, clientKey);
                return found;
            }
            keysUsed.put(key, PREFIX + key);
            return values.get(PREFIX + key);
        }

        private Optional<String> text(String key) {
            return lookup(key).map(ConfigValues.Found::value);
        }

        private <T> Optional<T> read(String key, Function<String, T> parser, String expected, boolean quote) {
            Optional<ConfigValues.Found> found = lookup(key);
            if (found.isEmpty()) {
                return Optional.empty();
            }
            try {
                return Optional.of(parser.apply(found.get().value()));
            } catch (RuntimeException e) {
                String detail = e.getMessage() == null || e instanceof NumberFormatException ? expected
                        : e.getMessage();
                problems.add(keysUsed.get(key) + " has an invalid value "
                        + (quote ? "'" + found.get().value() + "' (from " + found.get().origin() + ")"
                                 : "(from " + found.get().origin() + "; the value is not shown)")
                        + ": " + detail);
                invalid.add(key);
                return Optional.empty();
            }
        }

        private void duration(String key, Consumer<Duration> setter) {
            read(key, ConfigResolver::parseDuration, DURATION_HINT, true).ifPresent(setter);
        }

        private Optional<String> token() {
            return read(USER_AUTH_TOKEN, token -> {
                if (token.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
                    throw new IllegalArgumentException("it contains whitespace or non-ASCII characters; it must be "
                            + "the token exactly as issued");
                }
                return token;
            }, "", false);
        }

        private URI parseUri(String text) {
            URI uri;
            try {
                uri = new URI(text);
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException("not a URI (" + e.getReason() + "); expected a ws:// or wss:// "
                        + "URI", e);
            }
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("ws") && !scheme.equals("wss")) {
                throw new IllegalArgumentException("expected a ws:// or wss:// URI");
            }
            return uri;
        }

        private void missing(String key) {
            String clientKey = CLIENT_PREFIX + name + "." + key;
            problems.add(PREFIX + key + " is not set (looked up " + clientKey + ", then " + PREFIX + key + ", in "
                    + values.describe(PREFIX + key) + ")");
        }

        void throwProblems() {
            if (!problems.isEmpty()) {
                throw new AloAudioConfigException("Invalid configuration of the ALO audio client '" + name + "': "
                        + String.join("; ", problems));
            }
        }

        /** Adds the keys to a message of {@link AloAudioConfig.Builder#build()}, which names builder properties. */
        AloAudioConfigException explain(AloAudioConfigException e) {
            List<String> keys = new ArrayList<>();
            for (Map.Entry<String, String> property : BUILDER_PROPERTIES.entrySet()) {
                if (Pattern.compile("\\b" + property.getKey() + "\\b").matcher(e.getMessage()).find()) {
                    keys.add(keysUsed.getOrDefault(property.getValue(), PREFIX + property.getValue()));
                }
            }
            keys.sort(null);
            return new AloAudioConfigException("Invalid configuration of the ALO audio client '" + name + "'"
                    + (keys.isEmpty() ? "" : " (" + String.join(", ", keys) + ", read from " + values + ")") + ": "
                    + e.getMessage(), e);
        }
    }

    private static Boolean parseBoolean(String text) {
        if (text.equalsIgnoreCase("true")) {
            return Boolean.TRUE;
        }
        if (text.equalsIgnoreCase("false")) {
            return Boolean.FALSE;
        }
        throw new IllegalArgumentException("expected true or false");
    }
}
