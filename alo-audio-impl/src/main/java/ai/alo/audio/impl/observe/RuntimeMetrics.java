package ai.alo.audio.impl.observe;

import ai.alo.audio.ConnectionState;
import ai.alo.audio.DisconnectReason;
import java.lang.System.Logger.Level;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * What a runtime counts for operators: connects, disconnects by state and reason, connect and {@code disconnect()}
 * times, heartbeat round trips. Kept in memory (cheap counters, readable at any time) and forwarded to the
 * {@link MetricsSink}s added, such as the OpenTelemetry bridge. Gauges (connected clients, queue depths) are read
 * from the runtime when asked.
 *
 * <p>A sink that throws (a {@code RuntimeException}, or a {@code LinkageError} from a metrics library that does not
 * match) is removed and logged once ({@code ALOAUD-1905}): a measurement never breaks the path that took it.
 *
 * <p>Thread-safe; recording never blocks.
 */
public final class RuntimeMetrics {

    private static final System.Logger LOG = System.getLogger("ai.alo.audio");

    private final LongAdder connectsStarted = new LongAdder();
    private final LongAdder connects = new LongAdder();
    private final Map<String, LongAdder> disconnects = new ConcurrentHashMap<>();
    private final Histogram connectTime = new Histogram();
    private final Histogram disconnectCall = new Histogram();
    private final Histogram heartbeatRoundTrip = new Histogram();
    private final List<MetricsSink> sinks = new CopyOnWriteArrayList<>();

    /**
     * Adds a sink that receives every recording from now on.
     *
     * @param sink the sink
     */
    public void addSink(MetricsSink sink) {
        sinks.add(sink);
    }

    /**
     * Removes a sink.
     *
     * @param sink the sink
     */
    public void removeSink(MetricsSink sink) {
        sinks.remove(sink);
    }

    /**
     * Whether a sink receives the recordings.
     *
     * @param sink the sink
     * @return {@code true} if it was added and not removed
     */
    public boolean hasSink(MetricsSink sink) {
        return sinks.contains(sink);
    }

    private void forEachSink(Consumer<MetricsSink> call) {
        for (MetricsSink sink : sinks) {
            try {
                call.accept(sink);
            } catch (RuntimeException | LinkageError e) {
                if (sinks.remove(sink)) {
                    LOG.log(Level.WARNING, "ALOAUD-1905 a metrics sink failed and no longer receives measurements: "
                            + sink, e);
                }
            }
        }
    }

    /** A connect attempt started. */
    public void connectStarted() {
        connectsStarted.increment();
        forEachSink(MetricsSink::connectStarted);
    }

    /**
     * A connect attempt reached {@code CONNECTED}.
     *
     * @param nanos how long it took from {@code connect()}
     */
    public void connected(long nanos) {
        connects.increment();
        connectTime.record(nanos);
        forEachSink(sink -> sink.connected(nanos));
    }

    /**
     * A connection attempt ended (one per {@code DisconnectEvent}).
     *
     * @param state  {@code DISCONNECTED} or {@code ERROR}
     * @param reason the reason
     */
    public void disconnected(ConnectionState state, DisconnectReason reason) {
        disconnects.computeIfAbsent(state + "/" + reason, key -> new LongAdder()).increment();
        forEachSink(sink -> sink.disconnected(state, reason));
    }

    /**
     * A {@code disconnect()} or {@code close()} call released its connection.
     *
     * @param nanos how long the call took
     */
    public void disconnectCall(long nanos) {
        disconnectCall.record(nanos);
        forEachSink(sink -> sink.disconnectCall(nanos));
    }

    /**
     * A heartbeat ping was answered.
     *
     * @param nanos the round trip
     */
    public void heartbeatRoundTrip(long nanos) {
        heartbeatRoundTrip.record(nanos);
        forEachSink(sink -> sink.heartbeatRoundTrip(nanos));
    }

    /**
     * Connect attempts started.
     *
     * @return the count
     */
    public long connectsStarted() {
        return connectsStarted.sum();
    }

    /**
     * Connect attempts that reached {@code CONNECTED}.
     *
     * @return the count
     */
    public long connects() {
        return connects.sum();
    }

    /**
     * Ended attempts by {@code "<state>/<reason>"}.
     *
     * @return a sorted snapshot
     */
    public Map<String, Long> disconnects() {
        Map<String, Long> snapshot = new TreeMap<>();
        disconnects.forEach((key, count) -> snapshot.put(key, count.sum()));
        return snapshot;
    }

    /**
     * Connect times.
     *
     * @return the histogram
     */
    public Histogram connectTime() {
        return connectTime;
    }

    /**
     * {@code disconnect()} call times.
     *
     * @return the histogram
     */
    public Histogram disconnectCall() {
        return disconnectCall;
    }

    /**
     * Heartbeat round-trip times.
     *
     * @return the histogram
     */
    public Histogram heartbeatRoundTrip() {
        return heartbeatRoundTrip;
    }
}
