package ai.alo.audio.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.alo.audio.AloAudio;
import ai.alo.audio.AudioChannel;
import ai.alo.audio.ConnectionState;
import ai.alo.audio.server.AloAudioServer;
import java.net.URI;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code @ExtendWith(AloAudioTestKit.class)} with its defaults: one service and proxy for the class, injected. */
@ExtendWith(AloAudioTestKit.class)
class ExtendWithInjectionTest {

    private final AloAudioServer serverOfConstructor;

    ExtendWithInjectionTest(AloAudioServer server) {
        this.serverOfConstructor = server;
    }

    private FaultProxy proxyOfBeforeEach;

    @BeforeEach
    void before(FaultProxy proxy) {
        proxyOfBeforeEach = proxy;
    }

    @Test
    void everythingIsInjected_consistently(AloAudioServer server, FaultProxy proxy, ServiceUri serviceUri, URI uri,
                                           TestUsers users) {
        assertSame(serverOfConstructor, server);
        assertSame(proxyOfBeforeEach, proxy);
        assertTrue(server.isRunning());
        assertTrue(proxy.isRunning());
        assertFalse(server.mediaStatus().enabled(), "media is off by default");
        assertEquals(server.uri(), serviceUri.direct());
        assertEquals(proxy.uri(server.uri()), serviceUri.uri());
        assertEquals(serviceUri.uri(), uri);
        assertEquals(server.port(), proxy.target().getPort());
        assertEquals(uri, users.user("u").serviceUri());
    }

    @Test
    void aClientConnectsThroughTheProxy(TestUsers users, FaultProxy proxy, AloAudioServer server) throws Exception {
        TestUser alice = users.user("alice-extendwith");
        assertFalse(alice.toString().contains(alice.token()), "the token shows in " + alice);
        assertFalse(alice.config().build().mediaEnabled());
        long before = proxy.connectionsAccepted();
        try (AloAudio audio = AloAudio.create(alice.config().build())) {
            audio.connect(AudioChannel.pushToTalk("room", "Room")).get(10, TimeUnit.SECONDS);
            assertEquals(ConnectionState.CONNECTED, audio.state());
            assertEquals(before + 1, proxy.connectionsAccepted());
            assertEquals(1, server.participants("room").size());
        }
    }

    @Nested
    class NestedClass {

        @Test
        void sharesTheEnclosingClassesService(AloAudioServer server) {
            assertSame(serverOfConstructor, server);
        }
    }
}
