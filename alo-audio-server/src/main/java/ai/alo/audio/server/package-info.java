/**
 * The reference ALO audio service: a real server for the signalling protocol in {@code docs/protocol.md} (version 2),
 * used by the client's tests, the demo, the benchmarks and users' own tests. Not deployed with applications. With
 * media on (the default) it terminates each participant's WebRTC session and relays the audio of each channel
 * ({@code docs/media.md}, "The relay").
 *
 * <p>Start with {@link ai.alo.audio.server.AloAudioServer#builder()}; mint tokens with
 * {@link ai.alo.audio.server.AloAudioServer#tokens()}; observe it with {@link ai.alo.audio.server.ServerListener};
 * break connections on purpose with {@link ai.alo.audio.server.AloAudioServer#dropConnection(String)} and
 * {@link ai.alo.audio.server.AloAudioServer#freeze(String)}. {@link ai.alo.audio.server.Main} runs it standalone. The
 * public types are {@code AloAudioServer}, its builder, {@code ServerListener}, {@code SessionInfo},
 * {@code ChannelMember}, {@code MediaStatus}, {@code TokenIssuer} and {@code Main}; none of them exposes a type of
 * {@code alo-audio-protocol}. Everything else is package-private ({@code SessionEndpoint} is public only for Tyrus).
 *
 * <h2>Log message ids (range 5000-5999)</h2>
 * <p>Each id is used at exactly one call site.
 * <table>
 *   <caption>Message ids</caption>
 *   <tr><th>id</th><th>level</th><th>meaning</th></tr>
 *   <tr><td>5001-5009</td><td>INFO/WARNING</td><td>lifecycle: started, stopping, stopped, killed, stop timeout,
 *       gave up waiting for a concurrent stop, Tyrus/Grizzly stop error, timer or other threads that did not
 *       end</td></tr>
 *   <tr><td>5011-5014</td><td>INFO</td><td>sessions: token rejected, refused at hello, closed by the peer or the
 *       network, replaced by a newer session</td></tr>
 *   <tr><td>5030-5037</td><td>INFO/WARNING</td><td>heartbeat timeout, hello timeout, protocol error, ended by
 *       {@code endSession}, oversized frame refused (1009), session ended because a send failed or its client stopped
 *       reading (WARNING), upgrade refused by a connection cap (429/503), no upgrade within the upgrade
 *       timeout</td></tr>
 *   <tr><td>5040-5046</td><td>INFO/WARNING</td><td>fault-injection relay: listening, reset, frozen, unfrozen,
 *       failure, oversized request head, accept failure</td></tr>
 *   <tr><td>5050</td><td>WARNING</td><td>a {@link ai.alo.audio.server.ServerListener} threw</td></tr>
 *   <tr><td>5100-5104</td><td>INFO/WARNING</td><td>media relay: signalling only because the native library cannot be
 *       loaded (WARNING), the WebRTC engine could not start (WARNING), relay started, relay stopped, a participant's
 *       audio connection failed</td></tr>
 *   <tr><td>5060-5062</td><td>INFO/WARNING</td><td>standalone: random secret, shutdown requested</td></tr>
 * </table>
 */
package ai.alo.audio.server;
