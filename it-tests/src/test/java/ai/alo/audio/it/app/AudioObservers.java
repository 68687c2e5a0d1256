package ai.alo.audio.it.app;

import ai.alo.audio.event.AloAudioEvent;
import ai.alo.audio.event.ConnectionChangeEvent;
import ai.alo.audio.event.DisconnectEvent;
import ai.alo.audio.event.ParticipantsChangedEvent;
import ai.alo.audio.event.ReconnectedEvent;
import jakarta.enterprise.concurrent.ManageableThread;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.ObservesAsync;
import jakarta.inject.Inject;
import javax.naming.InitialContext;

/**
 * Observes every event of every client. For {@code DisconnectEvent}s it also records the thread and what the thread
 * allows: a JNDI lookup, a {@code @Transactional} call and an EJB call.
 *
 * <p>Line format: {@code <kind> <EventType> key=value;key=value;...} (values never contain {@code ;}).
 */
@ApplicationScoped
public class AudioObservers {

    @Inject
    EventLog log;

    @Inject
    TransactionalProbe transactional;

    @Inject
    StatelessProbe stateless;

    void onEvent(@Observes AloAudioEvent event) {
        log.add("sync " + describe(event));
    }

    void onDisconnect(@Observes DisconnectEvent event) {
        log.add("sync-disconnect " + describe(event) + environment());
    }

    void onDisconnectAsync(@ObservesAsync DisconnectEvent event) {
        log.add("async-disconnect " + describe(event) + environment());
    }

    private static String describe(AloAudioEvent event) {
        StringBuilder line = new StringBuilder(event.getClass().getSimpleName())
                .append(" client=").append(event.clientName());
        if (event instanceof DisconnectEvent e) {
            line.append(";user=").append(e.user().id())
                    .append(";state=").append(e.state())
                    .append(";reason=").append(e.reason())
                    .append(";closeCode=").append(e.closeCode())
                    .append(";session=").append(e.sessionId())
                    .append(";message=").append(e.message().replace(';', ','))
                    .append(";willReconnect=").append(e.willReconnect());
        } else if (event instanceof ConnectionChangeEvent e) {
            line.append(";state=").append(e.state());
        } else if (event instanceof ReconnectedEvent e) {
            line.append(";resumed=").append(e.resumed()).append(";attempts=").append(e.attempts());
        } else if (event instanceof ParticipantsChangedEvent e) {
            line.append(";participants=").append(e.participants().size());
        }
        return line.toString();
    }

    private String environment() {
        Thread thread = Thread.currentThread();
        return ";thread=" + thread.getName()
                + ";managed=" + (thread instanceof ManageableThread)
                + ";jndi=" + attempt(() -> String.valueOf(new InitialContext().lookup("java:module/ModuleName")))
                + ";tx=" + attempt(transactional::status)
                + ";ejb=" + attempt(stateless::status);
    }

    private static String attempt(Check check) {
        try {
            return check.run();
        } catch (Exception | LinkageError e) {
            return "failed:" + e.getClass().getSimpleName();
        }
    }

    @FunctionalInterface
    private interface Check {
        String run() throws Exception;
    }
}
