/**
 * Internal. Not part of the public API; may change without notice.
 *
 * <p>The default {@link ai.alo.audio.AloAudio} implementation. {@link ai.alo.audio.impl.DefaultAloAudio} is the one
 * state machine per client; each connection attempt is a {@link ai.alo.audio.impl.ConnectionAttempt} that owns its
 * threads, timers and socket and releases them on one path; {@link ai.alo.audio.impl.EventDispatcher} delivers
 * events in order on one thread per client. The Tyrus transport is in {@code ai.alo.audio.impl.ws}.
 */
package ai.alo.audio.impl;
