/**
 * Test support for the ALO audio modules; used with test scope only, never shipped, not in the BOM.
 *
 * <ul>
 *   <li>{@link ai.alo.audio.testing.Chromium} launches Debian's headless Chromium with the flags that
 *       {@code webrtc-notes.md} measured for WebRTC audio, opens pages on loopback addresses
 *       ({@link ai.alo.audio.testing.ChromiumPage}) and evaluates JavaScript in them over the Chrome DevTools
 *       Protocol, on the JDK's own {@code java.net.http} WebSocket (no Selenium, no driver binary).</li>
 *   <li>{@link ai.alo.audio.testing.ToneGenerator} makes sine frames and {@link ai.alo.audio.testing.ToneDetector}
 *       measures level and dominant frequency of 48 kHz mono 16-bit PCM, the format of every 10 ms frame in the
 *       project (960 bytes).</li>
 *   <li>{@link ai.alo.audio.testing.NetworkNamespace} tells whether the JVM runs inside the project's media network
 *       namespace ({@code bin/netns-exec}) and which address media uses there.</li>
 * </ul>
 *
 * <h2>Network rule</h2>
 * <p>Pages may be opened only on loopback addresses (and {@code data:} / {@code about:blank}); Chromium is started
 * with host name resolution switched off (every name but {@code localhost} fails), no proxy, and Google's background
 * services disabled. WebRTC media between a page and a Java peer therefore works only inside the media network
 * namespace, where the only non-loopback addresses are the namespace's own veth pair.
 */
package ai.alo.audio.testing;
