package ai.alo.audio.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.alo.audio.AloAudio;
import ai.alo.audio.AloAudioListener;
import ai.alo.audio.AloAudioRuntimeConfig;
import ai.alo.audio.ConnectionState;
import ai.alo.audio.DisconnectReason;
import ai.alo.audio.event.AloAudioEvent;
import ai.alo.audio.event.DisconnectEvent;
import ai.alo.audio.impl.observe.Histogram;
import ai.alo.audio.impl.observe.MetricsSink;
import ai.alo.audio.impl.observe.OpenTelemetryMetrics;
import ai.alo.audio.impl.runtime.ClientRuntime;
import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.HistogramPointData;
import io.opentelemetry.sdk.metrics.data.LongPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.data.MetricDataType;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The OpenTelemetry bridge against the real reference server and the real OpenTelemetry SDK, read back through an
 * in-memory metric reader: what an operator's exporter would receive.
 */
class ObservabilityOpenTelemetryTest extends ServerBackedTest {

    private static final AttributeKey<String> RUNTIME = AttributeKey.stringKey("runtime");
    private static final AttributeKey<String> STATE = AttributeKey.stringKey("state");
    private static final AttributeKey<String> REASON = AttributeKey.stringKey("reason");
    private static final AtomicInteger RUNTIMES = new AtomicInteger();

    private InMemoryMetricReader reader;
    private SdkMeterProvider meterProvider;
    private final List<ClientRuntime> ownRuntimes = new ArrayList<>();

    @BeforeEach
    void startSdk() {
        reader = InMemoryMetricReader.create();
        meterProvider = SdkMeterProvider.builder().registerMetricReader(reader).build();
    }

    @AfterEach
    void stopSdk() {
        for (ClientRuntime runtime : ownRuntimes) {
            runtime.close();
        }
        meterProvider.close();
        GlobalOpenTelemetry.resetForTest();
    }

    @Test
    void connectsDisconnectAndLoss_areExportedWithStateReasonAndDurations() throws Exception {
        ClientRuntime runtime = fixture.runtime;
        String name = runtime.config().name();
        OpenTelemetrySdk sdk = OpenTelemetrySdk.builder().setMeterProvider(meterProvider).build();
        OpenTelemetryMetrics.Handle handle = OpenTelemetryMetrics.attach(runtime, sdk);
        assertTrue(handle.isAttached());
        // added after the bridge, so it hears of a measurement once the bridge has recorded it
        RecordingSink sink = new RecordingSink();
        runtime.metrics().addSink(sink);

        String stays = ServerFixture.newUserId();
        String leaves = ServerFixture.newUserId();
        String lost = ServerFixture.newUserId();
        AloAudio staying = fixture.client(fixture.config(stays).name(stays)
                .heartbeatInterval(Duration.ofMillis(100)).build(), null);
        AloAudio leaving = fixture.client(leaves, null);
        RecordingListener lostEvents = new RecordingListener();
        AloAudio losing = fixture.client(lost, lostEvents);
        for (AloAudio client : List.of(staying, leaving, losing)) {
            client.connect(ServerFixture.CHANNEL).get(10, TimeUnit.SECONDS);
        }
        assertEquals(3, gauge(collect(), "alo.audio.client.connected", name), "connected clients");
        sink.await("heartbeat");

        leaving.disconnect();
        assertTrue(fixture.server.dropConnection(lost));
        DisconnectEvent loss = lostEvents.nextDisconnect();
        assertEquals(ConnectionState.ERROR, loss.state());
        sink.await("disconnected ERROR " + loss.reason());

        Collection<MetricData> metrics = collect();
        assertEquals(3, counter(metrics, "alo.audio.connect.attempts", Attributes.of(RUNTIME, name)));
        assertEquals(3, counter(metrics, "alo.audio.connects", Attributes.of(RUNTIME, name)));
        MetricData disconnects = metric(metrics, "alo.audio.disconnects");
        assertEquals("{disconnect}", disconnects.getUnit());
        assertTrue(disconnects.getLongSumData().isMonotonic());
        assertEquals(Map.of(
                        Attributes.of(RUNTIME, name, STATE, "DISCONNECTED", REASON, "CLIENT_INITIATED"), 1L,
                        Attributes.of(RUNTIME, name, STATE, "ERROR", REASON, loss.reason().name()), 1L),
                pointsByAttributes(disconnects));
        assertEquals(DisconnectReason.CONNECTION_LOST, loss.reason());

        HistogramPointData connectTime = histogram(metrics, "alo.audio.connect.duration", name);
        assertEquals(3, connectTime.getCount());
        assertTrue(connectTime.getSum() > 0, "connect time " + connectTime.getSum());
        assertEquals(boundaries(), connectTime.getBoundaries(), "bucket advice");
        HistogramPointData disconnectTime = histogram(metrics, "alo.audio.disconnect.duration", name);
        assertEquals(1, disconnectTime.getCount());
        assertTrue(disconnectTime.getSum() > 0, "disconnect() time " + disconnectTime.getSum());
        HistogramPointData rtt = histogram(metrics, "alo.audio.heartbeat.rtt", name);
        assertTrue(rtt.getCount() >= 1, "round trips " + rtt.getCount());
        assertTrue(rtt.getSum() > 0);
        for (String histogram : List.of("alo.audio.connect.duration", "alo.audio.disconnect.duration",
                "alo.audio.heartbeat.rtt")) {
            assertEquals("ms", metric(metrics, histogram).getUnit(), histogram);
        }

        MetricData connected = metric(metrics, "alo.audio.client.connected");
        assertEquals("{client}", connected.getUnit());
        assertFalse(connected.getLongSumData().isMonotonic());
        assertEquals(1, gauge(metrics, "alo.audio.client.connected", name), "only one client is still connected");
        assertEquals("{task}", metric(metrics, "alo.audio.event.backlog").getUnit());
        assertTrue(gauge(metrics, "alo.audio.event.backlog", name) >= 0);
        handle.close();
    }

