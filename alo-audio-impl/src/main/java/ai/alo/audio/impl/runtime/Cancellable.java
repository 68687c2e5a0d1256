package ai.alo.audio.impl.runtime;

/** A scheduled task that can be cancelled. Cancelling is idempotent and never blocks. */
@FunctionalInterface
public interface Cancellable {

    /** A handle for a task that was never scheduled. */
    Cancellable NONE = () -> { };

    /** Cancels the task if it has not run; a periodic task does not run again. */
    void cancel();
}
