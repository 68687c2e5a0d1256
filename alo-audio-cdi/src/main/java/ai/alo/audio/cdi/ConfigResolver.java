package ai.alo.audio.cdi;

import ai.alo.audio.AloAudioConfig;
import ai.alo.audio.AloAudioConfigException;
import ai.alo.audio.ReconnectBackoff;
import ai.alo.audio.UserAuthTokenProvider;
import ai.alo.audio.spi.ReconnectPolicy;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Modifier;
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
 * #MAX_MESSAGE_SIZE}, and the reconnect keys below. Blank values count as not set (as in MicroProfile Config).
 *
 * <h2>Reconnect keys</h2>
 * <p>They make the client's {@link ReconnectPolicy}, in this order:
 * <ol>
 *   <li>{@value #RECONNECT_ENABLED}{@code =false}: {@link ReconnectPolicy#never()}; the other reconnect keys are not
 *       read for that client (so a shared tuning does not stop one client from turning reconnecting off).</li>
 *   <li>{@value #RECONNECT_POLICY}: the application's own policy, a class with a public no-argument constructor,
 *       loaded with the application's class loader and instantiated for each client. It excludes the backoff keys:
 *       setting both is a problem that names both.</li>
 *   <li>The backoff keys {@value #RECONNECT_IMMEDIATE_ATTEMPTS}, {@value #RECONNECT_INITIAL_DELAY}, {@value
 *       #RECONNECT_MULTIPLIER}, {@value #RECONNECT_MAX_DELAY}, {@value #RECONNECT_JITTER}, {@value
 *       #RECONNECT_BUDGET} and {@value #RECONNECT_MAX_ATTEMPTS}: a {@link ReconnectBackoff} whose unset components
 *       keep the values of {@link ReconnectBackoff#defaults()}. Its constructor judges the values; its exceptions name
 *       the component ({@code reconnect.jitter}), which is translated to the key like the builder's.</li>
 *   <li>Nothing set: the builder's default, {@link ReconnectBackoff#defaults()}.</li>
 * </ol>
 *
 * <h2>Beans</h2>
 * <p>The caller may hand in {@link Overrides}: the application's {@link UserAuthTokenProvider} and {@link
 * ReconnectPolicy} beans (see {@link ClientBeans}). A provider is set on the builder, so {@value #USER_AUTH_TOKEN}
 * is no longer required; a policy replaces the reconnect keys, which are then not read.
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
    /** Key suffix: a duration; default 1.8 s ({@link AloAudioConfig#DEFAULT_HEARTBEAT_TIMEOUT}). */
    static final String HEARTBEAT_TIMEOUT = "heartbeat-timeout";
    /** Key suffix: a duration; default 10 s. */
    static final String CONNECT_TIMEOUT = "connect-timeout";
    /** Key suffix: a duration; default 250 ms. */
    static final String CLOSE_GRACE = "close-grace";
    /** Key suffix: bytes; default 65536. */
    static final String MAX_MESSAGE_SIZE = "max-message-size";
    /** Key suffix: {@code true} or {@code false}; default true; false means {@link ReconnectPolicy#never()}. */
    static final String RECONNECT_ENABLED = "reconnect.enabled";
    /** Key suffix: a whole number, 0 or more; default 2. */
    static final String RECONNECT_IMMEDIATE_ATTEMPTS = "reconnect.immediate-attempts";
    /** Key suffix: a duration; default 500 ms. */
    static final String RECONNECT_INITIAL_DELAY = "reconnect.initial-delay";
    /** Key suffix: a decimal number, at least 1; default 2. */
    static final String RECONNECT_MULTIPLIER = "reconnect.multiplier";
    /** Key suffix: a duration; default 15 s. */
    static final String RECONNECT_MAX_DELAY = "reconnect.max-delay";
    /** Key suffix: a decimal number from 0 to 1; default 0.5. */
    static final String RECONNECT_JITTER = "reconnect.jitter";
    /** Key suffix: a duration; default 10 minutes. */
    static final String RECONNECT_BUDGET = "reconnect.budget";
    /** Key suffix: a whole number, 0 for no limit; default 0. */
    static final String RECONNECT_MAX_ATTEMPTS = "reconnect.max-attempts";
    /** Key suffix: the name of a class implementing {@link ReconnectPolicy}; excludes the backoff keys. */
    static final String RECONNECT_POLICY = "reconnect.policy";

    /** The keys of the {@link ReconnectBackoff} components, in the order of its constructor. */
    static final List<String> BACKOFF_KEYS = List.of(RECONNECT_IMMEDIATE_ATTEMPTS, RECONNECT_INITIAL_DELAY,
            RECONNECT_MULTIPLIER, RECONNECT_MAX_DELAY, RECONNECT_JITTER, RECONNECT_BUDGET, RECONNECT_MAX_ATTEMPTS);

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
            Map.entry(MAX_MESSAGE_SIZE, "maxMessageSize"),
            Map.entry(RECONNECT_ENABLED, "reconnect.enabled"),
            // the components as ReconnectBackoff's constructor names them in its exceptions
            Map.entry(RECONNECT_IMMEDIATE_ATTEMPTS, "reconnect.immediateAttempts"),
            Map.entry(RECONNECT_INITIAL_DELAY, "reconnect.initialDelay"),
            Map.entry(RECONNECT_MULTIPLIER, "reconnect.multiplier"),
            Map.entry(RECONNECT_MAX_DELAY, "reconnect.maxDelay"),
            Map.entry(RECONNECT_JITTER, "reconnect.jitter"),
            Map.entry(RECONNECT_BUDGET, "reconnect.budget"),
            Map.entry(RECONNECT_MAX_ATTEMPTS, "reconnect.maxAttempts"),
            Map.entry(RECONNECT_POLICY, "reconnectPolicy"));
    /** The reverse of {@link #PROPERTIES}. */
    private static final Map<String, String> KEYS = reverse(PROPERTIES);

    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?|\\.\\d+)\\s*(ms|s|m)",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern BARE_NUMBER = Pattern.compile("[+-]?(\\d+(?:\\.\\d*)?|\\.\\d+)");
    private static final String DURATION_HINT = "expected a duration with a unit, such as 250ms, 2.5s, 1m or "
            + "PT2.5S (ISO-8601)";
    private static final Pattern URI_USER_INFO = Pattern.compile("(?<=//)[^/?#@]*@");

    private final ConfigValues values;
    private final ClassLoader applicationLoader;

    /**
     * What the application's beans set for a client, ahead of the keys: a token provider (then {@value
     * #USER_AUTH_TOKEN} is not required) and a reconnect policy (then the reconnect keys are not read).
     *
     * @param tokenProvider   the provider, or null for none
     * @param reconnectPolicy the policy, or null for none
     */
    record Overrides(UserAuthTokenProvider tokenProvider, ReconnectPolicy reconnectPolicy) {

        /** No bean. */
        static final Overrides NONE = new Overrides(null, null);
    }

    /**
     * A resolver over a source of values; a {@value #RECONNECT_POLICY} class is loaded with the thread's context
     * class loader, or this module's.
     *
     * @param values where keys are looked up
     */
    ConfigResolver(ConfigValues values) {
        this(values, contextLoader());
    }

    /**
     * A resolver over a source of values.
     *
     * @param values            where keys are looked up
     * @param applicationLoader loads the class a {@value #RECONNECT_POLICY} key names
     */
    ConfigResolver(ConfigValues values, ClassLoader applicationLoader) {
        this.values = values;
        this.applicationLoader = applicationLoader;
    }

    private static ClassLoader contextLoader() {
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        return context != null ? context : ConfigResolver.class.getClassLoader();
    }

    /**
     * A resolver for the calling application: MicroProfile Config of the thread's context class loader when
     * available, else system properties and environment variables.
     *
     * @return the resolver
     */
    static ConfigResolver forApplication() {
        ClassLoader loader = contextLoader();
        return new ConfigResolver(ConfigValues.detect(loader), loader);
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
        return resolve(name, Overrides.NONE);
    }

    /**
     * The complete configuration of a client, with what the application's beans set.
     *
     * @param name      the client name
     * @param overrides the application's beans for this client
     * @return the configuration
     * @throws AloAudioConfigException naming every missing or invalid key; property {@code "name"} if {@code name}
     *                                 is not a valid client name
     */
    AloAudioConfig resolve(String name, Overrides overrides) {
        Reading reading = new Reading(name, overrides);
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
        return builder(name, Overrides.NONE);
    }

    /**
     * A builder pre-filled with whatever is configured for a client and with what the application's beans set.
     *
     * @param name      the client name
     * @param overrides the application's beans for this client
     * @return the builder, named {@code name}
     * @throws AloAudioConfigException naming every value that cannot be parsed or is out of range for a reconnect
     *                                 key; property {@code "name"} if {@code name} is not a valid client name
     */
    AloAudioConfig.Builder builder(String name, Overrides overrides) {
        Reading reading = new Reading(name, overrides);
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

    private static Integer parseCount(String text) {
        try {
            return Integer.valueOf(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("expected a whole number", e);
        }
    }

    /** A plain decimal number ({@code 2}, {@code 1.5}, {@code .5}); no NaN, infinity, hex or exponent. */
    static Double parseDecimal(String text) {
        if (!BARE_NUMBER.matcher(text).matches()) {
            throw new IllegalArgumentException("expected a decimal number such as 0.5 or 2");
        }
        return new BigDecimal(text).doubleValue();
    }

    private static Map<String, String> reverse(Map<String, String> map) {
        Map<String, String> reversed = new LinkedHashMap<>();
        map.forEach((key, value) -> reversed.put(value, key));
        return Map.copyOf(reversed);
    }

    /** One pass over the keys of one client; collects problems instead of stopping at the first. */
    private final class Reading {

        private final String name;
        private final Overrides overrides;
        private final List<String> problems = new ArrayList<>();
        /** Failures behind problems (a policy constructor that threw), attached to the exception as suppressed. */
        private final List<Throwable> causes = new ArrayList<>();
        /** The builder property of each problem, in order. */
        private final List<String> problemProperties = new ArrayList<>();
        /** Key suffix -> what was found for it (empty: not set), for the translation of the builder's messages. */
        private final Map<String, Optional<ConfigValues.Found>> found = new LinkedHashMap<>();
        /** Key suffix -> the key it was read from, or the shared key when it was not set. */
        private final Map<String, String> keysUsed = new LinkedHashMap<>();
        /** Keys whose value could not be parsed (already reported, so their builder problems are not). */
        private final Set<String> unparsable = new HashSet<>();

        Reading(String name, Overrides overrides) {
            this.name = name;
            this.overrides = overrides;
        }

        AloAudioConfig.Builder fill() {
            AloAudioConfig.Builder b = AloAudioConfig.builder().name(name); // checks the name
            set(SERVER_URI, Function.identity(), b::serverUri);
            Optional<String> userId = text(USER_ID);
            String userName = text(USER_NAME).orElse("");
            String deviceId = text(USER_DEVICE_ID).orElse("");
            userId.ifPresent(id -> b.user(id, userName, deviceId)); // build() checks the id
            set(USER_AUTH_TOKEN, Function.identity(), b::userAuthToken);
            if (overrides.tokenProvider() != null) {
                b.userAuthTokenProvider(overrides.tokenProvider()); // a bean: the token key is not required
            }
            set(TTS_ENABLED, ConfigResolver::parseBoolean, b::ttsEnabled);
            set(MEDIA_ENABLED, ConfigResolver::parseBoolean, b::mediaEnabled);
            set(AUDIO_INPUT_DEVICE_ID, Function.identity(), b::audioInputDeviceId);
            set(AUDIO_OUTPUT_DEVICE_ID, Function.identity(), b::audioOutputDeviceId);
            set(HEARTBEAT_INTERVAL, ConfigResolver::parseDuration, b::heartbeatInterval);
            set(HEARTBEAT_TIMEOUT, ConfigResolver::parseDuration, b::heartbeatTimeout);
            set(CONNECT_TIMEOUT, ConfigResolver::parseDuration, b::connectTimeout);
            set(CLOSE_GRACE, ConfigResolver::parseDuration, b::closeGrace);
            set(MAX_MESSAGE_SIZE, ConfigResolver::parseBytes, b::maxMessageSize);
            if (overrides.reconnectPolicy() != null) {
                b.reconnectPolicy(overrides.reconnectPolicy()); // a bean wins over the reconnect keys
            } else {
                reconnectPolicy().ifPresent(b::reconnectPolicy);
            }
            return b;
        }

        /** The policy the reconnect keys make, or empty when none is set (or a problem was reported). */
        private Optional<ReconnectPolicy> reconnectPolicy() {
            Optional<Boolean> enabled = parse(RECONNECT_ENABLED, ConfigResolver::parseBoolean);
            if (enabled.isPresent() && !enabled.get()) {
                return Optional.of(ReconnectPolicy.never());
            }
            Map<String, Object> backoff = new LinkedHashMap<>();
            List<String> backoffSet = new ArrayList<>();
            for (String key : BACKOFF_KEYS) {
                if (lookup(key).isPresent()) {
                    backoffSet.add(key);
                }
                Function<String, ?> parser = switch (key) {
                    case RECONNECT_IMMEDIATE_ATTEMPTS, RECONNECT_MAX_ATTEMPTS -> ConfigResolver::parseCount;
                    case RECONNECT_MULTIPLIER, RECONNECT_JITTER -> ConfigResolver::parseDecimal;
                    default -> ConfigResolver::parseDuration;
                };
                parse(key, parser).ifPresent(value -> backoff.put(key, value));
            }
            Optional<ConfigValues.Found> policy = lookup(RECONNECT_POLICY);
            if (policy.isPresent()) {
                if (!backoffSet.isEmpty()) {
                    List<String> others = new ArrayList<>();
                    for (String key : backoffSet) {
                        others.add(keysUsed.get(key) + " (from " + lookup(key).orElseThrow().origin() + ")");
                    }
                    problem(PROPERTIES.get(RECONNECT_POLICY), keysUsed.get(RECONNECT_POLICY) + " (from "
                            + policy.get().origin() + ") and " + String.join(", ", others) + " are both set: the "
                            + "backoff keys configure the default policy (ReconnectBackoff) and do not apply to a "
                            + "policy class; remove one or the other");
                    return Optional.empty();
                }
                return instantiate(policy.get());
            }
            if (backoffSet.isEmpty()) {
                return Optional.empty(); // the builder's default, ReconnectBackoff.defaults()
            }
            return backoff(backoff);
        }

        /**
         * The backoff of the parsed values, the defaults for the others. Its constructor reports one problem at a
         * time: each is translated, the value concerned replaced by its default, and the rest checked again, so
         * that all problems are reported together.
         */
        private Optional<ReconnectPolicy> backoff(Map<String, Object> values) {
            Set<String> reported = new HashSet<>();
            ReconnectBackoff d = ReconnectBackoff.defaults();
            while (true) {
                try {
                    ReconnectBackoff backoff = new ReconnectBackoff(
                            (Integer) values.getOrDefault(RECONNECT_IMMEDIATE_ATTEMPTS, d.immediateAttempts()),
                            (Duration) values.getOrDefault(RECONNECT_INITIAL_DELAY, d.initialDelay()),
                            (Double) values.getOrDefault(RECONNECT_MULTIPLIER, d.multiplier()),
                            (Duration) values.getOrDefault(RECONNECT_MAX_DELAY, d.maxDelay()),
                            (Double) values.getOrDefault(RECONNECT_JITTER, d.jitter()),
                            (Duration) values.getOrDefault(RECONNECT_BUDGET, d.budget()),
                            (Integer) values.getOrDefault(RECONNECT_MAX_ATTEMPTS, d.maxAttempts()));
                    return reported.isEmpty() ? Optional.of(backoff) : Optional.empty();
                } catch (AloAudioConfigException e) {
                    String key = KEYS.get(e.property().orElse(""));
                    if (key == null) {
                        problem(e.property().orElse(null), e.getMessage());
                        return Optional.empty();
                    }
                    if (!reported.add(key)) {
                        return Optional.empty(); // the same component again: a relation already reported
                    }
                    translate(e);
                    if (values.remove(key) == null) {
                        return Optional.empty(); // a default broke the rule: nothing left to replace
                    }
                }
            }
        }

        /**
         * Loads and instantiates the class a {@value #RECONNECT_POLICY} key names; reports what fails, naming the
         * key.
         */
        private Optional<ReconnectPolicy> instantiate(ConfigValues.Found value) {
            String className = value.value();
            String invalid = invalidValue(RECONNECT_POLICY, value) + ": ";
            String property = PROPERTIES.get(RECONNECT_POLICY);
            Class<?> type;
            try {
                type = Class.forName(className, false, applicationLoader);
            } catch (ClassNotFoundException e) {
                problem(property, invalid + "no class " + className + " is visible to the application's class "
                        + "loader; write the binary name of a class implementing " + ReconnectPolicy.class.getName()
                        + " (nested classes as Outer$Inner)");
                return Optional.empty();
            } catch (LinkageError e) {
                problem(property, invalid + "the class " + className + " cannot be loaded: " + e);
                causes.add(e);
                return Optional.empty();
            }
            if (!ReconnectPolicy.class.isAssignableFrom(type)) {
                problem(property, invalid + "the class " + className + " does not implement "
                        + ReconnectPolicy.class.getName());
                return Optional.empty();
            }
            if (type.isInterface() || Modifier.isAbstract(type.getModifiers())) {
                problem(property, invalid + "the class " + className + " is abstract; name a concrete class with "
                        + "a public no-argument constructor");
                return Optional.empty();
            }
            Constructor<?> constructor;
            try {
                constructor = type.getConstructor();
            } catch (NoSuchMethodException e) {
                problem(property, invalid + "the class " + className + " has no public no-argument constructor");
                return Optional.empty();
            }
            try {
                return Optional.of((ReconnectPolicy) constructor.newInstance());
            } catch (InvocationTargetException e) {
                Throwable thrown = e.getCause() != null ? e.getCause() : e;
                problem(property, invalid + "the constructor of " + className + " threw " + thrown);
                causes.add(thrown);
            } catch (ExceptionInInitializerError e) {
                Throwable thrown = e.getCause() != null ? e.getCause() : e;
                problem(property, invalid + "the static initializer of " + className + " threw " + thrown);
                causes.add(thrown);
            } catch (IllegalAccessException | InstantiationException | LinkageError e) {
                problem(property, invalid + "the class " + className + " cannot be instantiated (it must be public, "
                        + "with a public no-argument constructor): " + e);
                causes.add(e);
            }
            return Optional.empty();
        }

        /** The parsed value of a key, if it is set and parses; reports a value that does not, naming the key. */
        private <T> Optional<T> parse(String key, Function<String, T> parser) {
            Optional<ConfigValues.Found> value = lookup(key);
            if (value.isEmpty()) {
                return Optional.empty();
            }
            try {
                return Optional.of(parser.apply(value.get().value()));
            } catch (IllegalArgumentException e) {
                unparsable.add(key);
                problem(PROPERTIES.get(key), invalidValue(key, value.get()) + ": " + e.getMessage());
                return Optional.empty();
            }
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
                String hint = key.equals(USER_AUTH_TOKEN) ? "; or declare a bean of type "
                        + UserAuthTokenProvider.class.getName() + " (@Default for every client, @AloClient(\"" + name
                        + "\") for this one)" : "";
                problem(property, PREFIX + key + " is not set (looked up " + clientKey + ", then " + PREFIX + key
                        + ", in " + values.describe(PREFIX + key) + "): " + e.getMessage() + hint);
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
                AloAudioConfigException e = new AloAudioConfigException(problemProperties.get(0), "Invalid "
                        + "configuration of the ALO audio client '" + name + "': " + String.join("; ", problems),
                        cause);
                causes.forEach(e::addSuppressed);
                throw e;
            }
        }
    }
}
