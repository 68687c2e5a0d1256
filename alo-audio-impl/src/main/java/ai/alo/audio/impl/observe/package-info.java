/**
 * Internal. Not part of the public API; may change without notice.
 *
 * <p>What a runtime measures for operators. {@link ai.alo.audio.impl.observe.RuntimeMetrics} keeps the counts and
 * latency {@link ai.alo.audio.impl.observe.Histogram}s of one runtime in memory and forwards every measurement to its
 * {@link ai.alo.audio.impl.observe.MetricsSink}s. {@link ai.alo.audio.impl.observe.OpenTelemetryMetrics} publishes
 * them as OpenTelemetry metrics when the (optional) OpenTelemetry API is on the class path; only the package-private
 * {@code OtelBridge} links against that API. {@link ai.alo.audio.impl.observe.ConnectJfrEvent}, {@link
 * ai.alo.audio.impl.observe.DisconnectJfrEvent} and {@link ai.alo.audio.impl.observe.LossJfrEvent} are JDK Flight
 * Recorder events, recorded whenever a recording runs. See {@code docs/observability.md}.
 */
package ai.alo.audio.impl.observe;
