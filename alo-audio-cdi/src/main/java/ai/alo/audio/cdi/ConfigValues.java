package ai.alo.audio.cdi;

import java.util.Locale;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Where {@link ConfigResolver} reads configuration keys: MicroProfile Config when an API and an implementation are
 * present at run time, otherwise system properties and then environment variables.
 *
 * <p>Internal. Implementations are thread-safe.
 */
interface ConfigValues {

    /** A value and a readable description of where it was found (never the value itself). */
    record Found(String value, String origin) {
    }

    /**
     * Looks up one key.
     *
     * @param key the full key, for example {@code alo.audio.server-uri}
     * @return the trimmed value and its origin, or empty when the key is not set or its value is blank
     */
    Optional<Found> get(String key);

    /**
     * Describes where a key is looked up, for the message of a missing key.
     *
     * @param key the full key
     * @return for example {@code "system property alo.audio.server-uri or environment variable ALO_AUDIO_SERVER_URI"}
     */
    String describe(String key);

    /**
     * The source for a class loader: MicroProfile Config if it is usable, else system properties and environment.
     * MicroProfile Config types are touched only inside {@link MicroProfileConfigValues}, which is loaded only after
     * its API was found, so this works with no MicroProfile Config on the class path.
     *
     * @param loader the application's class loader, handed to {@code ConfigProvider.getConfig(loader)}
     * @return the source; never null
     */
    static ConfigValues detect(ClassLoader loader) {
        if (isMicroProfileConfigApiPresent()) {
            Optional<ConfigValues> microProfile = MicroProfileConfigValues.create(loader);
            if (microProfile.isPresent()) {
                return microProfile.get();
            }
        }
        return new SystemValues(System::getProperty, System::getenv);
    }

    /**
     * Whether the MicroProfile Config API is visible to this module's class loader (which must link {@link
     * MicroProfileConfigValues}). Does not initialize anything.
     *
     * @return {@code true} if {@code org.eclipse.microprofile.config.ConfigProvider} can be loaded
     */
    private static boolean isMicroProfileConfigApiPresent() {
        try {
            Class.forName("org.eclipse.microprofile.config.ConfigProvider", false,
                    ConfigValues.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /**
     * The environment-variable names MicroProfile Config tries for a key, in order: the key itself, the key with
     * every character that is not a letter or digit replaced by {@code _}, and that in upper case.
     *
     * @param key the key
     * @return the names, for example {@code ALO_AUDIO_SERVER_URI} last
     */
    static String[] environmentNames(String key) {
        StringBuilder sanitized = new StringBuilder(key.length());
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            sanitized.append(c < 128 && Character.isLetterOrDigit(c) ? c : '_');
        }
        String s = sanitized.toString();
        return new String[] {key, s, s.toUpperCase(Locale.ROOT)};
    }

    /** System properties, then environment variables named as MicroProfile Config names them. */
    final class SystemValues implements ConfigValues {

        private final UnaryOperator<String> properties;
        private final UnaryOperator<String> environment;

        /**
         * A source over lookup functions.
         *
         * @param properties looks up a system property ({@code System::getProperty})
         * @param environment looks up an environment variable ({@code System::getenv})
         */
        SystemValues(UnaryOperator<String> properties, UnaryOperator<String> environment) {
            this.properties = properties;
            this.environment = environment;
        }

        @Override
        public Optional<Found> get(String key) {
            String value = trimToNull(properties.apply(key));
            if (value != null) {
                return Optional.of(new Found(value, "system property " + key));
            }
            for (String name : environmentNames(key)) {
                value = trimToNull(environment.apply(name));
                if (value != null) {
                    return Optional.of(new Found(value, "environment variable " + name));
                }
            }
            return Optional.empty();
        }

        @Override
        public String describe(String key) {
            String[] names = environmentNames(key);
            return "system property " + key + " or environment variable " + names[names.length - 1];
        }

        @Override
        public String toString() {
            return "system properties and environment variables";
        }
    }

    /**
     * Trims a value; blank becomes null.
     *
     * @param value the raw value or null
     * @return the trimmed value, or null when blank
     */
    static String trimToNull(String value) {
        if (value == null) {
            return null;
        }
        String trimmed = value.trim();
        return trimmed.isEmpty() ? null : trimmed;
    }
}
