package ai.alo.audio;

import java.util.Optional;

/**
 * The configuration of an {@link AloAudio} client is missing a value or has a wrong one (for example a server URI
 * that is not {@code ws://} or {@code wss://}). The message names the setting; {@link #property()} names it for
 * code, so that a layer that reads the configuration from somewhere else (the CDI module reads configuration keys)
 * can tell its user which of <em>its</em> keys to fix without parsing the message.
 *
 * <p>When {@link AloAudioConfig.Builder#build()} finds more than one problem, it throws one exception for the first
 * and attaches one {@linkplain Throwable#getSuppressed() suppressed} {@code AloAudioConfigException} for each further
 * problem, each with its own {@link #property()}.
 *
 * <p>Messages never contain the user auth token.
 *
 * @since 0.1
 */
public class AloAudioConfigException extends AloAudioException {

    private static final long serialVersionUID = 1L;

    /** The builder property this exception is about, or null. */
    private final String property;

    /**
     * Creates an exception that is not about one particular setting.
     *
     * @param message names the setting(s) and what is wrong
     */
    public AloAudioConfigException(String message) {
        this(null, message, null);
    }

    /**
     * Creates an exception that is not about one particular setting, with a cause.
     *
     * @param message names the setting(s) and what is wrong
     * @param cause   the underlying failure, for example a parse error
     */
    public AloAudioConfigException(String message, Throwable cause) {
        this(null, message, cause);
    }

    /**
     * Creates the exception for one setting.
     *
     * @param property the {@linkplain #property() builder property}, for example {@code "connectTimeout"} or
     *                 {@code "user.id"}; null when the exception is not about one setting
     * @param message  names the setting and what is wrong with it
     * @param cause    the underlying failure, or null
     * @since 0.1
     */
    public AloAudioConfigException(String property, String message, Throwable cause) {
        super(message, cause);
        this.property = property;
    }

    /**
     * The setting this exception is about, named as the {@link AloAudioConfig.Builder} names it: {@code "name"},
     * {@code "serverUri"}, {@code "user.id"} (the user is not set, or its id is blank), {@code "userAuthToken"}, {@code "heartbeatInterval"}, {@code "heartbeatTimeout"}, {@code "connectTimeout"}, {@code
     * "closeGrace"} or {@code "maxMessageSize"}. A rule that relates two settings names the one it constrains (for
     * {@code heartbeatTimeout > heartbeatInterval}: {@code "heartbeatTimeout"}) and its message names both.
     *
     * @return the property, or empty when the exception is not about one setting
     */
    public Optional<String> property() {
        return Optional.ofNullable(property);
    }
}
