package ai.alo.audio.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import ai.alo.audio.AloAudio;
import ai.alo.audio.AudioChannel;
import ai.alo.audio.ConnectionState;
import ai.alo.audio.DisconnectReason;
import ai.alo.audio.event.DisconnectEvent;
import ai.alo.audio.server.AloAudioServer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.URI;
import java.util.concurrent.TimeUnit;
import org.jboss.weld.junit.MockBean;
import org.jboss.weld.junit5.EnableWeld;
import org.jboss.weld.junit5.ExplicitParamInjection;
import org.jboss.weld.junit5.WeldInitiator;
import org.jboss.weld.junit5.WeldSetup;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The kit with Weld's JUnit 5 extension (weld-junit5): CDI beans get the kit's URI through a bean whose value is read
 * from the kit when the container starts, test methods get the kit's objects as parameters, and the two extensions do
 * not compete. {@code @ExplicitParamInjection} is needed: without it weld-junit5 claims every unqualified test-method
 * parameter and fails on those that are not beans (such as {@code FaultProxy}).
 */
@EnableWeld
@ExplicitParamInjection
class WeldCompositionTest {

    @RegisterExtension
    static final AloAudioTestKit KIT = AloAudioTestKit.builder().build();

    /** A bean of the application under test that connects to the service it is configured with. */
    @ApplicationScoped
    static class Console {

        @Inject
        URI serviceUri;

        URI serviceUri() {
            return serviceUri;
        }

        AloAudio connect(TestUser user) throws Exception {
            AloAudio audio = AloAudio.create(user.config().serverUri(serviceUri).build());
            audio.connect(AudioChannel.pushToTalk("weld", "Weld")).get(10, TimeUnit.SECONDS);
            return audio;
        }
    }

    @WeldSetup
    WeldInitiator weld = WeldInitiator.from(Console.class)
            .addBeans(MockBean.builder().types(URI.class).create(context -> KIT.uri()).build())
            .build();

    @Inject
    Console console;

    @Test
    void beanConnectsThroughTheProxy_andSeesTheCut(FaultProxy proxy, AloAudioServer server) throws Exception {
        assertNotNull(console);
        assertEquals(KIT.uri(), console.serviceUri()); // through the client proxy: a method, not the field
        EventRecorder events = new EventRecorder();
        try (AloAudio audio = console.connect(KIT.user("weld-user"))) {
            audio.addListener(events);
            assertEquals(ConnectionState.CONNECTED, audio.state());
            assertEquals(1, server.participants("weld").size());

            proxy.cut();
            DisconnectEvent lost = events.nextDisconnect(10);
            assertEquals(DisconnectReason.CONNECTION_LOST, lost.reason());
            assertEquals(DisconnectEvent.LOST_CONNECTION_MESSAGE, lost.message());
            assertNull(events.pollDisconnect(300));
        }
    }
}
