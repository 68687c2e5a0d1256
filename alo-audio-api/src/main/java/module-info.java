/**
 * The public API of the ALO audio client: {@link ai.alo.audio.AloAudio}, its configuration, its events and the
 * provider SPI. Depends on the JDK only.
 *
 * @since 0.1
 */
module ai.alo.audio {
    exports ai.alo.audio;
    exports ai.alo.audio.event;
    exports ai.alo.audio.media;
    exports ai.alo.audio.spi;

    uses ai.alo.audio.spi.AloAudioProvider;
}
