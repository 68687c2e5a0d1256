package ai.alo.audio;

import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import ai.alo.audio.spi.ReconnectPolicy;

/**
 * The immutable configuration of an {@link AloAudio} client; the Java form of the ALO SDK's constructor properties
 * ({@code user}, {@code userAuthToken}, {@code ttsEnabled}, {@code audioInputDeviceId}, {@code audioOutputDeviceId})
 * plus the connection settings of this client.
 *
 * <pre>{@code
 * AloAudioConfig config = AloAudioConfig.builder()
 *         .serverUri(URI.create("wss://audio.example.com/audio"))
 *         .user(new AudioUser("A744d43X", "Dispatch console 3", "console-3"))
 *         .userAuthToken(token)
 *         .build();
 * }</pre>
 *
 * <p>{@link #toString()} never shows the user auth token.
 *
 * <h2>Validation</h2>
 * <p>Every rule about the values lives in the {@link Builder}: a setter rejects what is wrong on its own (a null, a
 * name that is not a valid client name, text that is not a URI), and {@link Builder#build()} checks what is required
 * and how the values relate. Each problem is an {@link AloAudioConfigException} whose {@link
 * AloAudioConfigException#property() property()} names the setting, so that code that reads the values from somewhere
 * else (configuration keys, a form) can name its own key or field. An instance of this class is always valid.
 *
 * @since 0.1
 */
public final class AloAudioConfig {

    /** The default client name. */
    public static final String DEFAULT_NAME = "default";
    /** Default interval between heartbeat pings: 1 second. */
    public static final Duration DEFAULT_HEARTBEAT_INTERVAL = Duration.ofSeconds(1);
    /** Default time a heartbeat ping may wait, with nothing at all arriving from the server, before the connection is
     * declared lost: 1.8 s. With the default interval, a silent network is detected within 1.8 to 2.8 s, and round
     * trips that grow to 1.8 s do not end the connection. */
    public static final Duration DEFAULT_HEARTBEAT_TIMEOUT = Duration.ofMillis(1800);
    /** Default time allowed to open the connection and join the channel: 10 seconds. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    /** Default bound on {@code disconnect()}: 250 ms. */
    public static final Duration DEFAULT_CLOSE_GRACE = Duration.ofMillis(250);
    /** Default largest signalling message accepted from the server: 64 KiB. */
    public static final int DEFAULT_MAX_MESSAGE_SIZE = 64 * 1024;

    private static final Duration MIN_HEARTBEAT_INTERVAL = Duration.ofMillis(50);
    private static final Duration MIN_CLOSE_GRACE = Duration.ofMillis(10);
    private static final int MIN_MAX_MESSAGE_SIZE = 1024;
    private static final int MAX_NAME_LENGTH = 64;

    private final String name;
    private final URI serverUri;
    private final AudioUser user;
    private final String userAuthToken;
    private final boolean ttsEnabled;
    private final boolean mediaEnabled;
    private final String audioInputDeviceId;
    private final String audioOutputDeviceId;
    private final Duration heartbeatInterval;
    private final Duration heartbeatTimeout;
    private final Duration connectTimeout;
    private final Duration closeGrace;
    private final int maxMessageSize;
    private final SSLContext sslContext;
    private final UserAuthTokenProvider userAuthTokenProvider;
    private final ReconnectPolicy reconnectPolicy;

    private AloAudioConfig(Builder b, AudioUser user) {
        this.name = b.name;
        this.serverUri = b.serverUri;
        this.user = user;
        this.userAuthToken = b.userAuthToken;
        this.ttsEnabled = b.ttsEnabled;
        this.mediaEnabled = b.mediaEnabled;
        this.audioInputDeviceId = b.audioInputDeviceId;
        this.audioOutputDeviceId = b.audioOutputDeviceId;
        this.heartbeatInterval = b.heartbeatInterval;
        this.heartbeatTimeout = b.heartbeatTimeout;
        this.connectTimeout = b.connectTimeout;
        this.closeGrace = b.closeGrace;
        this.maxMessageSize = b.maxMessageSize;
        this.sslContext = b.sslContext;
        this.userAuthTokenProvider = b.userAuthTokenProvider;
        this.reconnectPolicy = b.reconnectPolicy;
    }

