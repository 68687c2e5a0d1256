package ai.alo.audio;

import java.util.Objects;

/**
 * An audio channel of the ALO audio service; the Java form of the ALO SDK's {@code AudioChannel}.
 *
 * <p>An immutable value. Two channels with the same {@link #id()} are the same channel on the service; the
 * {@linkplain #name() name} is for display.
 *
 * @param id         the channel id; not blank, at most 128 characters
 * @param name       the display name; not null, may be empty
 * @param fullDuplex {@code true} to talk in full-duplex mode, {@code false} (the default in the ALO SDK) for
 *                   push-to-talk mode
 * @since 0.1
 */
public record AudioChannel(String id, String name, boolean fullDuplex) {

    /** The longest channel id the audio service accepts. */
    public static final int MAX_ID_LENGTH = 128;

    /**
     * Validates the components.
     *
     * @throws NullPointerException     if {@code id} or {@code name} is null
     * @throws IllegalArgumentException if {@code id} is blank or longer than {@value #MAX_ID_LENGTH} characters
     */
    public AudioChannel {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        if (id.isBlank()) {
            throw new IllegalArgumentException("AudioChannel id must not be blank");
        }
        if (id.length() > MAX_ID_LENGTH) {
            throw new IllegalArgumentException(
                    "AudioChannel id must be at most " + MAX_ID_LENGTH + " characters, was " + id.length());
        }
    }

    /**
     * A push-to-talk channel.
     *
     * @param id   the channel id
     * @param name the display name
     * @return the channel
     */
    public static AudioChannel pushToTalk(String id, String name) {
        return new AudioChannel(id, name, false);
    }

    /**
     * A full-duplex channel.
     *
     * @param id   the channel id
     * @param name the display name
     * @return the channel
     */
    public static AudioChannel fullDuplex(String id, String name) {
        return new AudioChannel(id, name, true);
    }
}
