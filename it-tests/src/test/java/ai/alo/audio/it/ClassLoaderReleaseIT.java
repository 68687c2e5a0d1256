package ai.alo.audio.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.alo.audio.it.app.LoaderBeacon;
import ai.alo.audio.it.app.Reconnector;
import ai.alo.audio.it.app.TrafficServlet;
import ai.alo.audio.it.probe.LeakProbeServlet;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.logging.Logger;
import org.jboss.arquillian.container.test.api.Deployer;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * After undeploy, the application's class loader can be collected: no thread of the server (a pooled request thread,
 * the managed executor, the thread that ran the undeploy) and nothing server-wide keeps an object of the application,
 * of its Tyrus or of this module alive, even after those threads used the client's socket.
 *
 * <p>The application ({@code leak-victim}) connects and disconnects from a servlet request thread, and reconnects from
 * an {@code @ObservesAsync} observer (a managed thread, today the server's managed executor) after the reference
 * service dropped the connection; it is then undeployed while connected, so the shutdown's {@code leave} and close
 * frame are written from the undeploying thread. The application itself submits nothing to the server's executors
 * (see {@link TrafficServlet}): what keeps its loader alive, if anything, is the server's or the module's doing.
 *
 * <p>It leaves only a {@code WeakReference} to its class loader in the system properties ({@link LoaderBeacon}); the
 * long-lived {@code leak-probe} deployment reads it, runs the garbage collector in bounded rounds and says whether it
 * was cleared, or what still holds the loader (with a heap dump, {@code target/leak-<server>.hprof}, for analysis). As
 * a control, the application first pins its own loader with a strong reference: the probe must report it reachable,
 * so that "cleared" afterwards means the loader really went, not that the probe looked at the wrong reference.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class ClassLoaderReleaseIT {

    private static final Logger LOG = Logger.getLogger(ClassLoaderReleaseIT.class.getName());

    private static final String PROBE = "leak-probe";
    private static final String NAME = "leak-victim";
    private static final String USER = "it-leak";
    private static final String CHANNEL = "leak";
    private static final String KEY = LoaderBeacon.KEY_PREFIX + "/" + NAME;
    /**
     * Request threads started before the application is deployed. A request thread that the server starts for a
     * request keeps that first request in its outermost frame for as long as the thread lives (seen in a WildFly heap
     * dump: {@code default task-3}, a JavaFrame root holding an {@code EnhancedQueueExecutor$Task} whose exchange led
     * to the undeployed deployment, after that thread had run a newer request); no later request replaces it. Started
     * beforehand, the idle threads take the application's requests, which they do not keep.
     */
    private static final int PREWARMED_REQUEST_THREADS = 4;
    /** Rounds of System.gc(); each waits up to 0.5 s for the reference to be enqueued. */
    private static final int ROUNDS = 10;

    @Deployment(name = PROBE, testable = false)
    static WebArchive probe() {
        return ShrinkWrap.create(WebArchive.class, PROBE + ".war").addClass(LeakProbeServlet.class);
    }

    @Deployment(name = NAME, managed = false, testable = false)
    static WebArchive application() {
        return Deployments.war(NAME, USER).addClasses(LoaderBeacon.class, Reconnector.class, TrafficServlet.class);
    }

    @ArquillianResource
    Deployer deployer;

    @Test
    void undeploy_afterSocketUseFromContainerThreads_leavesTheClassLoaderCollectable() throws Exception {
        AppServer server = AppServer.current();
        AppControl probe = new AppControl(server.httpPort(), PROBE);
        // The server's managed executor grows on demand; a thread it starts for this application keeps, on Payara,
        // the access control context of the stack that submitted (protection domains of the application). The suite
        // runs this class first (failsafe runOrder alphabetical), when that pool has not been used yet.
        String executorBefore = probe.get("probe", "executor-threads");
        String warmed = startRequestThreads(probe, PREWARMED_REQUEST_THREADS);
        try {
            deployer.deploy(NAME);
            try {
                String loader = probe.get("probe", "describe", "key", KEY);
                assertTrue(loader.startsWith("present "), loader);
                LOG.info(() -> server.name() + ": watching " + loader);
                useFromContainerThreads(new AppControl(server.httpPort(), NAME));
            } finally {
                deployer.undeploy(NAME);
            }
            // the shutdown's close, written from the thread that undeployed
            ReferenceService.await("closed " + USER + " 1001");
            String requestThreads = runARequestOnEveryRequestThread(probe);

            String pinned = probe.get("probe", "collect", "key", KEY, "rounds", "2");
            assertTrue(pinned.startsWith("reachable 2") && pinned.contains("\nloader: "),
                    "the control: the probe must see the pinned loader as reachable:\n" + pinned);
            assertEquals("unpinned", probe.get("probe", "unpin", "key", KEY));

            File dump = new File("target", "leak-" + server.name() + ".hprof").getAbsoluteFile();
            if (dump.exists() && !dump.delete()) {
                throw new IllegalStateException("cannot delete " + dump);
            }
            String result = probe.get("probe", "collect", "key", KEY, "rounds", String.valueOf(ROUNDS), "dump",
                    dump.getPath());
            LOG.info(() -> server.name() + ": class loader of the undeployed application: " + result);
            // the figures, for the record (target/class-loader-release-<server>.txt)
            Files.writeString(Path.of("target", "class-loader-release-" + server.name() + ".txt"),
                    "managed executor threads before the application: " + executorBefore
                            + "\nrequest threads started before the application: " + warmed + "\nafter: "
                            + probe.get("probe", "executor-threads") + "\ncontrol (pinned): "
                            + pinned.lines().findFirst().orElse("") + "\nrequest threads: " + requestThreads
                            + "\nafter unpinning: " + result + "\n");
            assertTrue(result.startsWith("cleared "), "the class loader of the undeployed application is still "
                    + "reachable after " + ROUNDS + " rounds of GC:\n" + result);
        } finally {
            probe.get("probe", "forget", "key", KEY);
        }
        assertEquals(List.of(), server.moduleThreads(), "threads of the module left in the server JVM");
    }

    /**
     * Holds {@code count} probe requests at once, so that the server has at least that many request threads, each
     * started for a probe request.
     *
     * @return the threads' names, for the record
     */
    private static String startRequestThreads(AppControl probe, int count) throws Exception {
        List<String> ran = probe.getConcurrently(count, "probe", "rendezvous", "round", UUID.randomUUID().toString(),
                "parties", String.valueOf(count));
        assertTrue(ran.stream().noneMatch(r -> r.startsWith("alone ")), "all held together: " + ran);
        return new TreeSet<>(ran).toString();
    }

    /**
     * Makes every idle request thread of the server run a probe request: WildFly's idle request threads keep a
     * reference to the last task they ran until they run the next one, and that task may be a request to the
     * undeployed application (its servlet, and through it the deployment). That is the server's, released by its
     * next request; the test is about what stays.
     *
     * @return what was done, for the record
     */
    private static String runARequestOnEveryRequestThread(AppControl probe) throws Exception {
        int threads = Integer.parseInt(probe.get("probe", "workers"));
        List<String> ran = probe.getConcurrently(threads, "probe", "rendezvous", "round",
                UUID.randomUUID().toString(), "parties", String.valueOf(threads));
        Set<String> distinct = new TreeSet<>(ran);
        assertEquals(threads, distinct.size(), "each request on its own thread: " + ran);
        assertTrue(ran.stream().noneMatch(r -> r.startsWith("alone ")), "all held together: " + ran);
        return threads + " request threads each ran a probe request: " + distinct;
    }

    /** Socket writes (connect, leave, close frames) from server threads the module does not own. */
    private static void useFromContainerThreads(AppControl app) throws Exception {
        // a servlet request thread
        assertEquals("CONNECTED", app.connect(CHANNEL));
        assertEquals("DISCONNECTED", app.disconnect());
        assertEquals("CONNECTED", app.connect(CHANNEL));

        // an @ObservesAsync observer (on the async executor the module chose) reconnects after the service dropped
        // the connection
        app.get("traffic", "arm-reconnect");
        assertTrue(ReferenceService.get().dropConnection(USER));
        List<String> lines = app.awaitEvents("the reconnect from the async observer", l ->
                !AppControl.matching(l, "reconnected-async").isEmpty()
                        || !AppControl.matching(l, "reconnect-failed").isEmpty());
        List<String> reconnected = AppControl.matching(lines, "reconnected-async", "managed=true", "state=CONNECTED");
        assertEquals(1, reconnected.size(), "reconnected from a managed thread: " + lines);
        assertTrue(!reconnected.get(0).matches(".*thread=alo-audio-cdi-\\d+-event-\\d+;.*"),
                "not on the runtime's event thread: " + reconnected);
        assertEquals("CONNECTED", app.state());

        app.get("traffic", "pin");
    }
}
