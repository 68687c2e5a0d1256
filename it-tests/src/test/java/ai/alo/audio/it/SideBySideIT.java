package ai.alo.audio.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.util.List;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.OperateOnDeployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Two applications using the module side by side in one server never see each other's events. */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class SideBySideIT {

    @Deployment(name = "a", testable = false)
    static WebArchive first() {
        return Deployments.war("side-a", "it-side-a");
    }

    @Deployment(name = "b", testable = false)
    static WebArchive second() {
        return Deployments.war("side-b", "it-side-b");
    }

    @Test
    void twoApplications_seeOnlyTheirOwnEvents(@ArquillianResource @OperateOnDeployment("a") URL a,
                                               @ArquillianResource @OperateOnDeployment("b") URL b)
            throws Exception {
        AppControl appA = new AppControl(a);
        AppControl appB = new AppControl(b);
        assertEquals("CONNECTED", appA.connect("side"));
        assertEquals("CONNECTED", appB.connect("side"));

        ReferenceService.get().dropConnection("it-side-a");
        appA.awaitEvents("A's lost connection", lines ->
                AppControl.matching(lines, "sync-disconnect", "user=it-side-a", "state=ERROR").size() == 1);
        assertEquals("DISCONNECTED", appB.disconnect());
        List<String> linesB = appB.awaitEvents("B's disconnect", lines ->
                AppControl.matching(lines, "sync-disconnect", "user=it-side-b").size() == 1);

        List<String> linesA = appA.events();
        assertTrue(AppControl.matching(linesA, "sync-disconnect", "user=it-side-b").isEmpty(),
                "A saw B's event: " + linesA);
        assertTrue(AppControl.matching(linesB, "sync-disconnect", "user=it-side-a").isEmpty(),
                "B saw A's event: " + linesB);
        assertEquals(1, AppControl.matching(linesB, "sync-disconnect").size(), "B: " + linesB);
    }
}
