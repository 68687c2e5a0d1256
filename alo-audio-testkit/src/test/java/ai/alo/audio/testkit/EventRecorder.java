package ai.alo.audio.testkit;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import ai.alo.audio.AloAudioListener;
import ai.alo.audio.event.AloAudioEvent;
import ai.alo.audio.event.DisconnectEvent;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** Records a client's events; waits are bounded. */
final class EventRecorder implements AloAudioListener {

    final List<AloAudioEvent> all = new CopyOnWriteArrayList<>();
    private final BlockingQueue<DisconnectEvent> disconnects = new LinkedBlockingQueue<>();

    @Override
    public void onEvent(AloAudioEvent event) {
        all.add(event);
        if (event instanceof DisconnectEvent disconnect) {
            disconnects.add(disconnect);
        }
    }

    /** The next DisconnectEvent, waiting at most {@code seconds}. */
    DisconnectEvent nextDisconnect(long seconds) throws InterruptedException {
        DisconnectEvent event = disconnects.poll(seconds, TimeUnit.SECONDS);
        assertNotNull(event, () -> "no DisconnectEvent within " + seconds + " s; saw " + all);
        return event;
    }

    /** The DisconnectEvent that arrives within {@code millis}, or null. */
    DisconnectEvent pollDisconnect(long millis) throws InterruptedException {
        return disconnects.poll(millis, TimeUnit.MILLISECONDS);
    }

    long disconnectCount() {
        return all.stream().filter(DisconnectEvent.class::isInstance).count();
    }
}
