package ai.alo.audio.server;

import java.util.concurrent.TimeUnit;

/**
 * Counts open TCP connections so that a graceful stop can wait until the peers answered their close frames and the
 * connections are gone, without polling. Thread-safe.
 */
final class ConnectionGauge {

    private int open;
    private boolean abandoned;

    synchronized void opened() {
        open++;
    }

    synchronized void closed() {
        open--;
        if (open <= 0) {
            notifyAll();
        }
    }

    synchronized int open() {
        return open;
    }

    /** Ends every current and future {@link #awaitZero} at once (used when {@code kill()} overtakes a stop). */
    synchronized void abandon() {
        abandoned = true;
        notifyAll();
    }

    /**
     * Waits until no connection is open, the timeout passes, or {@link #abandon()} is called.
     *
     * @param timeoutNanos the longest wait
     * @return {@code true} when no connection is open
     * @throws InterruptedException if interrupted while waiting
     */
    synchronized boolean awaitZero(long timeoutNanos) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutNanos;
        while (open > 0 && !abandoned) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return open <= 0;
    }
}
