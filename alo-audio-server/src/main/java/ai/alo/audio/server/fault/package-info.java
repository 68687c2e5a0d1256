/**
 * Internal: the one TCP fault-injection engine of the project, {@link ai.alo.audio.server.fault.TcpFaultRelay}.
 *
 * <p><strong>Not an API.</strong> This package may change in any release without notice. It is public only so that
 * the two faces built on it can reach it from their own packages:
 * <ul>
 *   <li>the reference service's fault-injection relay (package-private {@code ai.alo.audio.server.FaultRelay}),
 *       behind {@code AloAudioServer.dropConnection/freeze/...}: per-connection faults, with the WebSocket upgrade
 *       request tagged so that the service can map a session to its connection;</li>
 *   <li>the test kit's public {@code ai.alo.audio.testkit.FaultProxy}: faults on every connection (cut, black hole,
 *       latency, throttle, refuse new connections), loopback only.</li>
 * </ul>
 * Applications use one of those two, never this package.
 *
 * <p>Logging: the engine logs nothing at INFO or above itself; it reports failures to its
 * {@link ai.alo.audio.server.fault.TcpFaultRelay.Listener}, and each face logs them with its own message ids (a
 * DEBUG line without id for connection-level details, logger {@code ai.alo.audio.server.fault}).
 */
package ai.alo.audio.server.fault;
