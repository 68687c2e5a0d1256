/**
 * Internal. Not part of the public API; may change without notice.
 *
 * <p>The shared client runtime ({@link ai.alo.audio.impl.runtime.ClientRuntime}, the implementation of {@link
 * ai.alo.audio.AloAudioRuntime}): its one thread factory ({@link ai.alo.audio.impl.runtime.RuntimeThreads}), its
 * timer, its event pool with one ordered {@link ai.alo.audio.impl.runtime.SerialQueue} per client, and the
 * uninterruptible bounded waits ({@link ai.alo.audio.impl.runtime.Deadline}). Nothing here grows with the number of
 * clients. See {@code docs/architecture.md}.
 */
package ai.alo.audio.impl.runtime;
