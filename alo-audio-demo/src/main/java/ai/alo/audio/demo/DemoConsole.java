package ai.alo.audio.demo;

import ai.alo.audio.AloAudio;
import ai.alo.audio.AudioChannel;
import ai.alo.audio.ConnectionState;
import ai.alo.audio.Participant;
import ai.alo.audio.cdi.AloAudioFactory;
import ai.alo.audio.event.ConnectionChangeEvent;
import ai.alo.audio.event.DisconnectEvent;
import ai.alo.audio.event.ParticipantsChangedEvent;
import ai.alo.audio.event.ReconnectedEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.ObservesAsync;
import jakarta.inject.Inject;
import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * What an application writes: inject the client, give it something to say, observe its events. Prints each event it
 * observes and keeps the {@link DisconnectEvent}s for the demo's script to wait on.
 *
 * <p>The client speaks from the input named by the configuration key {@code alo.audio.audio-input-device-id}; this
 * bean adds that input (a tone) to the application's devices, which it reaches through {@link
 * AloAudioFactory#devices()}. Observers run on the client's event threads; the other methods on the demo's main
 * thread. The container releases the client and the devices when it shuts down.
 */
@ApplicationScoped
public class DemoConsole {

    private static final PrintStream OUT = System.out;

    private final BlockingQueue<DisconnectEvent> disconnects = new LinkedBlockingQueue<>();
    private final BlockingQueue<ReconnectedEvent> reconnects = new LinkedBlockingQueue<>();

    @Inject
    AloAudio audio;

    @Inject
    AloAudioFactory factory;

    /**
     * Adds a steady tone to the application's audio devices, for a client to speak from.
     *
     * @param deviceId    the id the configuration names
     * @param frequencyHz the tone's frequency
     * @param level       its amplitude relative to full scale
     */
    void addTone(String deviceId, double frequencyHz, double level) {
        factory.devices().addToneInput(deviceId, "Demo tone " + Math.round(frequencyHz) + " Hz", frequencyHz, level);
    }

    /** The input the client speaks from now. */
    String audioInput() {
        return audio.audioInputDeviceId();
    }

    /** Joins the channel and waits, at most 10 s, until connected. */
    void join(AudioChannel channel) throws Exception {
        audio.connect(channel).get(10, TimeUnit.SECONDS);
    }

    void leave() {
        audio.disconnect();
    }

    /** The client's state (callers go through methods: this bean is a client proxy). */
    ConnectionState state() {
        return audio.state();
    }

    /** The next DisconnectEvent observed, waiting at most {@code timeout}. */
    DisconnectEvent nextDisconnect(Duration timeout) throws InterruptedException {
        return disconnects.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The next ReconnectedEvent observed, waiting at most {@code timeout}. */
    ReconnectedEvent nextReconnect(Duration timeout) throws InterruptedException {
        return reconnects.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    void onReconnected(@Observes ReconnectedEvent event) {
        OUT.printf("  @Observes ReconnectedEvent        resumed=%s attempts=%d downtime=%d ms%n", event.resumed(),
                event.attempts(), event.downtime().toMillis());
        reconnects.add(event);
    }

    void onConnectionChange(@Observes ConnectionChangeEvent event) {
        OUT.printf("  @Observes ConnectionChangeEvent   %s -> %s%s%n", event.previousState(), event.state(),
                event.message().isEmpty() ? "" : "  (" + event.message() + ")");
    }

    void onParticipants(@Observes ParticipantsChangedEvent event) {
        OUT.printf("  @Observes ParticipantsChangedEvent %s: %s%n", event.channel().id(),
                event.participants().stream().map(Participant::name).collect(Collectors.joining(", ")));
    }

    void onDisconnect(@Observes DisconnectEvent event) {
        OUT.printf("  @Observes DisconnectEvent         state=%s message=\"%s\" reason=%s initiator=%s closeCode=%d "
                + "willReconnect=%s%n", event.state(), event.message(), event.reason(), event.initiator(),
                event.closeCode(), event.willReconnect());
        disconnects.add(event);
    }

    void onDisconnectAsync(@ObservesAsync DisconnectEvent event) {
        OUT.printf("  @ObservesAsync DisconnectEvent    state=%s (on %s)%n", event.state(),
                Thread.currentThread().getName());
    }
}
