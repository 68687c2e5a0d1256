package ai.alo.audio.impl.media;

import ai.alo.audio.media.AudioDevices;
import ai.alo.audio.media.MediaDevice;
import ai.alo.audio.media.MediaDeviceKind;

/** The built-in input {@value AudioDevices#SILENCE}: every frame is silent. Shared by any number of clients. */
final class SilenceInput extends InputDevice {

    SilenceInput() {
        super(new MediaDevice(AudioDevices.SILENCE, "Silence", MediaDeviceKind.AUDIO_INPUT));
    }

    @Override
    byte[] nextFrame() {
        return Pcm.SILENT_FRAME;
    }
}
