package ai.alo.audio.impl.rtc;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Helpers of the media tests: the network namespace check, process figures from /proc, in-process negotiation. */
final class MediaTestSupport {

    /** Generous bound for anything that takes milliseconds normally (shared, noisy 2-core machine). */
    static final long WAIT_SECONDS = 20;

    private MediaTestSupport() {
    }

    /**
     * Fails (does not skip) unless this JVM runs inside a namespace made by bin/netns-exec: WebRTC ignores loopback,
     * and test traffic may go only to loopback or into such a namespace.
     */
    static void requireNetworkNamespace() {
        String ns = System.getenv("ALO_NETNS");
        if (ns == null || ns.isBlank()) {
            fail("media tests run only inside a network namespace made by bin/netns-exec (ALO_NETNS is not set): "
                    + "run them with 'mvn verify' (Surefire execution media-tests) or 'mvn -o -pl alo-audio-rtc "
                    + "test-compile surefire:test@media-tests -Dtest=NAME'; 'mvn test -Dtest=NAME' runs them outside");
        }
    }

    static <T> T await(CompletableFuture<T> f) {
        try {
            return f.get(WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new AssertionError("failed: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new AssertionError("timed out after " + WAIT_SECONDS + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    static Throwable awaitFailure(CompletableFuture<?> f) {
        try {
            Object v = f.get(WAIT_SECONDS, TimeUnit.SECONDS);
            throw new AssertionError("expected a failure, got " + v);
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (TimeoutException e) {
            throw new AssertionError("timed out after " + WAIT_SECONDS + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** Offer from {@code offerer}, answer from {@code answerer}, in-process; waits until both are CONNECTED. */
    static void connect(RtcPeer offerer, RecordingListener offererEvents, RtcPeer answerer,
            RecordingListener answererEvents) {
        String offer = await(offerer.createOffer());
        String answer = await(answerer.acceptOffer(offer));
        await(offerer.acceptAnswer(answer));
        offererEvents.awaitState(RtcPeerState.CONNECTED);
        answererEvents.awaitState(RtcPeerState.CONNECTED);
    }

    /** Waits for {@code ticks} rounds of {@code pacer} (10 ms each): the tests' clock, instead of sleeping. */
    static void waitTicks(RtcPacer pacer, int ticks) {
        java.util.concurrent.CountDownLatch latch = new java.util.concurrent.CountDownLatch(ticks);
        RtcPacer.Registration r = pacer.add((n, t) -> latch.countDown());
        try {
            if (!latch.await(WAIT_SECONDS, TimeUnit.SECONDS)) {
                throw new AssertionError("the pacer did not run " + ticks + " ticks in " + WAIT_SECONDS + " s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        } finally {
            r.close();
        }
    }

    /** Live Java threads (attached native threads included). */
    static int javaThreads() {
        return java.lang.management.ManagementFactory.getThreadMXBean().getThreadCount();
    }

    /** Threads of this process, Java and native (/proc/self/task). */
    static int tasks() {
        return count(Path.of("/proc/self/task"));
    }

    /** Open file descriptors of this process (/proc/self/fd). */
    static int fds() {
        return count(Path.of("/proc/self/fd"));
    }

    /** Names of this process's threads (/proc/self/task/N/comm), with counts. */
    static Map<String, Integer> taskNames() {
        Map<String, Integer> names = new TreeMap<>();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
            for (Path task : tasks) {
                try {
                    String comm = Files.readString(task.resolve("comm"), StandardCharsets.UTF_8).strip();
                    names.merge(comm, 1, Integer::sum);
                } catch (IOException e) {
                    // ended meanwhile
                }
            }
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return names;
    }

    /** Resident set size of this process in KiB (/proc/self/status VmRSS). */
    static long rssKib() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        throw new AssertionError("no VmRSS");
    }

    private static int count(Path dir) {
        int n = 0;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path ignored : entries) {
                n++;
            }
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return n;
    }

    static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(null);
        assertTrue(!sorted.isEmpty());
        return sorted.get(sorted.size() / 2);
    }

    static <T> T notNull(T value, String what) {
        assertNotNull(value, what);
        return value;
    }
}
