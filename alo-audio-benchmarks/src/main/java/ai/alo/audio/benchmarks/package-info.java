/**
 * The benchmarks of the ALO audio client, run by {@code bin/benchmark} (results in {@code docs/benchmarks.md}).
 *
 * <ul>
 *   <li>{@link ai.alo.audio.benchmarks.ScaleBenchmark}: clients per JVM (threads, heap per client, connect ramp,
 *       heartbeat CPU, every {@code DisconnectEvent} exactly once after a SIGKILL of the server);</li>
 *   <li>{@link ai.alo.audio.benchmarks.SoakBenchmark}: connect/disconnect cycles, resources after every block;</li>
 *   <li>{@link ai.alo.audio.benchmarks.DisconnectBenchmark}: {@code disconnect()} and a server reset to the
 *       {@code ERROR} event, beside a bare Tyrus twin ({@link ai.alo.audio.benchmarks.BareTyrusTwin}), and the
 *       machine's primitives;</li>
 *   <li>{@link ai.alo.audio.benchmarks.MediaBenchmark} (its own {@code main}, inside {@code bin/netns-exec}): the
 *       client's WebRTC media beside bare webrtc-java peer connections: join to the first audible frame,
 *       {@code disconnect()} with media running, mouth-to-ear through the relay, resident memory per session.</li>
 * </ul>
 *
 * <p>{@link ai.alo.audio.benchmarks.Benchmarks} is the command line. The reference server always runs in a separate
 * JVM ({@link ai.alo.audio.benchmarks.BenchmarkServer}, driven over its standard input by
 * {@link ai.alo.audio.benchmarks.ServerProcess}), on 127.0.0.1.
 */
package ai.alo.audio.benchmarks;