    @Test
    void eventBacklog_countsDeliveriesWaitingForTheOnlyEventThread() throws Exception {
        ClientRuntime runtime = ownRuntime(1);
        OpenTelemetryMetrics.attach(runtime, meterProvider);
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        String blocked = ServerFixture.newUserId();
        AloAudio blocking = runtime.newClient(fixture.config(blocked).name(blocked).build());
        blocking.addListener(new AloAudioListener() {
            @Override
            public void onEvent(AloAudioEvent event) {
                entered.countDown();
                try {
                    release.await(RecordingListener.WAIT_SECONDS, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        try {
            blocking.connect(ServerFixture.CHANNEL);
            assertTrue(entered.await(RecordingListener.WAIT_SECONDS, TimeUnit.SECONDS), "listener never called");
            String other = ServerFixture.newUserId();
            // its CONNECTING event is queued on the spot, and must wait: the one event thread is held
            runtime.newClient(fixture.config(other).name(other).build()).connect(ServerFixture.CHANNEL);

            long backlog = gauge(collect(), "alo.audio.event.backlog", runtime.config().name());
            assertTrue(backlog >= 1, "backlog " + backlog);
        } finally {
            release.countDown();
        }
    }

    @Test
    void runtimeEnd_unregistersObservableInstrumentsAndSink() throws Exception {
        ClientRuntime runtime = ownRuntime(2);
        String name = runtime.config().name();
        OpenTelemetryMetrics.Handle handle = OpenTelemetryMetrics.attach(runtime, meterProvider);
        String user = ServerFixture.newUserId();
        runtime.newClient(fixture.config(user).name(user).build()).connect(ServerFixture.CHANNEL)
                .get(10, TimeUnit.SECONDS);
        assertEquals(1, gauge(collect(), "alo.audio.client.connected", name));
        assertTrue(runtime.metrics().hasSink((MetricsSink) handle));

        runtime.close();

        // the first collection after the end finds the runtime closed and unregisters
        assertEquals(Optional.empty(), gaugePoint(collect(), "alo.audio.client.connected", name));
        assertFalse(handle.isAttached());
        assertFalse(runtime.metrics().hasSink((MetricsSink) handle));
        Collection<MetricData> later = collect();
        assertEquals(Optional.empty(), gaugePoint(later, "alo.audio.client.connected", name));
        assertEquals(Optional.empty(), gaugePoint(later, "alo.audio.event.backlog", name));
        // the counters keep what was recorded while attached
        assertEquals(1, counter(later, "alo.audio.connects", Attributes.of(RUNTIME, name)));
        assertEquals(1, counter(later, "alo.audio.disconnects",
                Attributes.of(RUNTIME, name, STATE, "DISCONNECTED", REASON, "CLIENT_SHUTDOWN")));
    }

    @Test
    void handleClose_stopsForwarding_whileTheRuntimeKeepsCounting() throws Exception {
        ClientRuntime runtime = ownRuntime(2);
        String name = runtime.config().name();
        OpenTelemetryMetrics.Handle handle = OpenTelemetryMetrics.attach(runtime, meterProvider);
        String first = ServerFixture.newUserId();
        runtime.newClient(fixture.config(first).name(first).build()).connect(ServerFixture.CHANNEL)
                .get(10, TimeUnit.SECONDS);

        handle.close();
        handle.close();
        String second = ServerFixture.newUserId();
        runtime.newClient(fixture.config(second).name(second).build()).connect(ServerFixture.CHANNEL)
                .get(10, TimeUnit.SECONDS);

        Collection<MetricData> metrics = collect();
        assertEquals(1, counter(metrics, "alo.audio.connects", Attributes.of(RUNTIME, name)));
        assertEquals(Optional.empty(), gaugePoint(metrics, "alo.audio.client.connected", name));
        assertEquals(2, runtime.metrics().connects(), "the in-memory metrics go on");
    }

    @Test
    void attach_rejectsWhatItCannotUse_andClosedRuntimesGetNoHandle() {
        ClientRuntime runtime = ownRuntime(2);
        IllegalArgumentException wrongType = assertThrows(IllegalArgumentException.class,
                () -> OpenTelemetryMetrics.attach(runtime, "not an OpenTelemetry"));
        assertTrue(wrongType.getMessage().contains("io.opentelemetry.api.OpenTelemetry"), wrongType.getMessage());
        runtime.close();
        assertSame(OpenTelemetryMetrics.Handle.NONE, OpenTelemetryMetrics.attach(runtime, meterProvider));
        assertTrue(OpenTelemetryMetrics.isApiPresent());
    }

    @Test
    void attachGlobalIfPresent_neverInstallsAGlobal_andUsesOneThatIsSet() throws Exception {
        GlobalOpenTelemetry.resetForTest();
        ClientRuntime runtime = ownRuntime(2);
        assertSame(OpenTelemetryMetrics.Handle.NONE, OpenTelemetryMetrics.attachGlobalIfPresent(runtime));
        assertFalse(GlobalOpenTelemetry.isSet(), "a no-op global was installed");

        GlobalOpenTelemetry.set(OpenTelemetrySdk.builder().setMeterProvider(meterProvider).build());
        OpenTelemetryMetrics.Handle handle = OpenTelemetryMetrics.attachGlobalIfPresent(runtime);
        assertTrue(handle.isAttached());
        String user = ServerFixture.newUserId();
        runtime.newClient(fixture.config(user).name(user).build()).connect(ServerFixture.CHANNEL)
                .get(10, TimeUnit.SECONDS);
        assertEquals(1, counter(collect(), "alo.audio.connects", Attributes.of(RUNTIME, runtime.config().name())));
    }

    // ------------------------------------------------------------------------------------------------------------

    private ClientRuntime ownRuntime(int eventThreads) {
        ClientRuntime runtime = (ClientRuntime) new DefaultAloAudioProvider().createRuntime(AloAudioRuntimeConfig
                .builder().name("alo-otel-" + RUNTIMES.incrementAndGet()).eventThreads(eventThreads).build());
        ownRuntimes.add(runtime);
        return runtime;
    }

    private Collection<MetricData> collect() {
        return reader.collectAllMetrics();
    }

    private static MetricData metric(Collection<MetricData> metrics, String name) {
        for (MetricData data : metrics) {
            if (data.getName().equals(name)) {
                assertEquals("ai.alo.audio", data.getInstrumentationScopeInfo().getName());
                return data;
            }
        }
        throw new AssertionError("no metric " + name + " in " + names(metrics));
    }

    private static List<String> names(Collection<MetricData> metrics) {
        List<String> names = new ArrayList<>();
        for (MetricData data : metrics) {
            names.add(data.getName());
        }
        return names;
    }

    private static long counter(Collection<MetricData> metrics, String name, Attributes attributes) {
        MetricData data = metric(metrics, name);
        assertEquals(MetricDataType.LONG_SUM, data.getType());
        assertTrue(data.getLongSumData().isMonotonic(), name + " is a counter");
        Long value = pointsByAttributes(data).get(attributes);
        assertNotNull(value, () -> "no point " + attributes + " in " + name + ": " + pointsByAttributes(data));
        return value;
    }

    private static Map<Attributes, Long> pointsByAttributes(MetricData data) {
        Map<Attributes, Long> points = new java.util.HashMap<>();
        for (LongPointData point : data.getLongSumData().getPoints()) {
            points.put(point.getAttributes(), point.getValue());
        }
        return points;
    }

    private static long gauge(Collection<MetricData> metrics, String name, String runtime) {
        return gaugePoint(metrics, name, runtime)
                .orElseThrow(() -> new AssertionError("no point of " + name + " for runtime " + runtime));
    }

    private static Optional<Long> gaugePoint(Collection<MetricData> metrics, String name, String runtime) {
        for (MetricData data : metrics) {
            if (data.getName().equals(name)) {
                assertEquals(MetricDataType.LONG_SUM, data.getType());
                for (LongPointData point : data.getLongSumData().getPoints()) {
                    if (runtime.equals(point.getAttributes().get(RUNTIME))) {
                        return Optional.of(point.getValue());
                    }
                }
            }
        }
        return Optional.empty();
    }

    private static HistogramPointData histogram(Collection<MetricData> metrics, String name, String runtime) {
        MetricData data = metric(metrics, name);
        assertEquals(MetricDataType.HISTOGRAM, data.getType());
        for (HistogramPointData point : data.getHistogramData().getPoints()) {
            if (point.getAttributes().equals(Attributes.of(RUNTIME, runtime))) {
                return point;
            }
        }
        throw new AssertionError("no point of " + name + " for runtime " + runtime);
    }

    private static List<Double> boundaries() {
        List<Double> bounds = new ArrayList<>();
        for (double bound : Histogram.BOUNDS_MS) {
            bounds.add(bound);
        }
        return bounds;
    }

    /** Hears of every measurement; waits are bounded. */
    private static final class RecordingSink implements MetricsSink {

        private final BlockingQueue<String> seen = new LinkedBlockingQueue<>();
        private final List<String> all = new java.util.concurrent.CopyOnWriteArrayList<>();

        private void add(String entry) {
            all.add(entry);
            seen.add(entry);
        }

        @Override
        public void disconnected(ConnectionState state, DisconnectReason reason) {
            add("disconnected " + state + " " + reason);
        }

        @Override
        public void heartbeatRoundTrip(long nanos) {
            add("heartbeat");
        }

        void await(String entry) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(RecordingListener.WAIT_SECONDS);
            while (!all.contains(entry)) {
                long left = deadline - System.nanoTime();
                assertTrue(left > 0, () -> "never measured '" + entry + "'; measured " + all);
                seen.poll(left, TimeUnit.NANOSECONDS);
            }
        }
    }
}
