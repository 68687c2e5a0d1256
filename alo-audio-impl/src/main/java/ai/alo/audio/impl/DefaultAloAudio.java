package ai.alo.audio.impl;

import ai.alo.audio.AloAudio;
import ai.alo.audio.AloAudioConfig;
import ai.alo.audio.AloAudioListener;
import ai.alo.audio.AloAudioStateException;
import ai.alo.audio.AudioChannel;
import ai.alo.audio.AudioUser;
import ai.alo.audio.ConnectionState;
import ai.alo.audio.ListenerRegistration;
import ai.alo.audio.Participant;
import ai.alo.audio.event.DeviceListUpdateEvent;
import ai.alo.audio.impl.media.ClientAudio;
import ai.alo.audio.impl.runtime.ClientRuntime;
import ai.alo.audio.media.MediaDeviceList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The default {@link AloAudio}: a thin facade over the client's {@link ClientStateMachine}, on a shared
 * {@link ClientRuntime}, and over its audio choices ({@link ClientAudio}, in the runtime's device registry). See
 * {@link AloAudio} for the contract.
 */
final class DefaultAloAudio implements AloAudio, ClientRuntime.RuntimeClient {

    private final ClientStateMachine machine;
    private final ClientRuntime runtime;
    private final ClientAudio audio;

    DefaultAloAudio(AloAudioConfig config, ClientRuntime runtime) {
        this.runtime = runtime;
        // device-list changes reach the listeners through the client's own ordered event queue
        this.audio = runtime.devices().newClientAudio(config.name(), this, config.audioInputDeviceId().orElse(null),
                config.audioOutputDeviceId().orElse(null), this::postDeviceEvent);
        this.machine = new ClientStateMachine(config, runtime, this, audio);
    }

    @Override
    public CompletableFuture<AudioChannel> connect(AudioChannel channel) {
        return machine.connect(channel);
    }

    @Override
    public void disconnect() {
        machine.disconnect();
    }

    @Override
    public void close() {
        try {
            machine.close();
        } finally {
            // ends a media session the close left running (normally the disconnect path ended it) and stops the
            // device-list events
            audio.close();
        }
    }

    @Override
    public ConnectionState state() {
        return machine.state();
    }

    @Override
    public Optional<AudioChannel> channel() {
        return machine.channel();
    }

    @Override
    public List<Participant> participants() {
        return machine.participants();
    }

    @Override
    public Optional<String> connectionId() {
        return machine.connectionId();
    }

    @Override
    public Optional<String> sessionId() {
        return machine.sessionId();
    }

    @Override
    public AudioUser user() {
        return machine.user();
    }

    @Override
    public AloAudioConfig config() {
        return machine.config();
    }

    @Override
    public ListenerRegistration addListener(AloAudioListener listener) {
        return machine.listeners().add(listener);
    }

    @Override
    public MediaDeviceList getMediaList() {
        return runtime.devices().list();
    }

    @Override
    public void changeAudioInput(String deviceId) {
        checkNotClosed();
        audio.changeInput(deviceId);
    }

    @Override
    public void changeAudioOutput(String deviceId) {
        checkNotClosed();
        audio.changeOutput(deviceId);
    }

    @Override
    public String audioInputDeviceId() {
        return audio.inputId();
    }

    @Override
    public String audioOutputDeviceId() {
        return audio.outputId();
    }

    /**
     * The client's audio side: its input and output choices and, while it has one, its media session (for the
     * media engine: {@link ClientAudio#checkDevices()} at connect, {@link ClientAudio#startSession(String)} once
     * joined, {@link ai.alo.audio.impl.media.AudioSession#close()} when the session ends).
     *
     * @return the client's audio
     */
    ClientAudio audio() {
        return audio;
    }

    private void postDeviceEvent(DeviceListUpdateEvent event) {
        ClientStateMachine target = machine;
        if (target != null) { // null only while this constructor runs
            target.post(event);
        }
    }

    private void checkNotClosed() {
        if (machine.state() == ConnectionState.CLOSED) {
            throw new AloAudioStateException("the AloAudio client '" + machine.name() + "' is closed",
                    ConnectionState.CLOSED);
        }
    }

    @Override
    public AloAudio facade() {
        return this;
    }

    ClientStateMachine machine() {
        return machine;
    }

    @Override
    public String toString() {
        AloAudioConfig config = machine.config();
        return "AloAudio[name=" + config.name() + ", state=" + machine.state() + ", serverUri=" + config.serverUri()
                + ", user=" + config.user().id() + "]";
    }
}
