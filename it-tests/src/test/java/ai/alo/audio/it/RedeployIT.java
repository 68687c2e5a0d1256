package ai.alo.audio.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.jboss.arquillian.container.test.api.Deployer;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Deploy, use, undeploy, five times in one server JVM: each new class loader connects, reports a lost connection
 * exactly once, and leaves with 1001 on undeploy; no thread of the module accumulates.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class RedeployIT {

    private static final String NAME = "redeployed";
    private static final int ROUNDS = 5;

    @Deployment(name = NAME, managed = false, testable = false)
    static WebArchive deployment() {
        return Deployments.war(NAME, "it-redeploy");
    }

    @ArquillianResource
    Deployer deployer;

    @Test
    void deployUseUndeploy_fiveTimesInOneServer() throws Exception {
        AppServer server = AppServer.current();
        for (int round = 1; round <= ROUNDS; round++) {
            String channel = "redeploy-" + round;
            deployer.deploy(NAME);
            try {
                AppControl app = new AppControl(server.httpPort(), NAME);
                assertEquals("CONNECTED", app.connect(channel), "round " + round);
                ReferenceService.get().dropConnection("it-redeploy");
                app.awaitEvents("the ERROR event of round " + round, lines ->
                        AppControl.matching(lines, "sync-disconnect", "state=ERROR").size() == 1);
                assertEquals("CONNECTED", app.connect(channel), "reconnect in round " + round);
                ReferenceService.await("joined it-redeploy " + channel);
            } finally {
                deployer.undeploy(NAME);
            }
            ReferenceService.await("left it-redeploy " + channel + " left");
            assertEquals(List.of(), server.moduleThreads(), "module threads after undeploy " + round);
        }
    }
}
