package ai.alo.audio.cdi;

import ai.alo.audio.event.ConnectionChangeEvent;
import ai.alo.audio.event.DisconnectEvent;
import ai.alo.audio.event.ParticipantsChangedEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.ObservesAsync;

/**
 * Records the events of every client (observers without qualifiers), synchronously and asynchronously. A client
 * proxy: use the methods, not the fields.
 */
@ApplicationScoped
public class RecordingObserver {

    private final Recording<Seen> disconnects = new Recording<>();
    private final Recording<Seen> asyncDisconnects = new Recording<>();
    private final Recording<Seen> changes = new Recording<>();
    private final Recording<Seen> participants = new Recording<>();

    void onDisconnect(@Observes DisconnectEvent event) {
        disconnects.add(Seen.now(event, "sync"));
    }

    void onDisconnectAsync(@ObservesAsync DisconnectEvent event) {
        asyncDisconnects.add(Seen.now(event, "async"));
    }

    void onChange(@Observes ConnectionChangeEvent event) {
        changes.add(Seen.now(event, "sync"));
    }

    void onParticipants(@Observes ParticipantsChangedEvent event) {
        participants.add(Seen.now(event, "sync"));
    }

    Recording<Seen> disconnects() {
        return disconnects;
    }

    Recording<Seen> asyncDisconnects() {
        return asyncDisconnects;
    }

    Recording<Seen> changes() {
        return changes;
    }

    Recording<Seen> participants() {
        return participants;
    }
}
