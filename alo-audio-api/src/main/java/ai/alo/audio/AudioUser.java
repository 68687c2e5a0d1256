package ai.alo.audio;

import java.util.Objects;

/**
 * The user on whose behalf an {@link AloAudio} client takes part in audio channels; the Java form of the ALO SDK's
 * {@code AudioUser}.
 *
 * <p>An immutable value. The {@linkplain #id() user id} must be the ALO Cloud user id that the user auth token was
 * issued for: the audio service refuses a session whose user id does not match the token.
 *
 * <h2>Always valid</h2>
 * <p>Every {@code AudioUser} has a non-blank id: the constructor rejects a blank one with an {@link
 * IllegalArgumentException}, as it would any other programming error. Code that takes the id from outside the
 * program (configuration keys, a form, a request) should not construct an {@code AudioUser} itself but pass the
 * components to {@link AloAudioConfig.Builder#user(String, String, String)}: {@link AloAudioConfig.Builder#build()}
 * then reports a blank id as an {@link AloAudioConfigException} whose {@link AloAudioConfigException#property()
 * property()} is {@code "user.id"}, together with the other problems of the configuration. The CDI module does so.
 *
 * @param id       the ALO Cloud user id; not blank
 * @param name     the display name shown to the other participants; not null, may be empty
 * @param deviceId an identifier of this client device or installation (not an audio device); not null, may be empty.
 *                 The audio service allows one session per user and device id: a second session with the same
 *                 pair replaces the first.
 * @since 0.1
 */
public record AudioUser(String id, String name, String deviceId) {

    /**
     * Validates the components.
     *
     * @throws NullPointerException     if a component is null
     * @throws IllegalArgumentException if {@code id} is blank
     */
    public AudioUser {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(deviceId, "deviceId");
        if (id.isBlank()) {
            throw new IllegalArgumentException("AudioUser id must not be blank");
        }
    }

    /**
     * A user with a display name and no device id.
     *
     * @param id   the ALO Cloud user id
     * @param name the display name
     * @return the user
     */
    public static AudioUser of(String id, String name) {
        return new AudioUser(id, name, "");
    }
}
