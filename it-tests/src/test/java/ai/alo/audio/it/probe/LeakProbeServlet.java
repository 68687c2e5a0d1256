package ai.alo.audio.it.probe;

import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.lang.reflect.Field;
import java.security.AccessControlContext;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * Says whether an undeployed application's class loader can be collected, from inside the server JVM.
 *
 * <p>The watched application leaves, under a system property key, a JDK {@code List} of a {@link WeakReference} to its
 * class loader and the {@link ReferenceQueue} of that reference (see {@code ai.alo.audio.it.app.LoaderBeacon}). This
 * servlet never holds the loader: it tests the reference with {@link Reference#refersTo(Object)}, except to describe
 * it ({@code op=describe}, before undeploy) and to diagnose a loader that stayed reachable.
 *
 * <ul>
 *   <li>{@code /probe?op=describe&key=K}: {@code present <loader>} or {@code absent}.</li>
 *   <li>{@code op=collect&key=K&rounds=N[&dump=<file>]}: up to {@code N} rounds of {@code System.gc()}, {@code
 *       System.runFinalization()} and a wait of up to {@value #ROUND_WAIT_MILLIS} ms for the reference to be
 *       enqueued. First line {@code cleared <round> gc=<collections>}, or {@code reachable <N> gc=<collections>}
 *       followed by what holds the loader as far as the probe can see: threads whose context class loader it is,
 *       threads whose inherited access control context holds a protection domain of it, thread-local values of its
 *       classes, a class histogram of the module's classes; and a heap dump to {@code <file>} when asked.</li>
 *   <li>{@code op=executor-threads}: how many threads the server's managed executors have, and their names.</li>
 *   <li>{@code op=workers}: the number of live threads of the pool that serves this request (named like its thread
 *       but for the number).</li>
 *   <li>{@code op=rendezvous&round=R&parties=N}: holds the request until {@code N} requests of round {@code R} are
 *       held (bounded), so that {@code N} request threads each run one; answers the thread's name. WildFly's idle
 *       request threads keep a reference to the last task they ran, which can be a request to the undeployed
 *       application and, through it, its deployment; after a round none does.</li>
 *   <li>{@code op=unpin&key=K}: removes {@code K.pin}, the application's deliberate strong reference.</li>
 *   <li>{@code op=forget&key=K}: removes {@code K} and {@code K.pin}.</li>
 * </ul>
 */
@WebServlet("/probe")
public class LeakProbeServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;
    private static final long ROUND_WAIT_MILLIS = 500;
    private static final int MAX_ROUNDS = 20;
    private static final long RENDEZVOUS_SECONDS = 10;
    /** Open rendezvous rounds; emptied as their requests return. */
    private static final Map<String, CountDownLatch> ROUNDS = new ConcurrentHashMap<>();

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        response.setContentType("text/plain;charset=UTF-8");
        String op = String.valueOf(request.getParameter("op"));
        String key = request.getParameter("key");
        if ((key == null || key.isEmpty()) && !List.of("workers", "rendezvous", "executor-threads").contains(op)) {
            response.sendError(400, "no key");
            return;
        }
        try {
            String answer;
            switch (op) {
                case "executor-threads":
                    answer = executorThreads();
                    break;
                case "workers":
                    answer = String.valueOf(siblings());
                    break;
                case "rendezvous":
                    answer = rendezvous(request.getParameter("round"),
                            Integer.parseInt(request.getParameter("parties")));
                    break;
                case "describe":
                    answer = describe(key);
                    break;
                case "collect":
                    int rounds = Math.min(MAX_ROUNDS, Integer.parseInt(request.getParameter("rounds")));
                    answer = collect(key, rounds, request.getParameter("dump"));
                    break;
                case "unpin":
                    answer = System.getProperties().remove(key + ".pin") != null ? "unpinned" : "not pinned";
                    break;
                case "forget":
                    System.getProperties().remove(key + ".pin");
                    answer = System.getProperties().remove(key) != null ? "forgotten" : "absent";
                    break;
                default:
                    response.sendError(400, "unknown op " + op);
                    return;
            }
            response.getWriter().print(answer);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            response.sendError(500, e.toString());
        } catch (RuntimeException e) {
            response.sendError(500, e.toString());
        }
    }

    /** The names of the live threads of the servers' managed executors (WildFly's and Payara's naming). */
    private static String executorThreads() {
        List<String> names = new ArrayList<>();
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            if (thread.getName().contains("ManagedExecutorService")) {
                names.add(thread.getName());
            }
        }
        names.sort(null);
        return names.size() + " " + names;
    }

    /** The live threads of the pool serving this request: those named like this one but for the number. */
    private static int siblings() {
        String prefix = poolPrefix(Thread.currentThread().getName());
        int count = 0;
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            if (poolPrefix(thread.getName()).equals(prefix)) {
                count++;
            }
        }
        return count;
    }

    private static String poolPrefix(String threadName) {
        return threadName.replaceFirst("\\d+\\)?$", "");
    }

    /**
     * Holds this request until {@code parties} requests of the same round are held (at most {@value
     * #RENDEZVOUS_SECONDS} s), so that each runs on a different request thread.
     *
     * @return the name of this request's thread
     */
    private static String rendezvous(String round, int parties) throws InterruptedException {
        CountDownLatch latch = ROUNDS.computeIfAbsent(round, r -> new CountDownLatch(parties));
        latch.countDown();
        boolean all = latch.await(RENDEZVOUS_SECONDS, TimeUnit.SECONDS);
        ROUNDS.remove(round, latch);
        return (all ? "" : "alone ") + Thread.currentThread().getName();
    }

    private static String describe(String key) {
        WeakReference<?> ref = reference(key);
        Object loader = ref == null ? null : ref.get();
        return loader == null ? "absent" : "present " + loader;
    }

    private static String collect(String key, int rounds, String dump) throws InterruptedException {
        WeakReference<?> ref = reference(key);
        ReferenceQueue<?> queue = queue(key);
        if (ref == null || queue == null) {
            return "absent";
        }
        long gcBefore = collections();
        for (int round = 1; round <= rounds; round++) {
            System.gc();
            System.runFinalization(); // what a pending finalizer alone keeps goes at the next round
            if (ref.refersTo(null) || queue.remove(ROUND_WAIT_MILLIS) != null) {
                return "cleared " + round + " gc=" + (collections() - gcBefore);
            }
        }
        StringBuilder out = new StringBuilder("reachable ").append(rounds).append(" gc=")
                .append(collections() - gcBefore).append('\n');
        diagnose(ref, out);
        if (dump != null && !dump.isEmpty()) {
            out.append("heap dump: ").append(heapDump(dump)).append('\n');
        }
        return out.toString();
    }

    /** What holds the loader, as far as can be seen from here; each part reports its own failure. */
    private static void diagnose(WeakReference<?> ref, StringBuilder out) {
        Object held = ref.get();
        if (!(held instanceof ClassLoader loader)) {
            out.append("loader: collected meanwhile\n");
            return;
        }
        out.append("loader: ").append(loader).append('\n');
        out.append("pid: ").append(ProcessHandle.current().pid()).append('\n');
        out.append("jvm gc options: ").append(ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.contains("GC")).toList()).append('\n');
        Field locals = field(Thread.class, "threadLocals", out);
        Field inheritableLocals = field(Thread.class, "inheritableThreadLocals", out);
        Field inheritedContext = field(Thread.class, "inheritedAccessControlContext", out);
        Field domains = field(AccessControlContext.class, "context", out);
        for (Map.Entry<Thread, StackTraceElement[]> entry : Thread.getAllStackTraces().entrySet()) {
            Thread thread = entry.getKey();
            String name = "'" + thread.getName() + "' (" + thread.getClass().getName() + ", " + thread.getState()
                    + (entry.getValue().length > 0 ? ", in " + entry.getValue()[0] : "") + ")";
            if (thread.getContextClassLoader() == loader) {
                out.append("context class loader of thread ").append(name).append('\n');
            }
            try {
                if (inheritedContext != null && domains != null
                        && contextHolds(inheritedContext.get(thread), domains, loader)) {
                    out.append("inherited access control context (a protection domain of the loader) of thread ")
                            .append(name).append('\n');
                }
                for (Field map : new Field[] {locals, inheritableLocals}) {
                    if (map != null) {
                        for (String value : localsOf(map.get(thread), loader)) {
                            out.append(map.getName()).append(" of thread ").append(name).append(": ").append(value)
                                    .append('\n');
                        }
                    }
                }
            } catch (ReflectiveOperationException | RuntimeException e) {
                out.append("thread ").append(name).append(" not inspectable: ").append(e).append('\n');
            }
        }
        out.append(histogram());
    }

    private static Field field(Class<?> type, String name, StringBuilder out) {
        try {
            Field field = type.getDeclaredField(name);
            field.setAccessible(true);
            return field;
        } catch (ReflectiveOperationException | RuntimeException e) {
            out.append(type.getSimpleName()).append('.').append(name).append(" not inspectable: ").append(e)
                    .append('\n');
            return null;
        }
    }

    /** Whether an access control context holds a protection domain of the loader (its classes were on a stack). */
    private static boolean contextHolds(Object context, Field domains, ClassLoader loader)
            throws ReflectiveOperationException {
        if (context == null) {
            return false;
        }
        ProtectionDomain[] array = (ProtectionDomain[]) domains.get(context);
        if (array != null) {
            for (ProtectionDomain domain : array) {
                if (domain != null && domain.getClassLoader() == loader) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The entries of a {@code ThreadLocalMap} whose key or value is of the loader's classes, or is the loader. */
    private static List<String> localsOf(Object map, ClassLoader loader) throws ReflectiveOperationException {
        List<String> found = new ArrayList<>();
        if (map == null) {
            return found;
        }
        Field tableField = map.getClass().getDeclaredField("table");
        tableField.setAccessible(true);
        Object[] table = (Object[]) tableField.get(map);
        for (Object entry : table) {
            if (entry == null) {
                continue;
            }
            Field valueField = entry.getClass().getDeclaredField("value");
            valueField.setAccessible(true);
            Object value = valueField.get(entry);
            Object local = ((Reference<?>) entry).get();
            if (ofLoader(value, loader) || ofLoader(local, loader)) {
                found.add((local == null ? "stale entry" : local.getClass().getName()) + " = "
                        + (value == null ? "null" : value.getClass().getName()));
            }
        }
        return found;
    }

    private static boolean ofLoader(Object object, ClassLoader loader) {
        return object != null && (object == loader || object.getClass().getClassLoader() == loader
                || object instanceof Reference<?> reference && reference.get() == loader);
    }

    /** The module's and Tyrus's classes that have live instances (the command runs a full GC). */
    private static String histogram() {
        try {
            MBeanServer server = ManagementFactory.getPlatformMBeanServer();
            String text = (String) server.invoke(new ObjectName("com.sun.management:type=DiagnosticCommand"),
                    "gcClassHistogram", new Object[] {new String[0]}, new String[] {String[].class.getName()});
            StringBuilder out = new StringBuilder("class histogram (module, then Tyrus, which the server may "
                    + "have too):\n");
            int lines = 0;
            for (String prefix : new String[] {" ai.alo.", " org.glassfish.tyrus."}) {
                for (String line : text.split("\n")) {
                    if (line.contains(prefix) && !line.contains("ai.alo.audio.it.probe.") && ++lines <= 40) {
                        out.append(line).append('\n');
                    }
                }
            }
            return out.append("(").append(lines).append(" classes)\n").toString();
        } catch (Exception e) {
            return "class histogram not available: " + e + "\n";
        }
    }

    private static String heapDump(String file) {
        try {
            ManagementFactory.getPlatformMBeanServer().invoke(
                    new ObjectName("com.sun.management:type=HotSpotDiagnostic"), "dumpHeap",
                    new Object[] {file, Boolean.TRUE}, new String[] {String.class.getName(), boolean.class.getName()});
            return file;
        } catch (Exception e) {
            return "failed: " + e;
        }
    }

    private static long collections() {
        long total = 0;
        for (GarbageCollectorMXBean collector : ManagementFactory.getGarbageCollectorMXBeans()) {
            total += Math.max(0, collector.getCollectionCount());
        }
        return total;
    }

    private static WeakReference<?> reference(String key) {
        return System.getProperties().get(key) instanceof List<?> entry && entry.size() == 2
                && entry.get(0) instanceof WeakReference<?> ref ? ref : null;
    }

    private static ReferenceQueue<?> queue(String key) {
        return System.getProperties().get(key) instanceof List<?> entry && entry.size() == 2
                && entry.get(1) instanceof ReferenceQueue<?> queue ? queue : null;
    }
}
