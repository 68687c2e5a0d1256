package ai.alo.audio.cdi;

import ai.alo.audio.AloAudioConfig;
import ai.alo.audio.AloAudioConfigException;
import java.math.BigDecimal;
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
 * Reads the configuration of a client from configuration keys: maps each key to its {@link AloAudioConfig.Builder}
 * call, parses the text into the typed value, and translates every {@link AloAudioConfigException} of the builder
 * into a message that names the key. It checks no rule about the values itself: those live in the builder (its
 * setters and {@link AloAudioConfig.Builder#build()}), so the CDI module and plain Java accept exactly the same
 * configurations.
 *
 * <h2>Keys</h2>
 * <p>For a client named {@code <name>}, each setting {@code <key>} is read from {@code alo.audio.client.<name>.<key>}
 * and, when that is not set, from {@code alo.audio.<key>}; so an application configures the common values once and
 * overrides per client only what differs. The keys are the constants of this class: {@value #SERVER_URI} (required),
 * {@value #USER_ID} (required), {@value #USER_NAME}, {@value #USER_DEVICE_ID}, {@value #USER_AUTH_TOKEN} (required),
 * {@value #TTS_ENABLED}, {@value #AUDIO_INPUT_DEVICE_ID}, {@value #AUDIO_OUTPUT_DEVICE_ID}, {@value
 * #HEARTBEAT_INTERVAL}, {@value #HEARTBEAT_TIMEOUT}, {@value #CONNECT_TIMEOUT}, {@value #CLOSE_GRACE}, {@value
 * #MAX_MESSAGE_SIZE}. Blank values count as not set (as in MicroProfile Config).
 *
 * <h2>Parsing</h2>
 * <p>A duration carries its unit: {@code 250ms}, {@code 2.5s}, {@code 1m}, or ISO-8601 ({@code PT2.5S}). A bare
 * number is refused with a message that says what to write: {@code connect-timeout=10} would otherwise be 10 ms or
 * 10 s depending on who reads it. Booleans are {@code true} or {@code false}; sizes are whole numbers of bytes.
 *
 * <h2>Errors</h2>
 * <p>Every problem is reported as one {@link AloAudioConfigException} whose message names each key concerned, where
 * it was read (or looked up, when it is not set) and what is wrong; all problems of one client are reported
 * together. Its {@link AloAudioConfigException#property() property()} is the builder property of the first problem.
 * Values are quoted, except the user auth token, which never appears in a message, and the user info of a server URI.
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
    /** Key suffix: {@code true} or {@code false}; default true. */
    static final String MEDIA_ENABLED = "media-enabled";
    /** Key suffix: the input device (audio source); default silence. */
    static final String AUDIO_INPUT_DEVICE_ID = "audio-input-device-id";
    /** Key suffix: the output device (audio sink); default discard. */
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

    /**
     * Key suffix -> the {@link AloAudioConfig.Builder} property it sets, as {@link AloAudioConfigException#property()}
     * names it. The one table that ties keys to the builder.
     */
    private static final Map<String, String> PROPERTIES = Map.ofEntries(
            Map.entry(SERVER_URI, "serverUri"),
            Map.entry(USER_ID, "user.id"),
            Map.entry(USER_NAME, "user.name"),
            Map.entry(USER_DEVICE_ID, "user.deviceId"),
            Map.entry(USER_AUTH_TOKEN, "userAuthToken"),
            Map.entry(TTS_ENABLED, "ttsEnabled"),
            Map.entry(MEDIA_ENABLED, "mediaEnabled"),
            Map.entry(AUDIO_INPUT_DEVICE_ID, "audioInputDeviceId"),
            Map.entry(AUDIO_OUTPUT_DEVICE_ID, "audioOutputDeviceId"),
            Map.entry(HEARTBEAT_INTERVAL, "heartbeatInterval"),
            Map.entry(HEARTBEAT_TIMEOUT, "heartbeatTimeout"),
            Map.entry(CONNECT_TIMEOUT, "connectTimeout"),
            Map.entry(CLOSE_GRACE, "closeGrace"),
            Map.entry(MAX_MESSAGE_SIZE, "maxMessageSize"));
    /** The reverse of {@link #PROPERTIES}. */
    private static final Map<String, String> KEYS = reverse(PROPERTIES);

    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?|\\.\\d+)\\s*(ms|s|m)",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern BARE_NUMBER = Pattern.compile("[+-]?(\\d+(?:\\.\\d*)?|\\.\\d+)");
    private static final String DURATION_HINT = "expected a duration with a unit, such as 250ms, 2.5s, 1m or "
            + "PT2.5S (ISO-8601)";
    private static final Pattern URI_USER_INFO = Pattern.compile("(?<=//)[^/?#@]*@");

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
     * @throws AloAudioConfigException naming every missing or invalid key; property {@code "name"} if {@code name}
     *                                 is not a valid client name
     */
    AloAudioConfig resolve(String name) {
        Reading reading = new Reading(name);
        AloAudioConfig.Builder builder = reading.fill();
        AloAudioConfig config = null;
        AloAudioConfigException rules = null;
        try {
            config = builder.build();
        } catch (AloAudioConfigException e) {
            rules = e;
            reading.translate(e);
            for (Throwable further : e.getSuppressed()) {
                if (further instanceof AloAudioConfigException f) {
                    reading.translate(f);
                }
            }
        }
        reading.throwProblems(rules);
        if (config == null) {
            throw rules; // not reached: every failure of build() is a problem of the reading
        }
        return config;
    }

    /**
     * A builder pre-filled with whatever is configured for a client; missing keys are left to the caller, and
     * {@link AloAudioConfig.Builder#build()} checks the values when the caller builds.
     *
     * @param name the client name
     * @return the builder, named {@code name}
     * @throws AloAudioConfigException naming every value that cannot be parsed; property {@code "name"} if {@code
     *                                 name} is not a valid client name
     */
    AloAudioConfig.Builder builder(String name) {
        Reading reading = new Reading(name);
        AloAudioConfig.Builder builder = reading.fill();
        reading.throwProblems(null);
        return builder;
    }

    /**
     * Parses a duration: a number with a unit {@code ms}, {@code s} or {@code m}, or ISO-8601 ({@code PT2.5S}). Checks
     * the syntax only; which durations are allowed is for {@link AloAudioConfig.Builder#build()} to say.
     *
     * @param text the text
     * @return the duration
     * @throws IllegalArgumentException with a readable reason; for a bare number, the text to write instead
     */
    static Duration parseDuration(String text) {
        String t = text.trim();
        if (!t.isEmpty() && "Pp+-".indexOf(t.charAt(0)) >= 0 && !BARE_NUMBER.matcher(t).matches()) {
            try {
                return Duration.parse(t);
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException(DURATION_HINT, e);
            }
        }
        if (BARE_NUMBER.matcher(t).matches()) {
            throw new IllegalArgumentException("a duration needs a unit: write " + t + "ms for milliseconds or " + t
                    + "s for seconds (units ms, s, m, or ISO-8601 such as PT" + t + "S)");
        }
        Matcher m = DURATION.matcher(t);
        if (!m.matches()) {
            throw new IllegalArgumentException(DURATION_HINT);
        }
        long nanosPerUnit = switch (m.group(2).toLowerCase(Locale.ROOT)) {
            case "s" -> 1_000_000_000L;
            case "m" -> 60_000_000_000L;
            default -> 1_000_000L;
        };
        try {
            return Duration.ofNanos(new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(nanosPerUnit))
                    .toBigInteger().longValueExact());
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("the duration is too long", e);
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

    private static Integer parseBytes(String text) {
        try {
            return Integer.valueOf(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("expected a whole number of bytes", e);
        }
    }

    private static Map<String, String> reverse(Map<String, String> map) {
        Map<String, String> reversed = new LinkedHashMap<>();
        map.forEach((key, value) -> reversed.put(value, key));
        return Map.copyOf(reversed);
    }

    /** One pass over the keys of one client; collects problems instead of stopping at the first. */
    private final class Reading {

        private final String name;
        private final List<String> problems = new ArrayList<>();
        /** The builder property of each problem, in order. */
        private final List<String> problemProperties = new ArrayList<>();
        /** Key suffix -> what was found for it (empty: not set), for the translation of the builder's messages. */
        private final Map<String, Optional<ConfigValues.Found>> found = new LinkedHashMap<>();
        /** Key suffix -> the key it was read from, or the shared key when it was not set. */
        private final Map<String, String> keysUsed = new LinkedHashMap<>();
        /** Keys whose value could not be parsed (already reported, so their builder problems are not). */
        private final Set<String> unparsable = new HashSet<>();

        Reading(String name) {
            this.name = name;
        }

        AloAudioConfig.Builder fill() {
            AloAudioConfig.Builder b = AloAudioConfig.builder().name(name); // checks the name
            set(SERVER_URI, Function.identity(), b::serverUri);
            Optional<String> userId = text(USER_ID);
            String userName = text(USER_NAME).orElse("");
            String deviceId = text(USER_DEVICE_ID).orElse("");
            userId.ifPresent(id -> b.user(id, userName, deviceId)); // build() checks the id
            set(USER_AUTH_TOKEN, Function.identity(), b::userAuthToken);
            set(TTS_ENABLED, ConfigResolver::parseBoolean, b::ttsEnabled);
            set(MEDIA_ENABLED, ConfigResolver::parseBoolean, b::mediaEnabled);
            set(AUDIO_INPUT_DEVICE_ID, Function.identity(), b::audioInputDeviceId);
            set(AUDIO_OUTPUT_DEVICE_ID, Function.identity(), b::audioOutputDeviceId);
            set(HEARTBEAT_INTERVAL, ConfigResolver::parseDuration, b::heartbeatInterval);
            set(HEARTBEAT_TIMEOUT, ConfigResolver::parseDuration, b::heartbeatTimeout);
            set(CONNECT_TIMEOUT, ConfigResolver::parseDuration, b::connectTimeout);
            set(CLOSE_GRACE, ConfigResolver::parseDuration, b::closeGrace);
            set(MAX_MESSAGE_SIZE, ConfigResolver::parseBytes, b::maxMessageSize);
            return b;
        }

        private Optional<ConfigValues.Found> lookup(String key) {
            return found.computeIfAbsent(key, k -> {
                String clientKey = CLIENT_PREFIX + name + "." + k;
                Optional<ConfigValues.Found> value = values.get(clientKey);
                if (value.isPresent()) {
                    keysUsed.put(k, clientKey);
                    return value;
                }
                keysUsed.put(k, PREFIX + k);
                return values.get(PREFIX + k);
            });
        }

        private Optional<String> text(String key) {
            return lookup(key).map(ConfigValues.Found::value);
        }

        /** Parses the key's value, if set, and hands it to the builder; reports what fails, naming the key. */
        private <T> void set(String key, Function<String, T> parser, Consumer<T> setter) {
            Optional<ConfigValues.Found> value = lookup(key);
            if (value.isEmpty()) {
                return;
            }
            T parsed;
            try {
                parsed = parser.apply(value.get().value());
            } catch (IllegalArgumentException e) {
                unparsable.add(key);
                problem(PROPERTIES.get(key), invalidValue(key, value.get()) + ": " + e.getMessage());
                return;
            }
            try {
                setter.accept(parsed);
            } catch (AloAudioConfigException e) {
                translate(e); // a setter's refusal (text that is not a URI), then: already reported
                unparsable.add(key);
            }
        }

        /** Adds a problem for an exception of the builder, naming the key of its property. */
        void translate(AloAudioConfigException e) {
            String property = e.property().orElse(null);
            String key = property == null ? null : KEYS.get(property);
            if (key == null) {
                problem(property, e.getMessage());
                return;
            }
            if (unparsable.contains(key)) {
                return; // its value was refused already; the builder then saw no value
            }
            Optional<ConfigValues.Found> value = lookup(key);
            if (value.isPresent()) {
                problem(property, invalidValue(key, value.get()) + ": " + e.getMessage());
            } else {
                String clientKey = CLIENT_PREFIX + name + "." + key;
                problem(property, PREFIX + key + " is not set (looked up " + clientKey + ", then " + PREFIX + key
                        + ", in " + values.describe(PREFIX + key) + "): " + e.getMessage());
            }
        }

        private String invalidValue(String key, ConfigValues.Found value) {
            String shown;
            if (key.equals(USER_AUTH_TOKEN)) {
                shown = "(from " + value.origin() + "; the value is not shown)";
            } else {
                String text = key.equals(SERVER_URI) ? URI_USER_INFO.matcher(value.value()).replaceFirst("***@")
                        : value.value();
                shown = "'" + text + "' (from " + value.origin() + ")";
            }
            return keysUsed.get(key) + " has an invalid value " + shown;
        }

        private void problem(String property, String message) {
            problems.add(message);
            problemProperties.add(property);
        }

        void throwProblems(AloAudioConfigException cause) {
            if (!problems.isEmpty()) {
                throw new AloAudioConfigException(problemProperties.get(0), "Invalid configuration of the ALO audio "
                        + "client '" + name + "': " + String.join("; ", problems), cause);
            }
        }
    }
}
