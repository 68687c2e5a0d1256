package ai.alo.audio.it.app;

import ai.alo.audio.AloAudio;
import ai.alo.audio.ConnectionState;
import ai.alo.audio.event.DisconnectEvent;
import jakarta.enterprise.concurrent.ManageableThread;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.ObservesAsync;
import jakarta.inject.Inject;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Reconnects the default client from an {@code @ObservesAsync} observer (a managed thread the module chose)
 * after a lost connection, once per {@link #arm()}: what an application's own reconnect logic does, and a way to make
 * a container thread that the module does not own write to its socket. Records {@code reconnected-async thread=...;
 * managed=...;state=...} (or {@code reconnect-failed ...}) in the {@link EventLog}.
 */
@ApplicationScoped
public class Reconnector {

    private final AtomicBoolean armed = new AtomicBoolean();

    @Inject
    AloAudio audio;

    @Inject
    EventLog log;

    /** The next lost connection is reconnected. */
    public void arm() {
        armed.set(true);
    }

    void onLost(@ObservesAsync DisconnectEvent event) {
        if (event.state() != ConnectionState.ERROR || !armed.compareAndSet(true, false)) {
            return;
        }
        Thread thread = Thread.currentThread();
        String where = "thread=" + thread.getName() + ";managed=" + (thread instanceof ManageableThread);
        try {
            audio.connect(event.channel()).get(15, TimeUnit.SECONDS);
            log.add("reconnected-async " + where + ";state=" + audio.state());
        } catch (Exception e) {
            log.add("reconnect-failed " + where + ";error=" + e);
        }
    }
}
