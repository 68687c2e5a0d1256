/**
 * Internal. Not part of the public API; may change without notice.
 *
 * <p>The media devices of a client runtime: the sources clients speak from and the sinks they play received audio
 * into, all carrying 48 kHz mono 16-bit PCM in frames of 10 ms. {@link ai.alo.audio.impl.media.DeviceRegistry} is the
 * runtime's {@link ai.alo.audio.media.AudioDevices}; each client has a {@link ai.alo.audio.impl.media.ClientAudio}
 * there (its input and output choices), and each media session an {@link ai.alo.audio.impl.media.AudioSession}, the
 * seam the media engine uses: its pacer thread calls {@code nextFrame(tick)} every 10 ms, its receiving thread calls
 * {@code accept(pcm)}, which never blocks.
 *
 * <p>Inputs ({@code InputDevice}): silence, a tone, a WAV file (converted once when added, by {@code WavDecoder} and
 * {@code Resampler}), a PCM push buffer, a Java Sound capture line. Outputs ({@code OutputDevice}): discard, a PCM
 * callback, a WAV recorder, a Java Sound playback line; each hands frames from the engine's thread to its consumer
 * through a bounded {@code FrameMailbox} that drops the oldest frames and counts them. See {@code docs/media.md},
 * section "Devices".
 */
package ai.alo.audio.impl.media;
