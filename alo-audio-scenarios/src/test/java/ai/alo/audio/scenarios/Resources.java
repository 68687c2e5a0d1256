package ai.alo.audio.scenarios;

import java.io.File;
import java.time.Duration;
import java.util.List;
import java.util.function.IntSupplier;

/** What this JVM holds: open file descriptors, and live threads whose names start with a prefix. */
final class Resources {

    private Resources() {
    }

    static int openFds() {
        String[] fds = new File("/proc/self/fd").list();
        return fds == null ? -1 : fds.length;
    }

    static List<String> threads(String prefix) {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(n -> n.startsWith(prefix)).sorted().toList();
    }

    /** Waits until {@code value} is at most {@code limit}; returns the last value seen. */
    static int awaitAtMost(IntSupplier value, int limit, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        int seen = value.getAsInt();
        while (seen > limit && System.nanoTime() < deadline) {
            Thread.sleep(20);
            seen = value.getAsInt();
        }
        return seen;
    }
}
