/**
 * Internal. Not part of the public API; may change without notice.
 *
 * <p>The signalling transport: {@link ai.alo.audio.impl.ws.SignallingConnection} is what the client's state machine
 * needs from a WebSocket; {@link ai.alo.audio.impl.ws.TyrusTransport} provides it with a Tyrus client, one {@code
 * ClientManager} and one Grizzly transport per connection, all of whose threads come from the connection owner's
 * thread factory so that the owner can prove they ended.
 */
package ai.alo.audio.impl.ws;
