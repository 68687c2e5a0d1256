package ai.alo.audio.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.util.List;
import java.util.regex.Pattern;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code @Observes} and {@code @ObservesAsync DisconnectEvent} in a real server: {@code DISCONNECTED} after {@code
 * disconnect()}, {@code ERROR} with "Lost connection to the server" after the reference service drops the connection,
 * each exactly once, on container-managed threads where JNDI, a {@code @Transactional} bean and an EJB work.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class DisconnectEventIT {

    private static final String USER = "it-disconnect";
    private static final Pattern EVENT_THREAD = Pattern.compile(";thread=alo-audio-cdi-\\d+-event-\\d+;");

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.war("disconnect-events", USER);
    }

    @ArquillianResource
    URL contextRoot;

    private AppControl app;

    @BeforeEach
    void clear() throws Exception {
        app = new AppControl(contextRoot);
        app.disconnect();
        app.clear();
    }

    @Test
    void disconnect_isObservedOnceAsDisconnected_syncAndAsync() throws Exception {
        assertEquals("CONNECTED", app.connect("dispatch"));
        assertEquals("DISCONNECTED", app.disconnect());
        ReferenceService.await("closed " + USER + " 1000");

        // a second connection and its disconnect are the marker that nothing else is coming for the first
        app.connect("dispatch");
        app.disconnect();
        List<String> lines = app.awaitEvents("both connections' events", l ->
                AppControl.matching(l, "sync-disconnect").size() == 2
                        && AppControl.matching(l, "async-disconnect").size() == 2);

        List<String> sync = AppControl.matching(lines, "sync-disconnect");
        List<String> async = AppControl.matching(lines, "async-disconnect");
        assertEquals(2, sync.size(), "one @Observes DisconnectEvent per connection: " + sync);
        assertEquals(2, async.size(), "one @ObservesAsync DisconnectEvent per connection: " + async);
        for (String line : sync) {
            assertTrue(line.contains("state=DISCONNECTED;reason=CLIENT_INITIATED;closeCode=1000"), line);
            assertTrue(line.contains("message=;"), line);
        }
        assertTrue(!session(sync.get(0)).equals(session(sync.get(1))), "two sessions: " + sync);
    }

    @Test
    void droppedConnection_isObservedOnceAsError_onManagedThreads() throws Exception {
        assertEquals("CONNECTED", app.connect("dispatch"));
        assertTrue(ReferenceService.get().dropConnection(USER));

        List<String> lines = app.awaitEvents("the ERROR event, sync and async", l ->
                !AppControl.matching(l, "sync-disconnect", "state=ERROR").isEmpty()
                        && !AppControl.matching(l, "async-disconnect", "state=ERROR").isEmpty());
        assertEquals("ERROR", app.state());
        // marker: reconnect and disconnect, so that a duplicate ERROR event would have shown up before it
        app.connect("dispatch");
        app.disconnect();
        lines = app.awaitEvents("the marker", l -> AppControl.matching(l, "async-disconnect").size() == 2);

        List<String> errors = AppControl.matching(lines, "sync-disconnect", "state=ERROR");
        List<String> asyncErrors = AppControl.matching(lines, "async-disconnect", "state=ERROR");
        assertEquals(1, errors.size(), "exactly one @Observes ERROR: " + lines);
        assertEquals(1, asyncErrors.size(), "exactly one @ObservesAsync ERROR: " + lines);
        for (String line : List.of(errors.get(0), asyncErrors.get(0))) {
            assertTrue(line.contains("reason=CONNECTION_LOST;closeCode=1006"), line);
            assertTrue(line.contains("message=Lost connection to the server;"), line);
            // container-managed thread: JNDI, a @Transactional bean and an EJB work from the observer
            assertTrue(line.contains("managed=true"), line);
            assertTrue(line.contains("jndi=disconnect-events"), line);
            assertTrue(line.contains("tx=active"), line);
            assertTrue(line.contains("ejb=active"), line);
        }
        // the application's runtime delivers @Observes on its event threads (named alo-audio-cdi-<n>-event-<k>),
        // @ObservesAsync elsewhere (a managed thread, as asserted above)
        assertTrue(EVENT_THREAD.matcher(errors.get(0)).find(), "sync on the runtime's event thread: "
                + errors.get(0));
        assertTrue(!EVENT_THREAD.matcher(asyncErrors.get(0)).find(), "async not on an event thread: "
                + asyncErrors.get(0));
    }

    private static String session(String line) {
        int at = line.indexOf("session=");
        return line.substring(at, line.indexOf(';', at));
    }
}
