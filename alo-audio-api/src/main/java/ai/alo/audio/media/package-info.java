/**
 * Audio for server applications: the sources a client speaks from and the sinks it plays received audio into, which
 * the ALO JavaScript SDK calls media devices.
 *
 * <p>Every audio stream of this module is 16-bit signed little-endian PCM, mono, 48 kHz, in frames of 10 ms
 * ({@link ai.alo.audio.media.PcmFormat#STANDARD}); sources in other formats (a WAV file at 16 kHz, stereo) are converted
 * when they are added. The devices of a runtime ({@link ai.alo.audio.media.AudioDevices}) are shared by its clients:
 * built-in ones ({@code silence}, {@code discard}, the Java Sound lines the JVM has) and the ones the application adds
 * (a PCM push input, a WAV file, a tone, a PCM callback output, a WAV recorder). A client picks its input and output
 * by device id at connect ({@link ai.alo.audio.AloAudioConfig#audioInputDeviceId()}) and can switch its input while
 * connected ({@link ai.alo.audio.AloAudio#changeAudioInput(String)}).
 *
 * @since 0.2
 */
package ai.alo.audio.media;
