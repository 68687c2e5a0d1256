package ai.alo.audio;

import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import javax.net.ssl.SSLContext;

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
 * @since 0.1
 */
public final class AloAudioConfig {

    /** The default client name. */
    public static final String DEFAULT_NAME = "default";
    /** Default interval between heartbeat pings: 1 second. */
    public static final Duration DEFAULT_HEARTBEAT_INTERVAL = Duration.ofSeconds(1);
    /** Default time without any message from the server after which the connection is declared lost: 2.5 s. */
    public static final Duration DEFAULT_HEARTBEAT_TIMEOUT = Duration.ofMillis(2500);
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
    private final String audioInputDeviceId;
    private final String audioOutputDeviceId;
    private final Duration heartbeatInterval;
    private final Duration heartbeatTimeout;
    private final Duration connectTimeout;
    private final Duration closeGrace;
    private final int maxMessageSize;
    private final SSLContext sslContext;

    private AloAudioConfig(Builder b) {
        this.name = b.name;
        this.serverUri = b.serverUri;
        this.user = b.user;
        this.userAuthToken = b.userAuthToken;
        this.ttsEnabled = b.ttsEnabled;
        this.audioInputDeviceId = b.audioInputDeviceId;
        this.audioOutputDeviceId = b.audioOutputDeviceId;
        this.heartbeatInterval = b.heartbeatInterval;
        this.heartbeatTimeout = b.heartbeatTimeout;
        this.connectTimeout = b.connectTimeout;
        this.closeGrace = b.closeGrace;
        this.maxMessageSize = b.maxMessageSize;
        this.sslContext = b.sslContext;
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
        b.user = user;
        b.userAuthToken = userAuthToken;
        b.ttsEnabled = ttsEnabled;
        b.audioInputDeviceId = audioInputDeviceId;
        b.audioOutputDeviceId = audioOutputDeviceId;
        b.heartbeatInterval = heartbeatInterval;
        b.heartbeatTimeout = heartbeatTimeout;
        b.connectTimeout = connectTimeout;
        b.closeGrace = closeGrace;
        b.maxMessageSize = maxMessageSize;
        b.sslContext = sslContext;
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
     * @return the token
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
     * The microphone to use (the ALO SDK's {@code audioInputDeviceId}).
     *
     * @return the device id, or empty for the system default
     */
    public Optional<String> audioInputDeviceId() {
        return Optional.ofNullable(audioInputDeviceId);
    }

    /**
     * The speaker or headset to use (the ALO SDK's {@code audioOutputDeviceId}).
     *
     * @return the device id, or empty for the system default
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
     * How long the client waits without any message from the server before it declares the connection lost
     * ({@code ERROR}, {@code "Lost connection to the server"}). This is the detection budget for a silent network
     * loss.
     *
     * @return the timeout; default 2.5 s, always longer than the heartbeat interval
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
                + ", audioInputDeviceId=" + audioInputDeviceId
                + ", audioOutputDeviceId=" + audioOutputDeviceId
                + ", heartbeatInterval=" + heartbeatInterval
                + ", heartbeatTimeout=" + heartbeatTimeout
                + ", connectTimeout=" + connectTimeout
                + ", closeGrace=" + closeGrace
                + ", maxMessageSize=" + maxMessageSize
                + ", sslContext=" + (sslContext == null ? "default" : sslContext.getProtocol())
                + "]";
    }

    /**
     * Builds an {@link AloAudioConfig}. Setters take the ALO SDK's names; {@link #build()} checks the values.
     * Not thread-safe.
     *
     * @since 0.1
     */
    public static final class Builder {

        private String name = DEFAULT_NAME;
        private URI serverUri;
        private AudioUser user;
        private String userAuthToken;
        private boolean ttsEnabled;
        private String audioInputDeviceId;
        private String audioOutputDeviceId;
        private Duration heartbeatInterval = DEFAULT_HEARTBEAT_INTERVAL;
        private Duration heartbeatTimeout = DEFAULT_HEARTBEAT_TIMEOUT;
        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        private Duration closeGrace = DEFAULT_CLOSE_GRACE;
        private int maxMessageSize = DEFAULT_MAX_MESSAGE_SIZE;
        private SSLContext sslContext;

        private Builder() {
        }

        /**
         * Sets the client's name (letters, digits, {@code .}, {@code _}, {@code -}; at most 64 characters).
         *
         * @param name the name
         * @return this builder
         */
        public Builder name(String name) {
            this.name = Objects.requireNonNull(name, "name");
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
                throw new AloAudioConfigException("serverUri is not a valid URI: " + e.getMessage(), e);
            }
            return this;
        }

        /**
         * Sets the user. Required.
         *
         * @param user the user
         * @return this builder
         */
        public Builder user(AudioUser user) {
            this.user = Objects.requireNonNull(user, "user");
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
         * Sets the microphone device id.
         *
         * @param audioInputDeviceId the device id, or null for the system default
         * @return this builder
         */
        public Builder audioInputDeviceId(String audioInputDeviceId) {
            this.audioInputDeviceId = audioInputDeviceId;
            return this;
        }

        /**
         * Sets the output device id.
         *
         * @param audioOutputDeviceId the device id, or null for the system default
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
         * Checks the values and builds the configuration.
         *
         * @return the configuration
         * @throws AloAudioConfigException naming the first missing or invalid setting
         */
        public AloAudioConfig build() {
            if (name.isEmpty() || name.length() > MAX_NAME_LENGTH || !name.matches("[A-Za-z0-9._-]+")) {
                throw new AloAudioConfigException("name must be 1 to " + MAX_NAME_LENGTH
                        + " letters, digits, '.', '_' or '-', was '" + name + "'");
            }
            if (serverUri == null) {
                throw new AloAudioConfigException("serverUri is required (the audio service's ws:// or wss:// URI)");
            }
            String scheme = serverUri.getScheme() == null ? "" : serverUri.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("ws") && !scheme.equals("wss")) {
                throw new AloAudioConfigException("serverUri must use the ws:// or wss:// scheme, was '"
                        + serverUri + "'");
            }
            if (serverUri.getHost() == null || serverUri.getHost().isEmpty()) {
                throw new AloAudioConfigException("serverUri has no host: '" + serverUri + "'");
            }
            if (serverUri.getRawUserInfo() != null) {
                throw new AloAudioConfigException("serverUri must not contain user info; the user auth token is "
                        + "sent in the Authorization header");
            }
            if (user == null) {
                throw new AloAudioConfigException("user is required");
            }
            if (userAuthToken == null || userAuthToken.isBlank()) {
                throw new AloAudioConfigException("userAuthToken is required");
            }
            if (userAuthToken.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
                throw new AloAudioConfigException("userAuthToken contains whitespace or non-ASCII characters; "
                        + "it must be the token string exactly as issued");
            }
            if (heartbeatInterval.compareTo(MIN_HEARTBEAT_INTERVAL) < 0) {
                throw new AloAudioConfigException("heartbeatInterval must be at least " + MIN_HEARTBEAT_INTERVAL
                        + ", was " + heartbeatInterval);
            }
            if (heartbeatTimeout.compareTo(heartbeatInterval) <= 0) {
                throw new AloAudioConfigException("heartbeatTimeout (" + heartbeatTimeout
                        + ") must be longer than heartbeatInterval (" + heartbeatInterval + ")");
            }
            if (connectTimeout.isNegative() || connectTimeout.isZero()) {
                throw new AloAudioConfigException("connectTimeout must be positive, was " + connectTimeout);
            }
            if (closeGrace.compareTo(MIN_CLOSE_GRACE) < 0) {
                throw new AloAudioConfigException("closeGrace must be at least " + MIN_CLOSE_GRACE
                        + ", was " + closeGrace);
            }
            if (maxMessageSize < MIN_MAX_MESSAGE_SIZE) {
                throw new AloAudioConfigException("maxMessageSize must be at least " + MIN_MAX_MESSAGE_SIZE
                        + " bytes, was " + maxMessageSize);
            }
            return new AloAudioConfig(this);
        }
    }
}
