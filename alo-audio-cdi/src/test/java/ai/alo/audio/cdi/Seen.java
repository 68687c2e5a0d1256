package ai.alo.audio.cdi;

import ai.alo.audio.event.AloAudioEvent;

/**
 * An event as an observer saw it.
 *
 * @param event    the event
 * @param thread   the name of the thread it was delivered on
 * @param observer which observer saw it
 */
record Seen(AloAudioEvent event, String thread, String observer) {

    static Seen now(AloAudioEvent event, String observer) {
        return new Seen(event, Thread.currentThread().getName(), observer);
    }
}
