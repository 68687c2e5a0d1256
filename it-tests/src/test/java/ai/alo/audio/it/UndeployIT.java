package ai.alo.audio.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.alo.audio.AloAudio;
import ai.alo.audio.AloAudioConfig;
import ai.alo.audio.AudioChannel;
import ai.alo.audio.AudioUser;
import ai.alo.audio.Participant;
import ai.alo.audio.event.AloAudioEvent;
import ai.alo.audio.event.DisconnectEvent;
import ai.alo.audio.event.ParticipantsChangedEvent;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jboss.arquillian.container.test.api.Deployer;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Undeploying an application while its client is connected closes the connection with 1001 after a leave, the other
 * participants see the user leave at once, and no thread of the module is left in the server JVM (checked in the
 * server's own thread dump).
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class UndeployIT {

    private static final String NAME = "undeploy-connected";
    private static final String USER = "it-undeploy";
    private static final String CHANNEL = "undeploy";

    @Deployment(name = NAME, managed = false, testable = false)
    static WebArchive deployment() {
        return Deployments.war(NAME, USER);
    }

    @ArquillianResource
    Deployer deployer;

    @Test
    void undeploy_whileConnected_leavesWith1001_othersAreToldAtOnce_noThreadLeft() throws Exception {
        AppServer server = AppServer.current();
        BlockingQueue<List<Participant>> seenByWatcher = new LinkedBlockingQueue<>();
        List<DisconnectEvent> watcherLost = new CopyOnWriteArrayList<>();
        try (AloAudio watcher = AloAudio.create(AloAudioConfig.builder().name("watcher")
                .serverUri(ReferenceService.get().uri())
                .mediaEnabled(false)
                .user(AudioUser.of("it-undeploy-watcher", "Watcher"))
                .userAuthToken(ReferenceService.token("it-undeploy-watcher")).build())) {
            watcher.addListener(new ai.alo.audio.AloAudioListener() {
                @Override
                public void onEvent(AloAudioEvent event) {
                    if (event instanceof ParticipantsChangedEvent changed) {
                        seenByWatcher.add(changed.participants());
                    } else if (event instanceof DisconnectEvent lost) {
                        watcherLost.add(lost);
                    }
                }
            });
            watcher.connect(AudioChannel.pushToTalk(CHANNEL, CHANNEL)).get(10, TimeUnit.SECONDS);

            deployer.deploy(NAME);
            AppControl app = new AppControl(server.httpPort(), NAME);
            assertEquals("CONNECTED", app.connect(CHANNEL));
            awaitParticipants(seenByWatcher, 2, watcherLost);
            assertTrue(!server.moduleThreads().isEmpty(), "the connected client's threads show in the dump");

            long start = System.nanoTime();
            deployer.undeploy(NAME);
            long undeployMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

            ReferenceService.await("closed " + USER + " 1001");
            ReferenceService.await("left " + USER + " " + CHANNEL + " left");
            awaitParticipants(seenByWatcher, 1, watcherLost);
            assertTrue(undeployMillis < 60_000, "undeploy took " + undeployMillis + " ms");
        }
        List<String> left = server.moduleThreads();
        assertEquals(List.of(), left, "threads of the module left in the server JVM after undeploy");
    }

    private static void awaitParticipants(BlockingQueue<List<Participant>> seen, int count,
                                          List<DisconnectEvent> watcherLost) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(ReferenceService.WAIT_SECONDS);
        while (true) {
            List<Participant> participants = seen.poll(Math.max(0, deadline - System.nanoTime()),
                    TimeUnit.NANOSECONDS);
            if (participants == null) {
                throw new AssertionError("the watcher never saw " + count + " participant(s)"
                        + (watcherLost.isEmpty() ? "" : "; the watcher itself was disconnected: " + watcherLost));
            }
            if (participants.size() == count) {
                return;
            }
        }
    }
}
