/**
 * Internal. Not part of the public API; may change without notice.
 *
 * <p>The messages of the ALO audio signalling protocol (versions {@value ai.alo.audio.protocol.ProtocolVersion#MIN} to {@value ai.alo.audio.protocol.ProtocolVersion#MAX},
 * specified in {@code docs/protocol.md}) as JSON-B records, their codec, and the WebSocket close codes. Shared by the
 * client implementation ({@code alo-audio-impl}) and the reference audio service ({@code alo-audio-server}).
 */
package ai.alo.audio.protocol;
