package ai.alo.audio.impl.media;

import ai.alo.audio.media.AudioDevices;
import ai.alo.audio.media.MediaDevice;
import ai.alo.audio.media.MediaDeviceKind;

/** The built-in output {@value AudioDevices#DISCARD}: drops every frame. Shared by any number of clients. */
final class DiscardOutput extends OutputDevice {

    DiscardOutput() {
        super(new MediaDevice(AudioDevices.DISCARD, "Discard", MediaDeviceKind.AUDIO_OUTPUT), false);
    }

    @Override
    void deliver(OutputBinding binding, long sequence, byte[] pcm) {
        // dropped
    }
}
