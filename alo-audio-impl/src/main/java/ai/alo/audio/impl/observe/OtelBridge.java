package ai.alo.audio.impl.observe;

import ai.alo.audio.AloAudio;
import ai.alo.audio.ConnectionState;
import ai.alo.audio.DisconnectReason;
import ai.alo.audio.impl.runtime.ClientRuntime;
import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.DoubleHistogramBuilder;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.api.metrics.MeterBuilder;
import io.opentelemetry.api.metrics.MeterProvider;
import io.opentelemetry.api.metrics.ObservableLongMeasurement;
import io.opentelemetry.api.metrics.ObservableLongUpDownCounter;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.ToLongFunction;

/**
 * The OpenTelemetry side of {@link OpenTelemetryMetrics}: the one class of this module that links against the
 * OpenTelemetry API, loaded only after the API was found. A {@link MetricsSink} of one runtime that records into
 * synchronous instruments, plus two observable instruments that read the runtime when a reader collects.
 *
 * <p>API use is limited to what OpenTelemetry Java 1.39 (MicroProfile Telemetry 2.0) has, except {@code
 * GlobalOpenTelemetry.isSet()}, which is newer (not in 1.49) and is treated as "no global instance" where it is
 * missing.
 *
 * <p>Thread-safe.
 */
final class OtelBridge implements MetricsSink, OpenTelemetryMetrics.Handle {

    private static final System.Logger LOG = System.getLogger("ai.alo.audio");

    static final AttributeKey<String> RUNTIME = AttributeKey.stringKey("runtime");
    static final AttributeKey<String> STATE = AttributeKey.stringKey("state");
    static final AttributeKey<String> REASON = AttributeKey.stringKey("reason");

    private static final List<Double> BUCKETS_MS;

    static {
        List<Double> buckets = new ArrayList<>();
        for (double bound : Histogram.BOUNDS_MS) {
            buckets.add(bound);
        }
        BUCKETS_MS = List.copyOf(buckets);
    }

    private final ClientRuntime runtime;
    private final String runtimeName;
    private final Attributes runtimeAttributes;
    /** By {@code [state.ordinal()][reason.ordinal()]}. */
    private final Attributes[][] disconnectAttributes;
    private final AtomicBoolean closed = new AtomicBoolean();

    private final LongCounter attempts;
    private final LongCounter connects;
    private final LongCounter disconnects;
    private final DoubleHistogram connectDuration;
    private final DoubleHistogram disconnectDuration;
    private final DoubleHistogram heartbeatRoundTrip;
    private final List<Observable> observables = new CopyOnWriteArrayList<>();

    private OtelBridge(ClientRuntime runtime, Meter meter) {
        this.runtime = runtime;
        this.runtimeName = runtime.config().name();
        this.runtimeAttributes = Attributes.of(RUNTIME, runtimeName);
        ConnectionState[] states = ConnectionState.values();
        DisconnectReason[] reasons = DisconnectReason.values();
        this.disconnectAttributes = new Attributes[states.length][reasons.length];
        for (ConnectionState state : states) {
            for (DisconnectReason reason : reasons) {
                disconnectAttributes[state.ordinal()][reason.ordinal()] = Attributes.of(RUNTIME, runtimeName,
                        STATE, state.name(), REASON, reason.name());
            }
        }
        attempts = meter.counterBuilder("alo.audio.connect.attempts")
                .setUnit("{attempt}")
                .setDescription("Connect attempts started (connect() on a client that was not connected)")
                .build();
        connects = meter.counterBuilder("alo.audio.connects")
                .setUnit("{connect}")
                .setDescription("Connect attempts that reached CONNECTED")
                .build();
        disconnects = meter.counterBuilder("alo.audio.disconnects")
                .setUnit("{disconnect}")
                .setDescription("Connection attempts that ended, one per DisconnectEvent, by state (DISCONNECTED after "
                        + "disconnect()/close(), ERROR when lost or failed) and reason (DisconnectReason)")
                .build();
        connectDuration = histogram(meter, "alo.audio.connect.duration",
                "Time from connect() to CONNECTED, of the attempts that got there");
        disconnectDuration = histogram(meter, "alo.audio.disconnect.duration",
                "How long disconnect() and close() took to release their connection");
        heartbeatRoundTrip = histogram(meter, "alo.audio.heartbeat.rtt",
                "Round-trip time of the heartbeat ping, answered by the audio service's pong");
    }

    /** Registers the observable instruments and starts forwarding; after the constructor, so {@code this} is whole. */
    private void start(Meter meter) {
        register(observe(meter, "alo.audio.client.connected", "{client}",
                "Clients of the runtime that are CONNECTED", OtelBridge::connectedClients));
        register(observe(meter, "alo.audio.event.backlog", "{task}",
                "Event deliveries and connect-future completions waiting for a free event thread",
                r -> r.events().backlog()));
        register(observe(meter, "alo.audio.event.queued", "{event}",
                "Events waiting in the clients' own ordered queues (behind a slow or blocked listener)",
                r -> r.events().queuedEvents()));
        runtime.metrics().addSink(this);
        // the runtime may have ended meanwhile: then nothing may stay registered
        if (runtime.isClosed()) {
            close();
        }
    }

