package ai.alo.audio.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * A {@link ThreadFactory} for the phase breakdown: given to the client as its configured thread factory
 * ({@code AloAudioConfig.threadFactory}), it sees every thread the client starts, names each one's role from the code
 * that created it, and stamps {@link System#nanoTime()} when the thread's task returns. That shows from the outside,
 * without changing the client, when each thread of a connection ended relative to the {@code disconnect()} call.
 * Thread-safe.
 */
final class StampingThreadFactory implements ThreadFactory {

    private static final Set<String> SKIPPED_PREFIXES = Set.of("java.", "jdk.", "sun.",
            StampingThreadFactory.class.getPackageName() + ".", "org.glassfish.grizzly.threadpool.",
            "ai.alo.audio.impl.ThreadTracker");

    /** One thread made by the factory. */
    static final class Stamped {
        final Thread thread;
        final String role;
        final long createdAt;
        volatile long endedAt;

        Stamped(Thread thread, String role, long createdAt) {
            this.thread = thread;
            this.role = role;
            this.createdAt = createdAt;
        }
    }

    private final String prefix;
    private final AtomicInteger counter = new AtomicInteger();
    private final List<Stamped> made = new ArrayList<>();

    StampingThreadFactory(String prefix) {
        this.prefix = prefix;
    }

    @Override
    public Thread newThread(Runnable task) {
        String role = role();
        Stamped[] holder = new Stamped[1];
        Thread thread = new Thread(() -> {
            try {
                task.run();
            } finally {
                holder[0].endedAt = System.nanoTime();
            }
        }, prefix + "-" + counter.incrementAndGet());
        thread.setDaemon(true);
        holder[0] = new Stamped(thread, role, System.nanoTime());
        synchronized (made) {
            made.add(holder[0]);
        }
        return thread;
    }

    /** How many threads were made so far; an index for {@link #since(int)}. */
    int count() {
        synchronized (made) {
            return made.size();
        }
    }

    /** The threads made since a {@link #count()}. */
    List<Stamped> since(int index) {
        synchronized (made) {
            return new ArrayList<>(made.subList(index, made.size()));
        }
    }

    /**
     * Names a thread by the first frame of the code that asked for it, outside the JDK and the pools, with a readable
     * name for the threads a connection is known to have.
     */
    static String describe(String role) {
        if (role.startsWith("ConnectionAttempt.schedule")) {
            return "attempt timer (connect timeout, heartbeat, watchdog)";
        } else if (role.startsWith("ConnectionAttempt.start")) {
            return "connector";
        } else if (role.startsWith("NIOTransport.start:422")) {
            return "Grizzly kernel pool (selector runners)";
        } else if (role.startsWith("NIOTransport.start:431")) {
            return "Grizzly worker pool";
        } else if (role.startsWith("TyrusSession.restartIdleTimeoutExecutor")) {
            return "Tyrus session scheduler (SessionContainer)";
        } else if (role.startsWith("EventDispatcher")) {
            return "event dispatcher";
        } else if (role.equals("unknown")) {
            return "timer stand-in (benchmark)";
        }
        return role;
    }

    private static String role() {
        List<StackWalker.StackFrame> frames = StackWalker.getInstance().walk(s -> s.limit(40)
                .collect(Collectors.toList()));
        for (StackWalker.StackFrame frame : frames) {
            String cls = frame.getClassName();
            if (SKIPPED_PREFIXES.stream().noneMatch(cls::startsWith)) {
                String simple = cls.substring(cls.lastIndexOf('.') + 1);
                return simple + "." + frame.getMethodName() + ":" + frame.getLineNumber();
            }
        }
        return "unknown";
    }
}
