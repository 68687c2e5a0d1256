/**
 * Loopback latency benchmark of the ALO audio client's disconnect contract, run by {@code bin/benchmark}.
 *
 * <p>{@link ai.alo.audio.benchmarks.DisconnectBenchmark} measures {@code disconnect()}, the delivery of its
 * {@code DisconnectEvent}, and the time from a reset or killed server to the {@code ERROR} event, each beside a bare
 * Tyrus client that does the same against the same server in the same run. The reference server runs in a separate
 * JVM ({@link ai.alo.audio.benchmarks.BenchmarkServer}), driven over its standard input.
 */
package ai.alo.audio.benchmarks;
