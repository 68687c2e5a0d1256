package ai.alo.audio.cdi;

import ai.alo.audio.AloAudioConfigException;
import java.lang.System.Logger.Level;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.config.ConfigValue;

/**
 * Reads keys from MicroProfile Config. The only class of this module that refers to MicroProfile Config types: it is
 * loaded only after {@link ConfigValues#detect(ClassLoader)} found the API with {@code Class.forName}, so the module
 * runs without MicroProfile Config.
 *
 * <p>Internal. Thread-safe (a MicroProfile {@code Config} is).
 */
final class MicroProfileConfigValues implements ConfigValues {

    private static final System.Logger LOG = System.getLogger("ai.alo.audio.cdi");
    private final Config config;

    private MicroProfileConfigValues(Config config) {
        this.config = config;
    }

    /**
     * The application's MicroProfile Config, if an implementation is present.
     *
     * @param loader the application's class loader
     * @return the source, or empty when the API is present but no implementation is
     */
    static Optional<ConfigValues> create(ClassLoader loader) {
        try {
            return Optional.of(new MicroProfileConfigValues(ConfigProvider.getConfig(loader)));
        } catch (IllegalStateException | ServiceConfigurationError | LinkageError e) {
            LOG.log(Level.DEBUG, () -> "MicroProfile Config API present but not usable (" + e
                    + "); using system properties and environment variables");
            return Optional.empty();
        }
    }

    @Override
    public Optional<Found> get(String key) {
        ConfigValue value;
        try {
            value = config.getConfigValue(key);
        } catch (RuntimeException e) {
            // for example an expression that cannot be expanded; the token's text is never shown
            boolean secret = key.endsWith(ConfigResolver.USER_AUTH_TOKEN);
            throw new AloAudioConfigException(key + " cannot be read from MicroProfile Config"
                    + (secret ? " (details not shown: they may contain the token)" : ": " + e.getMessage()),
                    secret ? null : e);
        }
        String text = ConfigValues.trimToNull(value.getValue());
        if (text == null) {
            return Optional.empty();
        }
        String source = value.getSourceName();
        return Optional.of(new Found(text, "MicroProfile Config" + (source == null ? "" : " (" + source + ")")));
    }

    @Override
    public String describe(String key) {
        String[] names = ConfigValues.environmentNames(key);
        return "MicroProfile Config (for example system property " + key + ", environment variable "
                + names[names.length - 1] + " or META-INF/microprofile-config.properties)";
    }

    @Override
    public String toString() {
        return "MicroProfile Config";
    }
}
