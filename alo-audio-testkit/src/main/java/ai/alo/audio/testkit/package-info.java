/**
 * A fault-injecting test kit for applications that use ALO Audio: test your own disconnect handling against the real
 * reference audio service and a network that fails on demand.
 *
 * <h2>Types</h2>
 * <ul>
 *   <li>{@link ai.alo.audio.testkit.FaultProxy}: a TCP proxy on the loopback interface that cuts connections with a
 *       reset, black-holes traffic with the sockets kept open, adds latency, throttles bandwidth and refuses new
 *       connections. One selector thread, bounded buffers, usable on its own. The public face of the project's one
 *       TCP fault engine (internal to {@code alo-audio-server}, which runs the same engine as its own fault-injection
 *       relay).</li>
 *   <li>{@link ai.alo.audio.testkit.AloAudioTestKit}: the JUnit 5 extension that starts an
 *       {@link ai.alo.audio.server.AloAudioServer} with a proxy in front for a test class or test, and injects
 *       {@code AloAudioServer}, {@code FaultProxy}, {@link ai.alo.audio.testkit.ServiceUri}, {@code URI} and
 *       {@link ai.alo.audio.testkit.TestUsers}; configured with its builder or
 *       {@link ai.alo.audio.testkit.TestKitSettings}.</li>
 *   <li>{@link ai.alo.audio.testkit.TestUsers} and {@link ai.alo.audio.testkit.TestUser}: users, tokens and client
 *       configurations for the kit's service.</li>
 * </ul>
 *
 * <h2>Threads</h2>
 * <p>The kit starts the service's fixed thread set and one proxy thread per proxy, and ends them when the test class
 * (or test) ends. Every public type is thread-safe unless it says otherwise (the builders are not).
 *
 * <h2>Logging</h2>
 * <p>{@link java.lang.System.Logger} {@code ai.alo.audio.testkit}; INFO and above carry ids {@code ALOAUD-2200} to
 * {@code ALOAUD-2299}: 2200 proxy started, 2201 connections cut, 2202 black hole on/off, 2203 latency, 2204 throttle,
 * 2205 refusing new connections on/off, 2206 the proxy's thread failed, 2207 a connection could not be accepted.
 *
 * <p>Loopback only: the proxy refuses bind addresses and targets off the loopback interface.
 *
 * @since 0.1
 */
package ai.alo.audio.testkit;
