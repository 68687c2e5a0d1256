package ai.alo.audio.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.alo.audio.AloAudio;
import ai.alo.audio.AloConnectException;
import ai.alo.audio.ConnectionState;
import ai.alo.audio.DisconnectReason;
import ai.alo.audio.event.DisconnectEvent;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A connection that the server or the network ends during the WebSocket handshake (after the upgrade request was
 * sent) fails the connect at once with {@code CONNECT_FAILED}, not after the whole connect timeout; a handshake that
 * hangs fails at the connect timeout, with its socket closed and its connect thread released.
 */
class HandshakeFailureTest extends ServerBackedTest {

    /** Far longer than any bound below: a failure reported before it was not a timeout. */
    private static final Duration LONG_CONNECT_TIMEOUT = Duration.ofSeconds(30);

    @ParameterizedTest
    @EnumSource(value = SilentTcpServer.Behaviour.class, names = {"CLOSE_AFTER_REQUEST", "RESET_AFTER_REQUEST"})
    void peerEndsConnectionDuringHandshake_failsAtOnceWithConnectFailed(SilentTcpServer.Behaviour behaviour)
            throws Exception {
        try (SilentTcpServer broken = new SilentTcpServer(behaviour)) {
            String user = ServerFixture.newUserId();
            RecordingListener events = new RecordingListener();
            AloAudio audio = fixture.client(fixture.config(user).name(user).serverUri(broken.uri())
                    .connectTimeout(LONG_CONNECT_TIMEOUT).build(), events);

            long start = System.nanoTime();
            AloConnectException failure = BadInputTest.connectFailure(audio.connect(ServerFixture.CHANNEL));
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

            assertEquals(DisconnectReason.CONNECT_FAILED, failure.reason());
            assertTrue(failure.getMessage().contains("closed the connection during the WebSocket handshake"),
                    failure.getMessage());
            assertTrue(millis < 5_000, "reported after " + millis + " ms; the connect timeout is "
                    + LONG_CONNECT_TIMEOUT.toMillis() + " ms");
            DisconnectEvent event = events.nextDisconnect();
            assertEquals(ConnectionState.ERROR, event.state());
            assertEquals(DisconnectReason.CONNECT_FAILED, event.reason());
            assertFalse(event.wasConnected());
            assertEquals(ConnectionState.ERROR, audio.state());
            fixture.awaitNothingHeld();
        }
    }

    @Test
    void httpErrorStatus_failsAtOnceNamingTheStatus() throws Exception {
        try (SilentTcpServer busy = new SilentTcpServer(SilentTcpServer.Behaviour.HTTP_503)) {
            String user = ServerFixture.newUserId();
            AloAudio audio = fixture.client(fixture.config(user).name(user).serverUri(busy.uri())
                    .connectTimeout(LONG_CONNECT_TIMEOUT).build(), null);

            long start = System.nanoTime();
            AloConnectException failure = BadInputTest.connectFailure(audio.connect(ServerFixture.CHANNEL));
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

            assertEquals(DisconnectReason.CONNECT_FAILED, failure.reason());
            assertTrue(failure.getMessage().contains("HTTP 503") && failure.getMessage().contains("capacity"),
                    failure.getMessage());
            assertTrue(millis < 5_000, "reported after " + millis + " ms");
            fixture.awaitNothingHeld();
        }
    }

    @Test
    void hangingHandshake_failsAtTheConnectTimeout_closesItsSocketAndFreesItsConnectThread() throws Exception {
        // one connect thread only: if the hanging connect kept it, the next connect could not run
        try (SilentTcpServer silent = new SilentTcpServer();
             ServerFixture fixture = new ServerFixture(ai.alo.audio.server.AloAudioServer.builder(),
                     ai.alo.audio.AloAudioRuntimeConfig.builder().connectThreads(1))) {
            String user = ServerFixture.newUserId();
            AloAudio stuck = fixture.client(fixture.config(user).name(user).serverUri(silent.uri())
                    .connectTimeout(Duration.ofMillis(500)).build(), null);

            AloConnectException failure = BadInputTest.connectFailure(stuck.connect(ServerFixture.CHANNEL));

            assertEquals(DisconnectReason.CONNECT_TIMEOUT, failure.reason());
            assertTrue(silent.allClosedByPeer(), "the hanging socket was closed");
            String other = ServerFixture.newUserId();
            AloAudio next = fixture.client(other, null);
            assertEquals(ServerFixture.CHANNEL, next.connect(ServerFixture.CHANNEL).get(10, TimeUnit.SECONDS));
            next.disconnect();
            fixture.awaitNothingHeld();
        }
    }
}
