/**
 * The ALO audio client API.
 *
 * <p>An {@link ai.alo.audio.AloAudio} is one client of the ALO audio service: it {@linkplain
 * ai.alo.audio.AloAudio#connect(AudioChannel) connects} to an {@link ai.alo.audio.AudioChannel} as an {@link
 * ai.alo.audio.AudioUser}, reports every change of its {@link ai.alo.audio.ConnectionState} as an event, and ends
 * every connection with exactly one {@link ai.alo.audio.event.DisconnectEvent}. The names follow the ALO JavaScript
 * SDK ({@code AloAudio}, {@code AudioUser}, {@code AudioChannel}, {@code Participant}, {@code onDisconnect}), so that
 * a reader of the ALO documentation finds the same words.
 *
 * <h2>Obtaining a client</h2>
 * <p>In a CDI application, {@code @Inject AloAudio audio;} (module {@code alo-audio-cdi}). Elsewhere, {@link
 * ai.alo.audio.AloAudio#create(AloAudioConfig)} finds the implementation through {@link
 * ai.alo.audio.spi.AloAudioProvider}.
 *
 * <h2>Errors</h2>
 * <p>Every exception this API throws is an {@link ai.alo.audio.AloAudioException} (or a standard
 * {@link java.lang.NullPointerException} / {@link java.lang.IllegalArgumentException} for a bad argument). Failures
 * that happen on another thread reach the application as events, never as exceptions thrown on a foreign thread.
 *
 * @since 0.1
 */
package ai.alo.audio;
