package ai.alo.audio.impl;

import ai.alo.audio.AloAudio;
import ai.alo.audio.AloAudioConfig;
import ai.alo.audio.AloAudioListener;
import ai.alo.audio.AudioChannel;
import ai.alo.audio.AudioUser;
import ai.alo.audio.ConnectionState;
import ai.alo.audio.ListenerRegistration;
import ai.alo.audio.Participant;
import ai.alo.audio.impl.runtime.ClientRuntime;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The default {@link AloAudio}: a thin facade over the client's {@link ClientStateMachine}, on a shared
 * {@link ClientRuntime}. See {@link AloAudio} for the contract.
 */
final class DefaultAloAudio implements AloAudio, ClientRuntime.RuntimeClient {

    private final ClientStateMachine machine;

    DefaultAloAudio(AloAudioConfig config, ClientRuntime runtime) {
        this.machine = new ClientStateMachine(config, runtime, this);
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
        machine.close();
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
