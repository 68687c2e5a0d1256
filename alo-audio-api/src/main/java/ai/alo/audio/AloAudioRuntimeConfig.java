package ai.alo.audio;

import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ThreadFactory;

/**
 * The settings of an {@link AloAudioRuntime}: where its threads come from and how many it may hold. Immutable.
 *
 * <p>The runtime holds at most {@code ioThreads + eventThreads + connectThreads + 1} threads (the 1 is its timer),
 * plus up to {@code eventThreads} more while listeners block (see {@link Builder#eventThreads(int)}), whatever the
 * number of clients. Every count has a default derived from the number of processors.
 *
 * @since 0.1
 */
public final class AloAudioRuntimeConfig {

    /** The name of the default runtime. */
    public static final String DEFAULT_NAME = "alo-audio";

    private final String name;
    private final ThreadFactory threadFactory;
    private final int ioThreads;
    private final int eventThreads;
    private final int connectThreads;
    private final int eventQueueCapacity;

    private AloAudioRuntimeConfig(Builder b) {
        this.name = b.name;
        this.threadFactory = b.threadFactory;
        this.ioThreads = b.ioThreads;
        this.eventThreads = b.eventThreads;
        this.connectThreads = b.connectThreads;
        this.eventQueueCapacity = b.eventQueueCapacity;
    }

    /**
     * The settings of a default runtime: its own daemon threads, counts from the number of processors.
     *
     * @return the defaults
     */
    public static AloAudioRuntimeConfig defaults() {
        return builder().build();
    }

    /**
     * A builder with the defaults.
     *
     * @return the builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The runtime's name: it prefixes its thread names ({@code <name>-io-1}, {@code <name>-timer}, ...).
     *
     * @return the name; {@value #DEFAULT_NAME} unless set
     */
    public String name() {
        return name;
    }

    /**
     * Where the runtime's threads come from, for example a Jakarta EE server's {@code ManagedThreadFactory}.
     *
     * @return the factory, or empty for the runtime's own daemon threads
     */
    public Optional<ThreadFactory> threadFactory() {
        return Optional.ofNullable(threadFactory);
    }

    /**
     * How many socket I/O threads the runtime runs (each serves many connections).
     *
     * @return the count; default {@code min(4, max(1, processors / 2))}
     */
    public int ioThreads() {
        return ioThreads;
    }

    /**
     * How many threads deliver events and complete futures (each client's events stay ordered on them).
     *
     * @return the count; default {@code min(8, max(2, processors / 2))}
     */
    public int eventThreads() {
        return eventThreads;
    }

    /**
     * How many connects may wait for their WebSocket handshake at once (Tyrus's connect blocks a thread until the
     * handshake answers; those threads end when idle).
     *
     * @return the count; default 4
     */
    public int connectThreads() {
        return connectThreads;
    }

    /**
     * How many participant and connection-change events one client keeps queued while its listeners do not keep up
     * (one blocks, say); beyond that the oldest of them are dropped and counted in the log. Disconnect events and
     * future completions are never dropped.
     *
     * @return the capacity; default 10,000
     */
    public int eventQueueCapacity() {
        return eventQueueCapacity;
    }

    @Override
    public String toString() {
        return "AloAudioRuntimeConfig[name=" + name + ", threadFactory="
                + (threadFactory == null ? "own daemon threads" : threadFactory.getClass().getName())
                + ", ioThreads=" + ioThreads + ", eventThreads=" + eventThreads + ", connectThreads=" + connectThreads
                + ", eventQueueCapacity=" + eventQueueCapacity + "]";
    }

    /**
     * Builds an {@link AloAudioRuntimeConfig}. Not thread-safe.
     *
     * @since 0.1
     */
    public static final class Builder {

        private static final int MAX_THREADS = 64;

        private String name = DEFAULT_NAME;
        private ThreadFactory threadFactory;
        private int ioThreads = Math.min(4, Math.max(1, Runtime.getRuntime().availableProcessors() / 2));
        private int eventThreads = Math.min(8, Math.max(2, Runtime.getRuntime().availableProcessors() / 2));
        private int connectThreads = 4;
        private int eventQueueCapacity = 10_000;

        private Builder() {
        }

        /**
         * Sets the name (letters, digits, {@code .}, {@code _}, {@code -}; at most 64 characters).
         *
         * @param name the name
         * @return this builder
         */
        public Builder name(String name) {
            this.name = Objects.requireNonNull(name, "name");
            return this;
        }

        /**
         * Sets where the runtime's threads come from.
         *
         * @param threadFactory the factory, or null for the runtime's own daemon threads
         * @return this builder
         */
        public Builder threadFactory(ThreadFactory threadFactory) {
            this.threadFactory = threadFactory;
            return this;
        }

        /**
         * Sets the number of socket I/O threads (1 to 64).
         *
         * @param ioThreads the count
         * @return this builder
         */
        public Builder ioThreads(int ioThreads) {
            this.ioThreads = ioThreads;
            return this;
        }

        /**
         * Sets the number of event threads (1 to 64). While a listener blocks for more than a few seconds the runtime
         * adds a thread, up to this many more, so that other clients' events keep flowing; it reports the blocked
         * listener in the log.
         *
         * @param eventThreads the count
         * @return this builder
         */
        public Builder eventThreads(int eventThreads) {
            this.eventThreads = eventThreads;
            return this;
        }

        /**
         * Sets how many handshakes may be pending at once (1 to 64); further connects wait their turn.
         *
         * @param connectThreads the count
         * @return this builder
         */
        public Builder connectThreads(int connectThreads) {
            this.connectThreads = connectThreads;
            return this;
        }

        /**
         * Sets how many droppable events one client keeps queued while its listeners do not keep up (16 to
         * 1,000,000).
         *
         * @param eventQueueCapacity the capacity
         * @return this builder
         */
        public Builder eventQueueCapacity(int eventQueueCapacity) {
            this.eventQueueCapacity = eventQueueCapacity;
            return this;
        }

        /**
         * Checks the values and builds the configuration.
         *
         * @return the configuration
         * @throws AloAudioConfigException naming the first invalid setting
         */
        public AloAudioRuntimeConfig build() {
            if (name.isEmpty() || name.length() > 64 || !name.matches("[A-Za-z0-9._-]+")) {
                throw new AloAudioConfigException("name", "runtime name must be 1 to 64 letters, digits, '.', '_' "
                        + "or '-', was '" + name + "'", null);
            }
            check("ioThreads", ioThreads);
            check("eventThreads", eventThreads);
            check("connectThreads", connectThreads);
            if (eventQueueCapacity < 16 || eventQueueCapacity > 1_000_000) {
                throw new AloAudioConfigException("eventQueueCapacity", "eventQueueCapacity must be between 16 and "
                        + "1000000, was " + eventQueueCapacity, null);
            }
            return new AloAudioRuntimeConfig(this);
        }

        private static void check(String property, int value) {
            if (value < 1 || value > MAX_THREADS) {
                throw new AloAudioConfigException(property, property + " must be between 1 and " + MAX_THREADS
                        + ", was " + value, null);
            }
        }
    }
}
