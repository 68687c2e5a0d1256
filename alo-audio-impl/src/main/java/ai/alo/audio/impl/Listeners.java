package ai.alo.audio.impl;

import ai.alo.audio.AloAudioListener;
import ai.alo.audio.ListenerRegistration;
import ai.alo.audio.event.AloAudioEvent;
import ai.alo.audio.event.ConnectionChangeEvent;
import ai.alo.audio.event.DeviceListUpdateEvent;
import ai.alo.audio.event.DisconnectEvent;
import ai.alo.audio.event.ParticipantsChangedEvent;
import ai.alo.audio.event.ReconnectedEvent;
import java.lang.System.Logger.Level;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The listeners of one client, and the delivery of one event to them: one at a time, in registration order, each in
 * its own try/catch. A listener that throws is logged ({@code ALOAUD-1301}); delivery continues with the next.
 * Called on the client's event queue only.
 *
 * <p>Thread-safe.
 */
final class Listeners {

    private static final System.Logger LOG = System.getLogger("ai.alo.audio");

    private final String clientName;
    private final CopyOnWriteArrayList<Registration> registrations = new CopyOnWriteArrayList<>();

    Listeners(String clientName) {
        this.clientName = clientName;
    }

    ListenerRegistration add(AloAudioListener listener) {
        Registration registration = new Registration(Objects.requireNonNull(listener, "listener"));
        registrations.add(registration);
        return registration;
    }

    /**
     * The delivery of an event to the listeners registered now (a listener added later does not get it).
     *
     * @param event the event
     * @return the task that delivers it
     */
    Runnable deliveryOf(AloAudioEvent event) {
        Object[] targets = registrations.toArray();
        return () -> {
            for (Object target : targets) {
                Registration registration = (Registration) target;
                if (registration.active) {
                    deliver(event, registration.listener);
                }
            }
        };
    }

    private void deliver(AloAudioEvent event, AloAudioListener listener) {
        try {
            listener.onEvent(event);
            if (event instanceof ConnectionChangeEvent e) {
                listener.onConnectionChange(e);
            } else if (event instanceof DisconnectEvent e) {
                listener.onDisconnect(e);
            } else if (event instanceof ParticipantsChangedEvent e) {
                listener.onParticipantsChanged(e);
            } else if (event instanceof DeviceListUpdateEvent e) {
                listener.onDeviceListUpdate(e);
            } else if (event instanceof ReconnectedEvent e) {
                listener.onReconnected(e);
            }
        } catch (VirtualMachineError e) {
            throw e;
        } catch (Throwable e) {
            LOG.log(Level.WARNING, "ALOAUD-1301 [" + clientName + "] listener " + listener.getClass().getName()
                    + " threw on " + event.getClass().getSimpleName() + "; delivery continues", e);
        }
    }

    private final class Registration implements ListenerRegistration {
        final AloAudioListener listener;
        volatile boolean active = true;

        Registration(AloAudioListener listener) {
            this.listener = listener;
        }

        @Override
        public void close() {
            active = false;
            registrations.remove(this);
        }
    }
}
