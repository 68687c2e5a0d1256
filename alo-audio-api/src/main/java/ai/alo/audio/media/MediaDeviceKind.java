package ai.alo.audio.media;

/**
 * What a media device does, named as the ALO JavaScript SDK and the browser's {@code MediaDeviceInfo.kind} name it.
 *
 * @since 0.2
 */
public enum MediaDeviceKind {

    /** A source the client speaks from ({@code "audioinput"}). */
    AUDIO_INPUT("audioinput"),

    /** A sink the client plays received audio into ({@code "audiooutput"}). */
    AUDIO_OUTPUT("audiooutput");

    private final String wireName;

    MediaDeviceKind(String wireName) {
        this.wireName = wireName;
    }

    /**
     * The JavaScript SDK's name of this kind: {@code "audioinput"} or {@code "audiooutput"}.
     *
     * @return the name
     */
    public String wireName() {
        return wireName;
    }
}
