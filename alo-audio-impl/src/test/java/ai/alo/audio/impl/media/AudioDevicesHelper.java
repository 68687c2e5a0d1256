package ai.alo.audio.impl.media;

import ai.alo.audio.media.MediaDevice;
import ai.alo.audio.media.MediaDeviceKind;

/** Test inputs whose frames are recognisable by value. */
final class AudioDevicesHelper {

    private AudioDevicesHelper() {
    }

    /** Adds (by the registry's own path) an input that sends frames whose every sample is {@code value}. */
    static void addConstantTone(DeviceRegistry devices, String id, int value) {
        ConstantInput input = new ConstantInput(new MediaDevice(id, "Constant " + value, MediaDeviceKind.AUDIO_INPUT),
                value);
        devices.addInput(input);
    }

    /** Sends the same value in every sample. */
    static final class ConstantInput extends InputDevice {
        private final int value;

        ConstantInput(MediaDevice device, int value) {
            super(device);
            this.value = value;
        }

        @Override
        byte[] nextFrame() {
            return Signals.constantFrame(value);
        }
    }
}
