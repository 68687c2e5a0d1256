package ai.alo.audio.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.alo.audio.protocol.Capability;
import ai.alo.audio.protocol.ErrorMessage;
import ai.alo.audio.protocol.Hello;
import ai.alo.audio.protocol.MediaOffer;
import ai.alo.audio.protocol.ProtocolVersion;
import ai.alo.audio.protocol.UserInfo;
import ai.alo.audio.protocol.Welcome;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.glassfish.tyrus.client.ClientManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The signalling side of the media relay, without any WebRTC session (so it runs outside a network namespace): the
 * capability in {@code welcome}, {@code media.unavailable}, {@code not-joined} and the refusals made before libwebrtc
 * sees an offer; and that none of that starts the WebRTC engine or a relay thread.
 */
class MediaSignallingTest {

    /** Looks like an offer to the server's checks; never reaches libwebrtc in these tests. */
    private static final String OPUS_OFFER = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
            + "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\na=ice-ufrag:SECRETUFRAG\r\n"
            + "a=ice-pwd:SECRETPASSWORD0123456789\r\na=rtpmap:111 opus/48000/2\r\n";

    private final List<AloAudioServer> servers = new ArrayList<>();
    private final List<TestPeer> peers = new ArrayList<>();
    private ClientManager client;

    @BeforeEach
    void start() {
        client = ClientManager.createClient();
    }

    @AfterEach
    void stop() {
        peers.forEach(TestPeer::close);
        servers.forEach(AloAudioServer::stop);
        client.shutdown();
    }

    private AloAudioServer server(AloAudioServer.Builder builder) {
        AloAudioServer server = builder.build().start();
        servers.add(server);
        return server;
    }

    private TestPeer welcomed(AloAudioServer server, String userId, List<String> capabilities, List<String> expected)
            throws Exception {
        TestPeer peer = TestPeer.connect(client, server.uri(), server.tokens().issue(userId, Duration.ofHours(1)));
        peers.add(peer);
        peer.send(TestPeer.encode(new Hello(ProtocolVersion.MAX, ProtocolVersion.MIN, "test-peer/1",
                new UserInfo(userId, "Name " + userId, ""), false, TestPeer.RELAXED, capabilities, null)));
        assertEquals(expected, peer.next(Welcome.class).capabilities());
        return peer;
    }

    private static ErrorMessage offer(TestPeer peer, String requestId, String channelId, String sdp)
            throws Exception {
        peer.send(TestPeer.encode(new MediaOffer(requestId, channelId, sdp)));
        ErrorMessage error = peer.next(ErrorMessage.class);
        assertEquals(requestId, error.requestId());
        assertEquals("media.offer", error.ref());
        assertFalse(error.message().contains("SECRET") || error.message().contains("o=-"), error.message());
        return error;
    }

