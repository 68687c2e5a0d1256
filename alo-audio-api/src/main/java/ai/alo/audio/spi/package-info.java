/**
 * Service provider interface of the ALO audio client.
 *
 * <p>An implementation extends {@link ai.alo.audio.spi.AloAudioProvider} and registers it in {@code
 * META-INF/services/ai.alo.audio.spi.AloAudioProvider} (and with {@code provides} in a {@code module-info}). Among the
 * {@linkplain ai.alo.audio.spi.AloAudioProvider#isAvailable() available} providers, the one with the highest
 * {@linkplain ai.alo.audio.spi.AloAudioProvider#priority() priority} wins. The default implementation,
 * {@code ai.alo:alo-audio-impl}, speaks the signalling protocol in {@code docs/protocol.md} over a Tyrus WebSocket;
 * a provider for another transport or another service protocol replaces it without changing applications.
 *
 * @since 0.1
 */
package ai.alo.audio.spi;
