package ai.alo.audio.it.app;

import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.annotation.WebListener;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.List;

/**
 * Tells a probe outside this application whether this application's class loader is still reachable after undeploy.
 *
 * <p>At start it puts, under the system property key {@code ai.alo.audio.it.loader<context path>}, a {@code List} of a
 * {@link WeakReference} to the class loader of this application's classes and the {@link ReferenceQueue} it is
 * registered with. The channel holds only JDK objects (a {@code String} key, an immutable JDK list, the reference and
 * the queue, all loaded by the boot loader), so it never keeps the loader alive itself; the entry is deliberately left
 * in place when the application stops, for the probe to read (the probe removes it).
 *
 * <p>{@link #pin()} adds a strong reference under {@code <key>.pin}, so that the probe can show it notices a loader
 * that is still reachable; the probe removes it.
 */
@WebListener
public class LoaderBeacon implements ServletContextListener {

    /** Prefix of the system property keys; the context path follows. */
    public static final String KEY_PREFIX = "ai.alo.audio.it.loader";

    private static volatile String key;

    @Override
    public void contextInitialized(ServletContextEvent event) {
        String own = KEY_PREFIX + event.getServletContext().getContextPath();
        ReferenceQueue<ClassLoader> queue = new ReferenceQueue<>();
        System.getProperties().put(own, List.of(new WeakReference<>(LoaderBeacon.class.getClassLoader(), queue),
                queue));
        key = own;
    }

    /** Keeps this application's class loader strongly reachable from the system properties until the probe unpins. */
    static void pin() {
        System.getProperties().put(key + ".pin", LoaderBeacon.class.getClassLoader());
    }
}
