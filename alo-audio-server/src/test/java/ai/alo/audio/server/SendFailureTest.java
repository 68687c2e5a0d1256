package ai.alo.audio.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import ai.alo.audio.protocol.ChannelInfo;
import ai.alo.audio.protocol.CloseCodes;
import ai.alo.audio.protocol.HeartbeatInfo;
import ai.alo.audio.protocol.Hello;
import ai.alo.audio.protocol.Join;
import ai.alo.audio.protocol.Message;
import ai.alo.audio.protocol.ParticipantInfo;
import ai.alo.audio.protocol.ParticipantLeft;
import ai.alo.audio.protocol.Pong;
import ai.alo.audio.protocol.ProtocolVersion;
import ai.alo.audio.protocol.UserInfo;
import ai.alo.audio.protocol.Welcome;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.glassfish.tyrus.client.ClientManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A client that stops reading: its send queue passes the limit, and the server ends its session (WARNING with an id,
 * the others told "lost", the connection closed) instead of queueing without bound or keeping a wrong roster.
 */
class SendFailureTest {

    private static final Logger SERVER_LOG = Logger.getLogger(AloAudioServer.class.getPackageName());

    private AloAudioServer server;
    private ClientManager client;
    private RawWebSocket stuck;
    private final RecordingServerListener events = new RecordingServerListener();
    private final List<LogRecord> warnings = new CopyOnWriteArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
                warnings.add(record);
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void captureWarnings() {
        SERVER_LOG.addHandler(capture);
    }

    @AfterEach
    void stopServer() throws Exception {
        SERVER_LOG.removeHandler(capture);
        if (stuck != null) {
            stuck.close();
        }
        if (client != null) {
            client.shutdown();
        }
        if (server != null) {
            server.stop();
        }
    }

    @ParameterizedTest(name = "faultInjection={0}")
    @ValueSource(booleans = {true, false})
    void client_thatStopsReadingWhileOthersJoin_isEndedAndTheOthersAreToldLost(boolean relay) throws Exception {
        server = AloAudioServer.builder().faultInjection(relay).sendQueueLimit(64 * 1024)
                .stopTimeout(Duration.ofSeconds(1)).build();
        server.addListener(events);
        server.start();
        client = ClientManager.createClient();

        // The stuck client: a tiny receive buffer, joins "busy", and never reads again.
        stuck = RawWebSocket.open(server.uri(), server.tokens().issue("stuck", Duration.ofHours(1)), null, 4096);
        assertEquals(101, stuck.status());
        stuck.sendText(TestPeer.encode(TestPeer.helloOf("stuck", "", new HeartbeatInfo(30_000, 120_000))));
        stuck.sendText(TestPeer.encode(new Join(null, new ChannelInfo("busy", "Busy", false))));

        // The stuck client's join is raw and unanswered-for: wait until the service has it in the channel.
        long joined = System.nanoTime() + TestPeer.WAIT.toNanos();
        while (server.participants("busy").stream().noneMatch(m -> m.userId().equals("stuck"))) {
            if (System.nanoTime() > joined) {
                fail("the stuck client never joined: " + server.participants("busy"));
            }
            Thread.sleep(10);
        }
        TestPeer observer = TestPeer.welcomed(client, server, "observer", "");
        observer.join("busy");
        ParticipantInfo stuckInfo = observer.awaitJoin().participants().stream()
                .filter(p -> p.userId().equals("stuck")).findFirst().orElseThrow();

        // Someone comes and goes: every join and leave is one message to each member, the stuck one included.
        // The longest id and name, so that each message is large and the kernel's buffers fill in fewer rounds.
        String churnId = "c".repeat(128);
        TestPeer churn = TestPeer.connect(client, server.uri(), server.tokens().issue(churnId, Duration.ofHours(1)));
        churn.send(TestPeer.encode(new Hello(ProtocolVersion.MAX, ProtocolVersion.MIN, "churn",
                new UserInfo(churnId, "n".repeat(64), ""), false, TestPeer.RELAXED, List.of(), null)));
        churn.next(Welcome.class);
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        int rounds = 0;
        while (server.sessions().stream().anyMatch(s -> s.userId().equals("stuck"))) {
            if (System.nanoTime() > deadline || rounds > 100_000) {
                fail("the stuck session was never ended after " + rounds + " rounds");
            }
            for (int i = 0; i < 50; i++) {
                churn.join("busy");
                churn.join("elsewhere");
            }
            rounds += 50;
            churn.ping(rounds);
            skipTo(churn, m -> m instanceof Pong);
        }

        RecordingServerListener.Closed closed = events.awaitClosed("stuck");
        assertEquals(CloseCodes.ABNORMAL, closed.code(), "no close frame could get through");
        RecordingServerListener.Left left = events.await(RecordingServerListener.Left.class,
                l -> l.member().userId().equals("stuck"));
        assertEquals("lost", left.reason());
        ParticipantLeft told = (ParticipantLeft) skipTo(observer, m -> m instanceof ParticipantLeft l
                && l.participant().connectionId().equals(stuckInfo.connectionId()));
        assertEquals("lost", told.reason());
        assertTrue(server.participants("busy").stream().noneMatch(m -> m.userId().equals("stuck")),
                "the roster is right");
        assertTrue(stuck.awaitEnd(TestPeer.WAIT), "the stuck client's connection is closed");

        LogRecord warning = warnings.stream().filter(r -> r.getMessage().startsWith("ALOSRV-5035")).findFirst()
                .orElseThrow(() -> new AssertionError("no ALOSRV-5035 warning; warnings: " + warnings));
        assertTrue(warning.getMessage().contains("stopped reading"), warning.getMessage());
        observer.ping(1);
        skipTo(observer, m -> m instanceof Pong);
        observer.close();
        churn.close();
    }

    private static Message skipTo(TestPeer peer, Predicate<Message> condition)
            throws Exception {
        while (true) {
            Message message = peer.nextMessage();
            if (condition.test(message)) {
                return message;
            }
        }
    }
}