    private static void assertNoRelayThread(AloAudioServer server) {
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            String name = thread.getName();
            assertFalse(name.startsWith(server.threadPrefix() + "-pacer")
                    || name.startsWith(server.threadPrefix() + "-rtc"), "a relay thread runs: " + name);
        }
        assertFalse(server.mediaRelay().engineRunning(), "the WebRTC engine was started");
    }

    @Test
    void mediaDisabled_noCapability_evenIfConfigured_andOffersGetMediaUnavailable() throws Exception {
        AloAudioServer server = server(AloAudioServer.builder().media(false)
                .capabilities(Set.of(Capability.MEDIA_WEBRTC, "ptt")));
        MediaStatus status = server.mediaStatus();
        assertFalse(status.enabled());
        assertFalse(status.available());
        assertTrue(status.problem().contains("media(false)"), status.problem());

        TestPeer peer = welcomed(server, "u-1", List.of(Capability.MEDIA_WEBRTC, "ptt"), List.of("ptt"));
        peer.join("ch-1", "j1");
        peer.awaitJoin();
        ErrorMessage error = offer(peer, "o1", "ch-1", OPUS_OFFER);
        assertEquals("media.unavailable", error.code());
        assertTrue(error.message().contains("does not relay audio"), error.message());
        assertNoRelayThread(server);
        // the session goes on
        peer.ping(7);
        assertEquals("pong", TestPeer.decode(peer.nextText()).getClass().getSimpleName().toLowerCase());
    }

    @Test
    void mediaEnabled_byDefault_listsTheCapabilityToClientsThatListIt_andStartsNothingBeforeAnOffer()
            throws Exception {
        AloAudioServer server = server(AloAudioServer.builder());
        MediaStatus status = server.mediaStatus();
        assertTrue(status.enabled());
        assertTrue(status.available(), () -> "webrtc-java's native library must load on the build machine "
                + "(bin/setup installs libpulse0): " + status.problem());
        assertEquals("", status.problem());
        welcomed(server, "u-1", List.of("x.unknown", Capability.MEDIA_WEBRTC), List.of(Capability.MEDIA_WEBRTC));
        welcomed(server, "u-2", List.of(), List.of());
        TestPeer joined = welcomed(server, "u-3", List.of(Capability.MEDIA_WEBRTC), List.of(Capability.MEDIA_WEBRTC));
        joined.join("ch-1", "j1");
        joined.awaitJoin();
        assertNoRelayThread(server);
    }

    @Test
    void offer_forAChannelNotJoined_getsNotJoined() throws Exception {
        AloAudioServer server = server(AloAudioServer.builder());
        TestPeer peer = welcomed(server, "u-1", List.of(Capability.MEDIA_WEBRTC), List.of(Capability.MEDIA_WEBRTC));
        assertEquals("not-joined", offer(peer, "o1", "ch-1", OPUS_OFFER).code());
        peer.join("ch-1", "j1");
        peer.awaitJoin();
        ErrorMessage other = offer(peer, "o2", "ch-2\u0007", OPUS_OFFER);
        assertEquals("not-joined", other.code());
        assertTrue(other.message().contains("'ch-2?'"), "control characters are not echoed: " + other.message());
        peer.leave("ch-1", "l1");
        peer.next(ai.alo.audio.protocol.Left.class);
        assertEquals("not-joined", offer(peer, "o3", "ch-1", OPUS_OFFER).code());
        assertNoRelayThread(server);
    }

    @Test
    void unusableOffers_getMediaRefused_sayingWhy_withoutEchoingThem() throws Exception {
        AloAudioServer server = server(AloAudioServer.builder());
        TestPeer peer = welcomed(server, "u-1", List.of(Capability.MEDIA_WEBRTC), List.of(Capability.MEDIA_WEBRTC));
        peer.join("ch-1", "j1");
        peer.awaitJoin();
        ErrorMessage notSdp = offer(peer, "o1", "ch-1", "hello SECRET");
        assertEquals("media.refused", notSdp.code());
        assertEquals("The offer is not a session description (it does not start with v=0)", notSdp.message());

        ErrorMessage video = offer(peer, "o2", "ch-1", OPUS_OFFER.replace("m=audio", "m=video"));
        assertEquals("media.refused", video.code());
        assertEquals("The offer has no audio section (m=audio)", video.message());

        ErrorMessage pcmu = offer(peer, "o3", "ch-1", OPUS_OFFER.replace("opus/48000/2", "PCMU/8000"));
        assertEquals("media.refused", pcmu.code());
        assertEquals("The offer's audio section does not offer Opus at 48 kHz", pcmu.message());
        assertNoRelayThread(server);
    }

    @Test
    void packetTime_isAddedToAudioSectionsThatNameNone_only() {
        String twoSections = "v=0\r\nm=audio 9 X 111\r\na=rtpmap:111 opus/48000/2\r\nm=video 9 X 96\r\na=x\r\n";
        String out = MediaOfferHandler.withPacketTime(twoSections, 10);
        assertEquals("v=0\r\nm=audio 9 X 111\r\na=rtpmap:111 opus/48000/2\r\na=ptime:10\r\nm=video 9 X 96\r\na=x\r\n",
                out);
        String named = "v=0\nm=audio 9 X 111\na=ptime:20\n";
        assertEquals(named, MediaOfferHandler.withPacketTime(named, 10), "the client's own choice stays");
        assertEquals("v=0\nm=audio 9 X 111\na=ptime:10\n", MediaOfferHandler.withPacketTime("v=0\nm=audio 9 X 111\n",
                10));
    }
}
