/**
 * Internal. Not part of the public API; may change without notice.
 *
 * <p>The default {@link ai.alo.audio.AloAudio} implementation. {@link ai.alo.audio.impl.DefaultAloAudio} is a thin
 * facade over the client's one state machine, {@link ai.alo.audio.impl.ClientStateMachine}, whose allowed transitions
 * are listed in {@link ai.alo.audio.impl.StateTable}. Each connection attempt is a {@link
 * ai.alo.audio.impl.Connection} that holds handles (a socket, timer tasks, pending requests) on the client's runtime
 * and returns them on one release path. What each message from the service does is in one handler per message type,
 * listed in {@link ai.alo.audio.impl.MessageHandlers}. The shared runtime is in {@code ai.alo.audio.impl.runtime}, the
 * WebSocket transport in {@code ai.alo.audio.impl.ws}, metrics and Flight Recorder events in {@code
 * ai.alo.audio.impl.observe}. See {@code docs/architecture.md}.
 */
package ai.alo.audio.impl;
