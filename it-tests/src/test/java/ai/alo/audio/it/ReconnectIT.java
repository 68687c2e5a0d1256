package ai.alo.audio.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.alo.audio.testkit.AloAudioTestKit;
import ai.alo.audio.testkit.FaultProxy;
import java.net.URL;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Automatic reconnects on the application server: the deployment's default client (reconnects on, as by default)
 * connects through the test kit's fault proxy; {@link FaultProxy#cut()} breaks the connection; CDI observers see one
 * {@code DisconnectEvent} with {@code willReconnect=true}, {@code RECONNECT_PENDING}, and a {@code ReconnectedEvent}
 * (the service kept the session), and the client is {@code CONNECTED} again without the application doing anything.
 * {@code disconnect()} then ends the session with {@code willReconnect=false}, and nothing reconnects afterwards.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class ReconnectIT {

    private static final String USER = "it-reconnect";

    @RegisterExtension
    static final AloAudioTestKit KIT = AloAudioTestKit.builder().build();

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.war("reconnect", USER, KIT.uri(), KIT.users().token(USER, Duration.ofHours(2)),
                Deployments.Discovery.ANNOTATED, Map.of("alo.audio.reconnect.enabled", "true"));
    }

    @ArquillianResource
    URL contextRoot;

    @Test
    void cut_isReportedOnce_andTheClientReconnectsOnItsOwn() throws Exception {
        AppControl app = new AppControl(contextRoot);
        app.disconnect();
        app.clear();
        FaultProxy proxy = KIT.proxy();

        assertEquals("CONNECTED", app.connect("dispatch"));
        String sessionBefore = KIT.server().sessions().stream().filter(s -> USER.equals(s.userId())).findFirst()
                .orElseThrow().sessionId();
        assertEquals(1, proxy.cut(), "the deployment's connection is cut");
        List<String> lines = app.awaitEvents("the reconnect, seen by @Observes", l ->
                !AppControl.matching(l, "sync ReconnectedEvent", "resumed=true").isEmpty());
        assertEquals("CONNECTED", app.state());
        assertTrue(KIT.server().sessions().stream().anyMatch(s -> USER.equals(s.userId())
                && sessionBefore.equals(s.sessionId())), () -> "resumed: " + KIT.server().sessions());

        List<String> losses = AppControl.matching(lines, "sync-disconnect", "state=ERROR");
        assertEquals(1, losses.size(), "one loss: " + lines);
        assertTrue(losses.get(0).contains("message=Lost connection to the server;willReconnect=true"),
                losses.get(0));
        assertTrue(!AppControl.matching(lines, "sync ConnectionChangeEvent", "state=RECONNECT_PENDING").isEmpty(),
                "RECONNECT_PENDING observed: " + lines);

        assertEquals("DISCONNECTED", app.disconnect());
        List<String> end = app.awaitEvents("the final DisconnectEvent, sync and async", l ->
                !AppControl.matching(l, "sync-disconnect", "state=DISCONNECTED").isEmpty()
                        && !AppControl.matching(l, "async-disconnect", "state=DISCONNECTED").isEmpty());
        assertTrue(AppControl.matching(end, "sync-disconnect", "state=DISCONNECTED").get(0)
                .contains("willReconnect=false"), end.toString());
        long accepted = proxy.connectionsAccepted();
        Thread.sleep(1_500);
        assertEquals(accepted, proxy.connectionsAccepted(), "nothing reconnects after disconnect()");
        assertEquals("DISCONNECTED", app.state());
    }
}
