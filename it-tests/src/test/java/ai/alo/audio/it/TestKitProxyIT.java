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
 * The test kit in an Arquillian client-side test: {@link AloAudioTestKit} runs the reference service and its {@link
 * FaultProxy} in the test JVM, the deployed application's default client connects to the service <em>through the
 * proxy</em> (loopback: the application server runs on this machine), and {@link FaultProxy#cut()} breaks that
 * connection. The application must observe exactly one {@code ERROR} "Lost connection to the server", with
 * {@code @Observes} and with {@code @ObservesAsync}.
 *
 * <p>Extension order: Arquillian's extension is registered first (class annotation), so its {@code beforeAll} deploys,
 * and calls {@link #deployment()}, before the kit's {@code beforeAll}; the kit's accessors start the class's service
 * on that first call and the kit's {@code beforeAll} adopts it ({@code docs/testkit.md}, "Arquillian").
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class TestKitProxyIT {

    private static final String USER = "it-testkit-proxy";

    @RegisterExtension
    static final AloAudioTestKit KIT = AloAudioTestKit.builder().build();

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.war("testkit-proxy", USER, KIT.uri(), KIT.users().token(USER, Duration.ofHours(2)),
                Deployments.Discovery.ANNOTATED, Map.of());
    }

    @ArquillianResource
    URL contextRoot;

    @Test
    void cut_isObservedByTheDeploymentAsExactlyOneLostConnection() throws Exception {
        AppControl app = new AppControl(contextRoot);
        app.disconnect();
        app.clear();
        FaultProxy proxy = KIT.proxy();
        long acceptedBefore = proxy.connectionsAccepted();

        assertEquals("CONNECTED", app.connect("dispatch"));
        assertEquals(1, proxy.openConnections(), "the deployment's client connects through the proxy: " + proxy);
        assertTrue(KIT.server().sessions().stream().anyMatch(s -> USER.equals(s.userId())),
                () -> "the kit's service has the deployment's session: " + KIT.server().sessions());

        assertEquals(1, proxy.cut(), "the deployment's connection is cut");
        app.awaitEvents("the ERROR event, sync and async", l ->
                !AppControl.matching(l, "sync-disconnect", "state=ERROR").isEmpty()
                        && !AppControl.matching(l, "async-disconnect", "state=ERROR").isEmpty());

        // marker: disconnect (which also ends any reconnecting), connect and disconnect once more through the proxy;
        // the client delivers its events in order, so a second ERROR of the cut would have come before the marker's
        // DISCONNECTED
        app.disconnect();
        assertEquals("CONNECTED", app.connect("dispatch"));
        assertEquals("DISCONNECTED", app.disconnect());
        List<String> lines = app.awaitEvents("the marker's DISCONNECTED, sync and async", l ->
                !AppControl.matching(l, "sync-disconnect", "state=DISCONNECTED").isEmpty()
                        && !AppControl.matching(l, "async-disconnect", "state=DISCONNECTED").isEmpty());

        List<String> lost = AppControl.matching(lines, "sync-disconnect", "message=Lost connection to the server;");
        List<String> asyncLost = AppControl.matching(lines, "async-disconnect",
                "message=Lost connection to the server;");
        assertEquals(1, lost.size(), "exactly one @Observes 'Lost connection to the server': " + lines);
        assertEquals(1, asyncLost.size(), "exactly one @ObservesAsync 'Lost connection to the server': " + lines);
        for (String line : List.of(lost.get(0), asyncLost.get(0))) {
            assertTrue(line.contains("state=ERROR;reason=CONNECTION_LOST"), line);
        }
        assertTrue(proxy.connectionsAccepted() - acceptedBefore >= 2,
                "the marker's connection went through the proxy too: " + proxy.connectionsAccepted());
    }
}