    /**
     * A new builder with the defaults.
     *
     * @return the builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A builder pre-filled with this configuration, to derive a changed copy.
     *
     * @return the builder
     */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.name = name;
        b.serverUri = serverUri;
        b.userId = user.id();
        b.userName = user.name();
        b.userDeviceId = user.deviceId();
        b.userAuthToken = userAuthToken;
        b.ttsEnabled = ttsEnabled;
        b.mediaEnabled = mediaEnabled;
        b.audioInputDeviceId = audioInputDeviceId;
        b.audioOutputDeviceId = audioOutputDeviceId;
        b.heartbeatInterval = heartbeatInterval;
        b.heartbeatTimeout = heartbeatTimeout;
        b.connectTimeout = connectTimeout;
        b.closeGrace = closeGrace;
        b.maxMessageSize = maxMessageSize;
        b.sslContext = sslContext;
        b.userAuthTokenProvider = userAuthTokenProvider;
        b.reconnectPolicy = reconnectPolicy;
        return b;
    }

    /**
     * The client's name: it appears in events, thread names and log lines, and is the CDI qualifier value.
     *
     * @return the name; {@value #DEFAULT_NAME} unless set
     */
    public String name() {
        return name;
    }

    /**
     * The WebSocket URI of the audio service.
     *
     * @return a {@code ws://} or {@code wss://} URI
     */
    public URI serverUri() {
        return serverUri;
    }

    /**
     * The user this client acts for.
     *
     * @return the user
     */
    public AudioUser user() {
        return user;
    }

    /**
     * The user auth token (a JWT from the ALO authentication service). Sent in the WebSocket handshake's {@code
     * Authorization} header only; never logged, never part of a message or {@code toString()}.
     *
     * @return the token; null when only a {@link #userAuthTokenProvider()} is set
     */
    public String userAuthToken() {
        return userAuthToken;
    }

    /**
     * Whether the user should hear text-to-speech audio in the channel (the ALO SDK's {@code ttsEnabled}).
     *
     * @return {@code false} unless set
     */
    public boolean ttsEnabled() {
        return ttsEnabled;
    }

    /**
     * Whether the client carries audio: after joining a channel it sets up a WebRTC audio session with the audio
     * service, and {@code connect()} completes only when audio can flow. {@code false} makes a signalling-only client
     * (state, participants, disconnect events) that needs no native library. Default {@code true}.
     *
     * @return the flag
     * @since 0.2
     */
    public boolean mediaEnabled() {
        return mediaEnabled;
    }

    /**
     * The input device to speak from (the ALO SDK's {@code audioInputDeviceId}): an id listed by
     * {@link AloAudio#getMediaList()}. Checked at connect.
     *
     * @return the device id, or empty for {@value ai.alo.audio.media.AudioDevices#SILENCE}
     */
    public Optional<String> audioInputDeviceId() {
        return Optional.ofNullable(audioInputDeviceId);
    }

    /**
     * The output device to play received audio into (the ALO SDK's {@code audioOutputDeviceId}): an id listed by
     * {@link AloAudio#getMediaList()}. Checked at connect.
     *
     * @return the device id, or empty for {@value ai.alo.audio.media.AudioDevices#DISCARD}
     */
    public Optional<String> audioOutputDeviceId() {
        return Optional.ofNullable(audioOutputDeviceId);
    }

    /**
     * How often the client sends a heartbeat ping. The audio service may adjust it within its limits when it
     * welcomes the client.
     *
     * @return the interval; default 1 s
     */
    public Duration heartbeatInterval() {
        return heartbeatInterval;
    }

    /**
     * How long a heartbeat ping may wait for its answer, with nothing at all arriving from the server meanwhile, before
     * the client declares the connection lost ({@code ERROR}, {@code "Lost connection to the server"}). A silent
     * network is detected within this timeout plus one {@linkplain #heartbeatInterval() interval} (the first ping after
     * the network went silent is sent at most an interval later); a round trip that grows up to this timeout does not
     * end the connection. The audio service drops a client it has heard nothing from for the interval plus this
     * timeout.
     *
     * @return the timeout; default 1.8 s, always longer than the heartbeat interval
     */
    public Duration heartbeatTimeout() {
        return heartbeatTimeout;
    }

    /**
     * How long {@code connect()} may take from the call to the joined channel.
     *
     * @return the timeout; default 10 s
     */
    public Duration connectTimeout() {
        return connectTimeout;
    }

    /**
     * The bound on {@code disconnect()}: how long it waits for the leave message and close frame to be sent and for
     * the connection's threads to end before it releases everything regardless.
     *
     * @return the grace; default 250 ms
     */
    public Duration closeGrace() {
        return closeGrace;
    }

    /**
     * The largest signalling message, in bytes, accepted from the server; a larger one ends the connection with a
     * protocol error (close code 1009).
     *
     * @return the size; default 64 KiB
     */
    public int maxMessageSize() {
        return maxMessageSize;
    }

    /**
     * The TLS context for {@code wss://} connections: which certificates the client trusts (and presents).
     * Threads are not a client setting: clients share the threads of their {@link AloAudioRuntime}.
     *
     * @return the context, or empty for the JVM's default ({@code SSLContext.getDefault()}, which honours the
     *         {@code javax.net.ssl.trustStore} system properties)
     */
    public Optional<SSLContext> sslContext() {
        return Optional.ofNullable(sslContext);
    }

    /**
     * The provider asked for a user auth token before every connection attempt, if one is set; it then takes
     * precedence over {@link #userAuthToken()}.
     *
     * @return the provider, or empty
     * @since 0.3
     */
    public Optional<UserAuthTokenProvider> userAuthTokenProvider() {
        return Optional.ofNullable(userAuthTokenProvider);
    }

    /**
     * The policy for automatic reconnects after a lost connection; {@link ReconnectBackoff#defaults()} unless set,
     * {@link ReconnectPolicy#never()} to turn reconnecting off.
     *
     * @return the policy; never null
     * @since 0.3
     */
    public ReconnectPolicy reconnectPolicy() {
        return reconnectPolicy;
    }

    /**
     * A description of this configuration; the user auth token is shown as {@code <redacted>}.
     *
     * @return the description
     */
    @Override
    public String toString() {
        return "AloAudioConfig[name=" + name
                + ", serverUri=" + serverUri
                + ", user=" + user
                + ", userAuthToken=<redacted>"
                + ", ttsEnabled=" + ttsEnabled
                + ", mediaEnabled=" + mediaEnabled
                + ", audioInputDeviceId=" + audioInputDeviceId
                + ", audioOutputDeviceId=" + audioOutputDeviceId
                + ", heartbeatInterval=" + heartbeatInterval
                + ", heartbeatTimeout=" + heartbeatTimeout
                + ", connectTimeout=" + connectTimeout
                + ", closeGrace=" + closeGrace
                + ", maxMessageSize=" + maxMessageSize
                + ", sslContext=" + (sslContext == null ? "default" : sslContext.getProtocol())
                + ", userAuthTokenProvider=" + (userAuthTokenProvider == null ? "none"
                        : userAuthTokenProvider.getClass().getName())
                + ", reconnectPolicy=" + reconnectPolicy
                + "]";
    }

    /**
     * Builds an {@link AloAudioConfig}. Setters take the ALO SDK's names. A setter throws at once only for what it can
     * tell on its own (null where a value is required, an invalid client name, text that is not a URI); {@link
     * #build()} checks everything else. Every {@link AloAudioConfigException} thrown here names its setting in {@link
     * AloAudioConfigException#property()}. Not thread-safe.
     *
     * @since 0.1
     */
    public static final class Builder {

        private String name = DEFAULT_NAME;
        private URI serverUri;
        /** The user's components; {@link #build()} makes the {@link AudioUser}, so a blank id is reported there. */
        private String userId;
        private String userName = "";
        private String userDeviceId = "";
        private String userAuthToken;
        private boolean ttsEnabled;
        private boolean mediaEnabled = true;
        private String audioInputDeviceId;
        private String audioOutputDeviceId;
        private Duration heartbeatInterval = DEFAULT_HEARTBEAT_INTERVAL;
        private Duration heartbeatTimeout = DEFAULT_HEARTBEAT_TIMEOUT;
        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        private Duration closeGrace = DEFAULT_CLOSE_GRACE;
        private int maxMessageSize = DEFAULT_MAX_MESSAGE_SIZE;
        private SSLContext sslContext;
        private UserAuthTokenProvider userAuthTokenProvider;
        private ReconnectPolicy reconnectPolicy = ReconnectBackoff.defaults();

        private Builder() {
        }

        /**
         * Sets the client's name (letters, digits, {@code .}, {@code _}, {@code -}; at most 64 characters).
         *
         * @param name the name
         * @return this builder
         * @throws AloAudioConfigException (property {@code "name"}) if the name is not valid
         */
        public Builder name(String name) {
            Objects.requireNonNull(name, "name");
            if (name.isEmpty() || name.length() > MAX_NAME_LENGTH || !name.matches("[A-Za-z0-9._-]+")) {
                throw new AloAudioConfigException("name", "name must be 1 to " + MAX_NAME_LENGTH
                        + " letters, digits, '.', '_' or '-', was '" + name + "'", null);
            }
            this.name = name;
            return this;
        }

        /**
         * Sets the audio service's WebSocket URI. Required.
         *
         * @param serverUri a {@code ws://} or {@code wss://} URI
         * @return this builder
         */
        public Builder serverUri(URI serverUri) {
            this.serverUri = Objects.requireNonNull(serverUri, "serverUri");
            return this;
        }

        /**
         * Sets the audio service's WebSocket URI from text. Required.
         *
         * @param serverUri a {@code ws://} or {@code wss://} URI
         * @return this builder
         * @throws AloAudioConfigException if the text is not a URI
         */
        public Builder serverUri(String serverUri) {
            Objects.requireNonNull(serverUri, "serverUri");
            try {
                this.serverUri = new URI(serverUri.trim());
            } catch (java.net.URISyntaxException e) {
                throw new AloAudioConfigException("serverUri", "serverUri is not a valid URI: " + e.getReason()
                        + " at index " + e.getIndex(), e);
            }
            return this;
        }

        /**
         * Sets the user. Required (this or {@link #user(String, String, String)}).
         *
         * @param user the user
         * @return this builder
         */
        public Builder user(AudioUser user) {
            Objects.requireNonNull(user, "user");
            return user(user.id(), user.name(), user.deviceId());
        }

        /**
         * Sets the user from its components, as read from configuration or typed in. Unlike {@code new
         * AudioUser(...)}, which rejects a blank id at once with an {@link IllegalArgumentException}, this leaves the
         * check to {@link #build()}, which reports a blank id as an {@link AloAudioConfigException} with property
         * {@code "user.id"} (together with any other problem of the configuration).
         *
         * @param id       the ALO Cloud user id the token was issued for; must not be blank when built
         * @param name     the display name; may be empty
         * @param deviceId the id of this client device or installation; may be empty
         * @return this builder
         * @throws NullPointerException if a component is null
         */
        public Builder user(String id, String name, String deviceId) {
            this.userId = Objects.requireNonNull(id, "id");
            this.userName = Objects.requireNonNull(name, "name");
            this.userDeviceId = Objects.requireNonNull(deviceId, "deviceId");
            return this;
        }

        /**
         * Sets the user auth token. Required.
         *
         * @param userAuthToken the token from the ALO authentication service
         * @return this builder
         */
        public Builder userAuthToken(String userAuthToken) {
            this.userAuthToken = Objects.requireNonNull(userAuthToken, "userAuthToken");
            return this;
        }

        /**
         * Sets a provider asked for the user auth token before every connection attempt, for applications that run
         * longer than a token lives (see {@link UserAuthTokenProvider}). With a provider, {@link
         * #userAuthToken(String)} is not required, and is not used.
         *
         * @param provider the provider
         * @return this builder
         * @since 0.3
         */
        public Builder userAuthTokenProvider(UserAuthTokenProvider provider) {
            this.userAuthTokenProvider = Objects.requireNonNull(provider, "userAuthTokenProvider");
            return this;
        }

        /**
         * Sets the policy for automatic reconnects: {@link ReconnectBackoff#defaults()} unless set; a configured
         * {@link ReconnectBackoff}, {@link ReconnectPolicy#never()}, or an application's own.
         *
         * @param policy the policy
         * @return this builder
         * @since 0.3
         */
        public Builder reconnectPolicy(ReconnectPolicy policy) {
            this.reconnectPolicy = Objects.requireNonNull(policy, "reconnectPolicy");
            return this;
        }

        /**
         * Sets whether the user hears text-to-speech audio.
         *
         * @param ttsEnabled the flag
         * @return this builder
         */
        public Builder ttsEnabled(boolean ttsEnabled) {
            this.ttsEnabled = ttsEnabled;
            return this;
        }

        /**
         * Sets whether the client carries audio (default {@code true}); {@code false} makes a signalling-only client.
         *
         * @param mediaEnabled the flag
         * @return this builder
         * @since 0.2
         */
        public Builder mediaEnabled(boolean mediaEnabled) {
            this.mediaEnabled = mediaEnabled;
            return this;
        }

        /**
         * Sets the input device id.
         *
         * @param audioInputDeviceId the device id, or null for {@value ai.alo.audio.media.AudioDevices#SILENCE}
         * @return this builder
         */
        public Builder audioInputDeviceId(String audioInputDeviceId) {
            this.audioInputDeviceId = audioInputDeviceId;
            return this;
        }

        /**
         * Sets the output device id.
         *
         * @param audioOutputDeviceId the device id, or null for {@value ai.alo.audio.media.AudioDevices#DISCARD}
         * @return this builder
         */
        public Builder audioOutputDeviceId(String audioOutputDeviceId) {
            this.audioOutputDeviceId = audioOutputDeviceId;
            return this;
        }

        /**
         * Sets the heartbeat interval (at least 50 ms, shorter than the heartbeat timeout).
         *
         * @param heartbeatInterval the interval
         * @return this builder
         */
        public Builder heartbeatInterval(Duration heartbeatInterval) {
            this.heartbeatInterval = Objects.requireNonNull(heartbeatInterval, "heartbeatInterval");
            return this;
        }

        /**
         * Sets the heartbeat timeout (longer than the heartbeat interval).
         *
         * @param heartbeatTimeout the timeout
         * @return this builder
         */
        public Builder heartbeatTimeout(Duration heartbeatTimeout) {
            this.heartbeatTimeout = Objects.requireNonNull(heartbeatTimeout, "heartbeatTimeout");
            return this;
        }

        /**
         * Sets the connect timeout.
         *
         * @param connectTimeout the timeout; positive
         * @return this builder
         */
        public Builder connectTimeout(Duration connectTimeout) {
            this.connectTimeout = Objects.requireNonNull(connectTimeout, "connectTimeout");
            return this;
        }

        /**
         * Sets the close grace, the bound on {@code disconnect()} (at least 10 ms).
         *
         * @param closeGrace the grace
         * @return this builder
         */
        public Builder closeGrace(Duration closeGrace) {
            this.closeGrace = Objects.requireNonNull(closeGrace, "closeGrace");
            return this;
        }

        /**
         * Sets the largest signalling message accepted from the server, in bytes (at least 1024).
         *
         * @param maxMessageSize the size
         * @return this builder
         */
        public Builder maxMessageSize(int maxMessageSize) {
            this.maxMessageSize = maxMessageSize;
            return this;
        }

        /**
         * Sets the TLS context for {@code wss://} connections.
         *
         * @param sslContext the context, or null for the JVM's default
         * @return this builder
         */
        public Builder sslContext(SSLContext sslContext) {
            this.sslContext = sslContext;
            return this;
        }

        /**
         * Checks the values and builds the configuration. Every rule is checked, in the order of the setters; a rule
         * that relates two values is checked only when both are valid on their own.
         *
         * @return the configuration
         * @throws AloAudioConfigException for the first missing or invalid setting (named by its {@link
         *                                 AloAudioConfigException#property() property()}), with one suppressed
         *                                 {@code AloAudioConfigException} for each further one
         */
        public AloAudioConfig build() {
            Problems problems = new Problems();
            // the name was checked by name(String)
            if (serverUri == null) {
                problems.add("serverUri", "serverUri is required (the audio service's ws:// or wss:// URI)");
            } else {
                String scheme = serverUri.getScheme() == null ? "" : serverUri.getScheme().toLowerCase(Locale.ROOT);
                if (serverUri.getRawUserInfo() != null) {
                    // checked first: the other messages quote the URI, and this one must not
                    problems.add("serverUri", "serverUri must not contain user info; the user auth token is sent in "
                            + "the Authorization header");
                } else if (!scheme.equals("ws") && !scheme.equals("wss")) {
                    problems.add("serverUri", "serverUri must use the ws:// or wss:// scheme, was '" + serverUri
                            + "'");
                } else if (serverUri.getHost() == null || serverUri.getHost().isEmpty()) {
                    problems.add("serverUri", "serverUri has no host: '" + serverUri + "'");
                }
            }
            AudioUser user = null;
            if (userId == null) {
                problems.add("user.id", "user is required: its id is the ALO Cloud user id the token was issued for");
            } else if (userId.isBlank()) {
                problems.add("user.id", "user.id must not be blank; it is the ALO Cloud user id the token was "
                        + "issued for");
            } else {
                user = new AudioUser(userId, userName, userDeviceId);
            }
            if (userAuthToken == null || userAuthToken.isBlank()) {
                if (userAuthTokenProvider == null) {
                    problems.add("userAuthToken", "userAuthToken is required (or a userAuthTokenProvider)");
                }
            } else if (userAuthToken.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
                problems.add("userAuthToken", "userAuthToken contains whitespace or non-ASCII characters; it must "
                        + "be the token string exactly as issued");
            }
            boolean intervalValid = heartbeatInterval.compareTo(MIN_HEARTBEAT_INTERVAL) >= 0;
            if (!intervalValid) {
                problems.add("heartbeatInterval", "heartbeatInterval must be at least " + MIN_HEARTBEAT_INTERVAL
                        + ", was " + heartbeatInterval);
            }
            if (heartbeatTimeout.isNegative() || heartbeatTimeout.isZero()) {
                problems.add("heartbeatTimeout", "heartbeatTimeout must be positive, was " + heartbeatTimeout);
            } else if (intervalValid && heartbeatTimeout.compareTo(heartbeatInterval) <= 0) {
                problems.add("heartbeatTimeout", "heartbeatTimeout (" + heartbeatTimeout
                        + ") must be longer than heartbeatInterval (" + heartbeatInterval + ")");
            }
            if (connectTimeout.isNegative() || connectTimeout.isZero()) {
                problems.add("connectTimeout", "connectTimeout must be positive, was " + connectTimeout);
            }
            if (closeGrace.compareTo(MIN_CLOSE_GRACE) < 0) {
                problems.add("closeGrace", "closeGrace must be at least " + MIN_CLOSE_GRACE + ", was " + closeGrace);
            }
            if (maxMessageSize < MIN_MAX_MESSAGE_SIZE) {
                problems.add("maxMessageSize", "maxMessageSize must be at least " + MIN_MAX_MESSAGE_SIZE
                        + " bytes, was " + maxMessageSize);
            }
            problems.throwIfAny();
            return new AloAudioConfig(this, user);
        }
    }

    /** The problems {@link Builder#build()} found: the first is thrown, the others are suppressed in it. */
    private static final class Problems {

        private AloAudioConfigException first;

        void add(String property, String message) {
            AloAudioConfigException problem = new AloAudioConfigException(property, message, null);
            if (first == null) {
                first = problem;
            } else {
                first.addSuppressed(problem);
            }
        }

        void throwIfAny() {
            if (first != null) {
                throw first;
            }
        }
    }
}
