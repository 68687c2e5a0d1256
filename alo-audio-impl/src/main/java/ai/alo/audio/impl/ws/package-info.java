/**
 * Internal. Not part of the public API; may change without notice.
 *
 * <p>The WebSocket transport of a runtime. Tyrus keeps the WebSocket protocol (handshake, framing, sessions); its
 * container SPI is implemented here ({@link ai.alo.audio.impl.ws.AloClientContainer}) on the runtime's shared socket
 * I/O: {@link ai.alo.audio.impl.ws.IoLoop} selector threads serving many {@link ai.alo.audio.impl.ws.TcpConnection}s
 * (TLS included). {@link ai.alo.audio.impl.ws.WebSocketTransport} is the runtime's WebSocket client and {@link
 * ai.alo.audio.impl.ws.SignallingConnection} what one connection attempt holds. See {@code docs/architecture.md}.
 */
package ai.alo.audio.impl.ws;
