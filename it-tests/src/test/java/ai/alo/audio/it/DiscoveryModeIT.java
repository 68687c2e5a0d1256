package ai.alo.audio.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URL;
import java.util.Map;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.OperateOnDeployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code @Inject AloAudio} works whatever the application's bean discovery: {@code beans.xml} with mode {@code
 * annotated}, with mode {@code all}, and no {@code beans.xml} at all. The module's jar has no {@code beans.xml}; its
 * extension registers its beans.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class DiscoveryModeIT {

    @Deployment(name = "annotated", testable = false)
    static WebArchive annotated() {
        return Deployments.war("discovery-annotated", "it-discovery-annotated", Deployments.Discovery.ANNOTATED,
                Map.of());
    }

    @Deployment(name = "all", testable = false)
    static WebArchive all() {
        return Deployments.war("discovery-all", "it-discovery-all", Deployments.Discovery.ALL, Map.of());
    }

    @Deployment(name = "none", testable = false)
    static WebArchive none() {
        return Deployments.war("discovery-none", "it-discovery-none", Deployments.Discovery.NO_BEANS_XML, Map.of());
    }

    @Test
    void beansXmlAnnotated_injectsAndConnects(@ArquillianResource @OperateOnDeployment("annotated") URL url)
            throws Exception {
        connectAndDisconnect(new AppControl(url), "it-discovery-annotated");
    }

    @Test
    void beansXmlAll_injectsAndConnects(@ArquillianResource @OperateOnDeployment("all") URL url) throws Exception {
        connectAndDisconnect(new AppControl(url), "it-discovery-all");
    }

    @Test
    void noBeansXml_injectsAndConnects(@ArquillianResource @OperateOnDeployment("none") URL url) throws Exception {
        connectAndDisconnect(new AppControl(url), "it-discovery-none");
    }

    private static void connectAndDisconnect(AppControl app, String user) throws Exception {
        assertEquals("NOT_CONNECTED", app.state());
        assertEquals("CONNECTED", app.connect("discovery"));
        ReferenceService.await("joined " + user + " discovery");
        assertEquals("DISCONNECTED", app.disconnect());
        ReferenceService.await("closed " + user + " 1000");
        app.awaitEvents("the DisconnectEvent", lines ->
                AppControl.matching(lines, "sync-disconnect", "user=" + user, "state=DISCONNECTED").size() == 1);
    }
}
