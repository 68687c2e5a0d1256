/**
 * Internal. Not part of the public API; may change without notice (no compatibility between releases, although the
 * types are public so that the client implementation and the reference server can use them).
 *
 * <p>The only code of the project that touches webrtc-java (0.14.0, native library for Linux x86-64):
 * <ul>
 *   <li>{@link ai.alo.audio.impl.rtc.NativeMedia}: loads the native library once per class loader after checking the
 *       platform and {@code libpulse.so.0}; says what is missing and how to install it; removes the 23 MB temporary
 *       copy that a failed load leaves behind;</li>
 *   <li>{@link ai.alo.audio.impl.rtc.RtcEngine}: one headless audio device module and one
 *       {@code PeerConnectionFactory}, created in the one order that works, shared by many peers;</li>
 *   <li>{@link ai.alo.audio.impl.rtc.RtcPeer}: one peer connection with one Opus audio stream each way, non-trickle
 *       offer/answer, 10 ms PCM frames in and out, the teardown order that works;</li>
 *   <li>{@link ai.alo.audio.impl.rtc.RtcPacer}: the one thread that feeds every send stream, every 10 ms.</li>
 * </ul>
 *
 * <h2>Threads</h2>
 * Ours: one callback thread per engine (futures, state changes) and one pacer thread per {@code RtcPacer}.
 * libwebrtc's: about 6 per engine (network, signalling, worker, audio playout, encoder, low priority) and about 2 per
 * connected peer. The native threads that call into Java (the playout thread that delivers frames, the signalling
 * thread that reports state) are attached as non-daemon Java threads and stay attached, so an engine must be closed
 * for the JVM to exit. No callback of this package lets an exception escape into native code (libwebrtc would abort
 * the JVM).
 *
 * <h2>Secrets</h2>
 * Session descriptions carry the ICE password and the DTLS fingerprint: nothing here logs them or puts them into an
 * exception message; libwebrtc's own texts pass through a redaction first.
 */
package ai.alo.audio.impl.rtc;