    static OpenTelemetryMetrics.Handle attach(ClientRuntime runtime, Object target) {
        MeterProvider provider;
        if (target instanceof OpenTelemetry openTelemetry) {
            provider = openTelemetry.getMeterProvider();
        } else if (target instanceof MeterProvider meterProvider) {
            provider = meterProvider;
        } else {
            throw new IllegalArgumentException("expected an io.opentelemetry.api.OpenTelemetry or "
                    + "io.opentelemetry.api.metrics.MeterProvider visible to alo-audio-impl's class loader, got "
                    + target.getClass().getName() + " from " + target.getClass().getClassLoader());
        }
        if (runtime.isClosed()) {
            return OpenTelemetryMetrics.Handle.NONE;
        }
        MeterBuilder builder = provider.meterBuilder(OpenTelemetryMetrics.SCOPE);
        String version = OtelBridge.class.getPackage() == null ? null
                : OtelBridge.class.getPackage().getImplementationVersion();
        if (version != null) {
            builder.setInstrumentationVersion(version);
        }
        Meter meter = builder.build();
        OtelBridge bridge = new OtelBridge(runtime, meter);
        bridge.start(meter);
        LOG.log(Level.DEBUG, () -> "[" + bridge.runtimeName + "] metrics published through OpenTelemetry meter "
                + OpenTelemetryMetrics.SCOPE);
        return bridge;
    }

    /**
     * The global OpenTelemetry instance, if one was set, or if the OpenTelemetry Java agent runs (it answers {@code
     * get()} with its own instance; older agents answer {@code isSet()} with {@code false}). Otherwise {@code get()}
     * is not called: it would install a no-op global for the rest of the JVM.
     *
     * @return the instance, or null
     */
    static Object globalIfSet() {
        boolean set;
        try {
            set = GlobalOpenTelemetry.isSet();
        } catch (NoSuchMethodError e) {
            // an API older than isSet()
            set = false;
        }
        return set || agentPresent() ? GlobalOpenTelemetry.get() : null;
    }

    private static boolean agentPresent() {
        try {
            // -javaagent puts the agent's jar on the system class path
            Class.forName("io.opentelemetry.javaagent.OpenTelemetryAgent", false, ClassLoader.getSystemClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError | SecurityException e) {
            return false;
        }
    }

    private static DoubleHistogram histogram(Meter meter, String name, String description) {
        DoubleHistogramBuilder builder = meter.histogramBuilder(name).setUnit("ms").setDescription(description);
        try {
            builder = builder.setExplicitBucketBoundariesAdvice(BUCKETS_MS);
        } catch (NoSuchMethodError | AbstractMethodError e) {
            // API older than 1.32: the SDK's default buckets
        }
        return builder.build();
    }

    private ObservableLongUpDownCounter observe(Meter meter, String name, String unit, String description,
                                                ToLongFunction<ClientRuntime> read) {
        return meter.upDownCounterBuilder(name).setUnit(unit).setDescription(description)
                .buildWithCallback((ObservableLongMeasurement measurement) -> {
                    if (closed.get()) {
                        return;
                    }
                    if (runtime.isClosed()) {
                        // the runtime ended: unregister, so that the meter keeps nothing of the application
                        close();
                        return;
                    }
                    measurement.record(read.applyAsLong(runtime), runtimeAttributes);
                });
    }

    /** Keeps an observable instrument; one that a concurrent {@link #close()} missed is closed here. */
    private void register(ObservableLongUpDownCounter instrument) {
        Observable observable = new Observable(instrument);
        observables.add(observable);
        if (closed.get()) {
            observable.close();
        }
    }

    private static long connectedClients(ClientRuntime runtime) {
        long connected = 0;
        for (AloAudio client : runtime.clients()) {
            if (client.state() == ConnectionState.CONNECTED) {
                connected++;
            }
        }
        return connected;
    }

    // ------------------------------------------------------------------------------------------------------------
    // MetricsSink

    @Override
    public void connectStarted() {
        attempts.add(1, runtimeAttributes);
    }

    @Override
    public void connected(long nanos) {
        connects.add(1, runtimeAttributes);
        connectDuration.record(millis(nanos), runtimeAttributes);
    }

    @Override
    public void disconnected(ConnectionState state, DisconnectReason reason) {
        disconnects.add(1, disconnectAttributes[state.ordinal()][reason.ordinal()]);
    }

    @Override
    public void disconnectCall(long nanos) {
        disconnectDuration.record(millis(nanos), runtimeAttributes);
    }

    @Override
    public void heartbeatRoundTrip(long nanos) {
        heartbeatRoundTrip.record(millis(nanos), runtimeAttributes);
    }

    private static double millis(long nanos) {
        return nanos / 1_000_000.0;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Handle

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        runtime.metrics().removeSink(this);
        for (Observable observable : observables) {
            observable.close();
        }
        LOG.log(Level.DEBUG, () -> "[" + runtimeName + "] metrics no longer published through OpenTelemetry");
    }

    @Override
    public boolean isAttached() {
        return !closed.get();
    }

    /** An observable instrument, closed once. */
    private static final class Observable {

        private final ObservableLongUpDownCounter instrument;
        private final AtomicBoolean closed = new AtomicBoolean();

        Observable(ObservableLongUpDownCounter instrument) {
            this.instrument = instrument;
        }

        void close() {
            if (!closed.compareAndSet(false, true)) {
                return;
            }
            try {
                instrument.close();
            } catch (RuntimeException | LinkageError e) {
                LOG.log(Level.DEBUG, () -> "closing an OpenTelemetry instrument failed: " + e);
            }
        }
    }

    @Override
    public String toString() {
        return "OpenTelemetryMetrics.Handle[" + runtimeName + (isAttached() ? "" : ", closed") + "]";
    }
}
