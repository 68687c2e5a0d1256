package ai.alo.audio.media;

import ai.alo.audio.AloAudioException;

/**
 * A media device cannot be used as asked: no device has the id, a file's audio format cannot be converted, an output
 * that serves one client at a time is in use, an id is taken. The message says which device and what to do;
 * {@link #deviceId()} names the device for code.
 *
 * @since 0.2
 */
public class AudioDeviceException extends AloAudioException {

    private static final long serialVersionUID = 1L;

    private final String deviceId;

    /**
     * Creates an exception about one device.
     *
     * @param deviceId the device's id
     * @param message  the readable message
     */
    public AudioDeviceException(String deviceId, String message) {
        this(deviceId, message, null);
    }

    /**
     * Creates an exception about one device, with a cause.
     *
     * @param deviceId the device's id
     * @param message  the readable message
     * @param cause    the underlying failure, or null
     */
    public AudioDeviceException(String deviceId, String message, Throwable cause) {
        super(message, cause);
        this.deviceId = deviceId;
    }

    /**
     * The id of the device this exception is about.
     *
     * @return the id
     */
    public String deviceId() {
        return deviceId;
    }
}
