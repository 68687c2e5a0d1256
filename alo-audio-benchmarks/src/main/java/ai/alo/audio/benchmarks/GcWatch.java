package ai.alo.audio.benchmarks;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;

/**
 * This JVM's garbage-collection pauses, from the collectors' notifications (on G1 in Java 17 each notification is a
 * stop-the-world pause: young, mixed or full). A pause longer than the heartbeat timeout loses every connection, so
 * the scale benchmark shows them beside its timeline.
 */
final class GcWatch {

    private static final AtomicLong COUNT = new AtomicLong();
    private static final AtomicLong TOTAL_MILLIS = new AtomicLong();
    private static final AtomicLong MAX_MILLIS = new AtomicLong();
    /** Longest pause since the last {@link #takeWindowMax()}. */
    private static final AtomicLong WINDOW_MAX_MILLIS = new AtomicLong();
    private static volatile boolean installed;

    private GcWatch() {
    }

    static synchronized void install() {
        if (installed) {
            return;
        }
        installed = true;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (gc instanceof NotificationEmitter emitter) {
                emitter.addNotificationListener((notification, handback) -> {
                    if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION
                            .equals(notification.getType())) {
                        return;
                    }
                    GarbageCollectionNotificationInfo info = GarbageCollectionNotificationInfo
                            .from((CompositeData) notification.getUserData());
                    long millis = info.getGcInfo().getDuration();
                    COUNT.incrementAndGet();
                    TOTAL_MILLIS.addAndGet(millis);
                    MAX_MILLIS.accumulateAndGet(millis, Math::max);
                    WINDOW_MAX_MILLIS.accumulateAndGet(millis, Math::max);
                }, null, null);
            }
        }
    }

    static long count() {
        return COUNT.get();
    }

    static long totalMillis() {
        return TOTAL_MILLIS.get();
    }

    static long maxMillis() {
        return MAX_MILLIS.get();
    }

    /** The longest pause since the previous call, and starts a new window. */
    static long takeWindowMax() {
        return WINDOW_MAX_MILLIS.getAndSet(0);
    }
}
