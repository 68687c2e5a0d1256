package ai.alo.audio.impl;

import java.time.Duration;

/** A point in {@link System#nanoTime()} time that several bounded waits share. */
record Deadline(long nanos) {

    static Deadline after(Duration duration) {
        return new Deadline(System.nanoTime() + duration.toNanos());
    }

    long remainingNanos() {
        return Math.max(0, nanos - System.nanoTime());
    }

    long remainingMillis() {
        long remaining = remainingNanos();
        return remaining == 0 ? 0 : Math.max(1, remaining / 1_000_000);
    }

    boolean passed() {
        return remainingNanos() == 0;
    }
}
