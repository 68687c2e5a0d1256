package ai.alo.audio.impl.observe;

import ai.alo.audio.AloAudioRuntime;
import ai.alo.audio.impl.runtime.ClientRuntime;
import java.lang.System.Logger.Level;
import java.util.Objects;

/**
 * Publishes a runtime's measurements as OpenTelemetry metrics (the metrics of MicroProfile Telemetry 2.0), when the
 * OpenTelemetry API is on the class path. The API is an optional dependency: this class never links against it, and
 * only {@link OtelBridge} does, which is loaded only after {@link #isApiPresent()} said yes. The instruments are
 * listed in {@code docs/observability.md}.
 *
 * <h2>Wiring</h2>
 * <p>Where a runtime is created, one line attaches it:
 * <pre>{@code
 * // CDI, with the OpenTelemetry bean of MicroProfile Telemetry:
 * handle = OpenTelemetryMetrics.attach(runtime, openTelemetry);
 * // the default runtime, or Java SE: the OpenTelemetry installed as GlobalOpenTelemetry, if any
 * OpenTelemetryMetrics.attachGlobalIfPresent(runtime);
 * }</pre>
 *
 * <h2>Detaching</h2>
 * <p>The observable instruments (connected clients, event backlog) hold a callback that reads the runtime. {@link
 * Handle#close()} unregisters them and stops forwarding; after the runtime ended, the next collection does the same
 * by itself, so a runtime that nobody detaches (the default runtime) leaves nothing registered once it has ended and
 * been collected. Counters and histograms stay in the meter (OpenTelemetry cannot remove them) but hold no reference to
 * the runtime.
 *
 * <p>Thread-safe.
 */
public final class OpenTelemetryMetrics {

    /** The instrumentation scope (meter name) of every instrument. */
    public static final String SCOPE = "ai.alo.audio";
    /** A class of the OpenTelemetry API, looked for to decide whether the bridge can be used. */
    static final String API_CLASS = "io.opentelemetry.api.OpenTelemetry";
    /** The artifact that provides the API, for messages. */
    static final String API_ARTIFACT = "io.opentelemetry:opentelemetry-api";

    private static final System.Logger LOG = System.getLogger("ai.alo.audio");

    private OpenTelemetryMetrics() {
    }

    /**
     * An attachment of a runtime to a meter provider. {@link #close()} detaches it.
     */
    public interface Handle extends AutoCloseable {

        /** A handle that is attached to nothing. */
        Handle NONE = new Handle() {
            @Override
            public void close() {
            }

            @Override
            public boolean isAttached() {
                return false;
            }

            @Override
            public String toString() {
                return "OpenTelemetryMetrics.Handle[none]";
            }
        };

        /**
         * Unregisters the observable instruments and stops forwarding the runtime's measurements. Idempotent; never
         * throws; does not block.
         */
        @Override
        void close();

        /**
         * Whether the runtime's measurements still reach the meter.
         *
         * @return {@code false} once closed, or once a collection found the runtime ended
         */
        boolean isAttached();
    }

    /**
     * Whether the OpenTelemetry API is visible to this module's class loader.
     *
     * @return {@code true} if {@link #attach(AloAudioRuntime, Object)} can work
     */
    public static boolean isApiPresent() {
        return isApiPresent(OpenTelemetryMetrics.class.getClassLoader());
    }

    static boolean isApiPresent(ClassLoader loader) {
        try {
            Class.forName(API_CLASS, false, loader);
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /**
     * Publishes the runtime's measurements through an OpenTelemetry instance until the handle is closed or the runtime
     * ends. Attach a runtime once per OpenTelemetry instance (twice would count everything twice).
     *
     * @param runtime       a runtime of this module ({@code AloAudioRuntime.create(...)} with the default provider)
     * @param openTelemetry an {@code io.opentelemetry.api.OpenTelemetry} or an {@code
     *                      io.opentelemetry.api.metrics.MeterProvider}; typed {@code Object} so that callers and this
     *                      class need not link against the API
     * @return the handle; already detached if the runtime has ended
     * @throws IllegalStateException    if the OpenTelemetry API is not on the class path
     * @throws IllegalArgumentException if the runtime is not one of this module, or {@code openTelemetry} is neither
     *                                  type (or comes from a class loader this module does not see)
     */
    public static Handle attach(AloAudioRuntime runtime, Object openTelemetry) {
        ClientRuntime clientRuntime = ours(runtime);
        Objects.requireNonNull(openTelemetry, "openTelemetry");
        if (!isApiPresent()) {
            throw new IllegalStateException("the OpenTelemetry API (" + API_ARTIFACT + ") is not on the class path "
                    + "of alo-audio-impl; add it, or enable MicroProfile Telemetry on the server");
        }
        return OtelBridge.attach(clientRuntime, openTelemetry);
    }

    /**
     * Publishes the runtime's measurements through {@code GlobalOpenTelemetry} if the API is on the class path and
     * something installed a global instance (the OpenTelemetry Java agent, or an application's {@code
     * buildAndRegisterGlobal()}). Never installs one itself: {@code GlobalOpenTelemetry.get()} is called only once one
     * is set (or the Java agent runs), since calling it earlier would fix the global to a no-op for the rest of the
     * JVM. With an API older than {@code GlobalOpenTelemetry.isSet()} and no agent, this attaches nothing.
     *
     * @param runtime a runtime of this module
     * @return the handle, or {@link Handle#NONE} when there is no API or no global instance
     * @throws IllegalArgumentException if the runtime is not one of this module
     */
    public static Handle attachGlobalIfPresent(AloAudioRuntime runtime) {
        ClientRuntime clientRuntime = ours(runtime);
        if (!isApiPresent()) {
            LOG.log(Level.DEBUG, () -> "[" + runtime.config().name() + "] no OpenTelemetry API on the class path: "
                    + "metrics are kept in memory and recorded as JFR events only");
            return Handle.NONE;
        }
        Object global;
        try {
            global = OtelBridge.globalIfSet();
        } catch (LinkageError e) {
            LOG.log(Level.WARNING, "ALOAUD-1906 the OpenTelemetry API on the class path cannot be used by "
                    + "alo-audio-impl (" + e + "); no metrics are published through it");
            return Handle.NONE;
        }
        if (global == null) {
            LOG.log(Level.DEBUG, () -> "[" + runtime.config().name() + "] no GlobalOpenTelemetry is set: metrics "
                    + "are not published through OpenTelemetry");
            return Handle.NONE;
        }
        return OtelBridge.attach(clientRuntime, global);
    }

    private static ClientRuntime ours(AloAudioRuntime runtime) {
        Objects.requireNonNull(runtime, "runtime");
        if (runtime instanceof ClientRuntime clientRuntime) {
            return clientRuntime;
        }
        throw new IllegalArgumentException("not a runtime of alo-audio-impl: " + runtime.getClass().getName());
    }
}
