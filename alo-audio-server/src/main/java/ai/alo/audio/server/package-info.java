/**
 * The reference ALO audio service: a real server for the signalling protocol in {@code docs/protocol.md}, used by the
 * client's tests, the demo, the benchmarks and users' own tests. Not deployed with applications.
 *
 * <p>Start with {@link ai.alo.audio.server.AloAudioServer#builder()}; mint tokens with
 * {@link ai.alo.audio.server.AloAudioServer#tokens()}; observe it with {@link ai.alo.audio.server.ServerListener};
 * break connections on purpose with {@link ai.alo.audio.server.AloAudioServer#dropConnection(String)} and
 * {@link ai.alo.audio.server.AloAudioServer#freeze(String)}. {@link ai.alo.audio.server.Main} runs it standalone.
 *
 * <h2>Log message ids (range 5000-5999)</h2>
 * <table>
 *   <caption>Message ids</caption>
 *   <tr><th>id</th><th>level</th><th>meaning</th></tr>
 *   <tr><td>5001-5009</td><td>INFO/WARNING</td><td>lifecycle: started, stopping, stopped, killed, stop timeout,
 *       threads that did not end</td></tr>
 *   <tr><td>5011-5014</td><td>INFO</td><td>sessions: token rejected, refused at hello, closed by the peer or the
 *       network, replaced by a newer session</td></tr>
 *   <tr><td>5030-5033</td><td>INFO</td><td>heartbeat timeout, hello timeout, protocol error, ended by
 *       {@code endSession}</td></tr>
 *   <tr><td>5040-5046</td><td>INFO/WARNING</td><td>fault-injection relay: listening, reset, frozen, unfrozen,
 *       failure, oversized request head, accept failure</td></tr>
 *   <tr><td>5050</td><td>WARNING</td><td>a {@link ai.alo.audio.server.ServerListener} threw</td></tr>
 *   <tr><td>5060-5062</td><td>INFO/WARNING</td><td>standalone: random secret, shutdown requested</td></tr>
 * </table>
 */
package ai.alo.audio.server;
