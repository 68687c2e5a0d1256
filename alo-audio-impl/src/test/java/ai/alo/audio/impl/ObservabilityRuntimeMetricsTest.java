package ai.alo.audio.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.alo.audio.ConnectionState;
import ai.alo.audio.DisconnectReason;
import ai.alo.audio.impl.observe.MetricsSink;
import ai.alo.audio.impl.observe.RuntimeMetrics;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** A failing metrics sink (a bug, or a metrics library that does not match) never breaks the path that measured. */
class ObservabilityRuntimeMetricsTest {

    @Test
    void throwingSink_isRemoved_andTheOthersAndTheCountsGoOn() {
        RuntimeMetrics metrics = new RuntimeMetrics();
        List<String> heard = new CopyOnWriteArrayList<>();
        MetricsSink broken = new MetricsSink() {
            @Override
            public void disconnected(ConnectionState state, DisconnectReason reason) {
                throw new NoSuchMethodError("an API older than the one compiled against");
            }
        };
        MetricsSink working = new MetricsSink() {
            @Override
            public void disconnected(ConnectionState state, DisconnectReason reason) {
                heard.add(state + "/" + reason);
            }
        };
        metrics.addSink(broken);
        metrics.addSink(working);

        metrics.disconnected(ConnectionState.ERROR, DisconnectReason.CONNECTION_LOST);
        metrics.disconnected(ConnectionState.DISCONNECTED, DisconnectReason.CLIENT_INITIATED);

        assertFalse(metrics.hasSink(broken));
        assertTrue(metrics.hasSink(working));
        assertEquals(List.of("ERROR/CONNECTION_LOST", "DISCONNECTED/CLIENT_INITIATED"), heard);
        assertEquals(Map.of("DISCONNECTED/CLIENT_INITIATED", 1L, "ERROR/CONNECTION_LOST", 1L), metrics.disconnects());
    }
}
