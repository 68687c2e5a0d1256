package ai.alo.audio.protocol;

/**
 * A user as sent in {@code hello}.
 *
 * @param id       the ALO Cloud user id
 * @param name     the display name
 * @param deviceId the client device id
 */
public record UserInfo(String id, String name, String deviceId) {

    /** Checks the components; missing optional text becomes empty. */
    public UserInfo {
        Checks.nonBlank(id, "user.id");
        name = Checks.orEmpty(name);
        deviceId = Checks.orEmpty(deviceId);
    }
}
