package ai.alo.audio.media;

import java.util.Objects;

/**
 * One audio device of a runtime, as {@link ai.alo.audio.AloAudio#getMediaList()} lists it: the JavaScript SDK's
 * {@code { id, label, type }}.
 *
 * <p>Built-in ids: {@value AudioDevices#SILENCE} (an input that sends silence, the default), {@value
 * AudioDevices#DISCARD} (an output that drops what it receives, the default), and {@code javasound-in:<mixer>} /
 * {@code javasound-out:<mixer>} for the Java Sound lines the JVM has. Other ids are the application's own.
 *
 * @param id    the device id, unique among the runtime's devices of its kind; 1 to 128 characters
 * @param label a readable name
 * @param kind  input or output
 * @since 0.2
 */
public record MediaDevice(String id, String label, MediaDeviceKind kind) {

    /**
     * Validates the components.
     *
     * @throws NullPointerException     if a component is null
     * @throws IllegalArgumentException if the id is blank or longer than 128 characters
     */
    public MediaDevice {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(label, "label");
        Objects.requireNonNull(kind, "kind");
        if (id.isBlank() || id.length() > 128) {
            throw new IllegalArgumentException("a device id must be 1 to 128 characters and not blank");
        }
    }

    /**
     * The JavaScript SDK's {@code type}: {@code "audioinput"} or {@code "audiooutput"}.
     *
     * @return the type
     */
    public String type() {
        return kind.wireName();
    }
}
