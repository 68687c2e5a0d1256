package ai.alo.audio.media;

import java.util.Map;
import java.util.Objects;

/**
 * The devices of a runtime at one moment, in the shape of the JavaScript SDK's {@code getMediaList()} result: keyed
 * by kind ({@link #MEDIA_DEVICE_LIST_AUDIO_INPUT}, {@link #MEDIA_DEVICE_LIST_AUDIO_OUTPUT}), then by device id, in the
 * order the devices were added (built-in devices first). Immutable.
 *
 * @param audioInputs  the input devices by id
 * @param audioOutputs the output devices by id
 * @since 0.2
 */
public record MediaDeviceList(Map<String, MediaDevice> audioInputs, Map<String, MediaDevice> audioOutputs) {

    /** The key of the input devices, as in the JavaScript SDK's {@code AloAudio.MEDIA_DEVICE_LIST_AUDIO_INPUT}. */
    public static final String MEDIA_DEVICE_LIST_AUDIO_INPUT = "audioinput";

    /** The key of the output devices. */
    public static final String MEDIA_DEVICE_LIST_AUDIO_OUTPUT = "audiooutput";

    /**
     * Copies the maps, keeping their iteration order.
     *
     * @throws NullPointerException if a map is null
     */
    public MediaDeviceList {
        audioInputs = Collections.ordered(Objects.requireNonNull(audioInputs, "audioInputs"));
        audioOutputs = Collections.ordered(Objects.requireNonNull(audioOutputs, "audioOutputs"));
    }

    /**
     * The devices of one kind, as the JavaScript SDK reads {@code devices[AloAudio.MEDIA_DEVICE_LIST_AUDIO_INPUT]}.
     *
     * @param key {@link #MEDIA_DEVICE_LIST_AUDIO_INPUT} or {@link #MEDIA_DEVICE_LIST_AUDIO_OUTPUT}
     * @return the devices by id
     * @throws IllegalArgumentException for another key
     */
    public Map<String, MediaDevice> devices(String key) {
        if (MEDIA_DEVICE_LIST_AUDIO_INPUT.equals(key)) {
            return audioInputs;
        }
        if (MEDIA_DEVICE_LIST_AUDIO_OUTPUT.equals(key)) {
            return audioOutputs;
        }
        throw new IllegalArgumentException("unknown device list key '" + key + "'; use "
                + MEDIA_DEVICE_LIST_AUDIO_INPUT + " or " + MEDIA_DEVICE_LIST_AUDIO_OUTPUT);
    }

    /** Ordered immutable copies. */
    private static final class Collections {
        static Map<String, MediaDevice> ordered(Map<String, MediaDevice> map) {
            return java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(map));
        }
    }
}
