package ai.alo.audio.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.alo.audio.AloAudio;
import ai.alo.audio.AloConnectException;
import ai.alo.audio.ConnectionState;
import ai.alo.audio.DisconnectReason;
import ai.alo.audio.event.DisconnectEvent;
import ai.alo.audio.server.AloAudioServer;
import java.io.File;
import java.io.FileInputStream;
import java.io.InputStream;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code wss://}: the client's TLS (an {@code SSLEngine} in the runtime's socket I/O) against the reference service
 * serving TLS, with a certificate made for the test (valid for 127.0.0.1) and trusted through the client's
 * configured {@code SSLContext}; and a certificate the client does not trust is refused with a readable message.
 */
class TlsTest {

    private static final char[] PASSWORD = "changeit".toCharArray();

    @TempDir
    static Path dir;
    private static KeyStore keyStore;

    @BeforeAll
    static void makeCertificate() throws Exception {
        File store = dir.resolve("server.p12").toFile();
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        Process process = new ProcessBuilder(keytool, "-genkeypair", "-alias", "server", "-keyalg", "EC",
                "-groupname", "secp256r1", "-dname", "CN=127.0.0.1", "-ext", "SAN=ip:127.0.0.1,dns:localhost",
                "-validity", "2", "-keystore", store.getPath(), "-storetype", "PKCS12", "-storepass", "changeit",
                "-keypass", "changeit").redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        assertTrue(process.waitFor(60, TimeUnit.SECONDS) && process.exitValue() == 0, "keytool: " + output);
        keyStore = KeyStore.getInstance("PKCS12");
        try (InputStream in = new FileInputStream(store)) {
            keyStore.load(in, PASSWORD);
        }
    }

    private static SSLContext serverContext() throws Exception {
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(keyStore, PASSWORD);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keys.getKeyManagers(), null, null);
        return context;
    }

    private static SSLContext trustingContext() throws Exception {
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(keyStore);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context;
    }

    @Test
    void wss_connectsJoinsAndDisconnects_andManyMessagesSurviveTheRecords() throws Exception {
        try (ServerFixture fixture = new ServerFixture(AloAudioServer.builder().faultInjection(false)
                .tls(serverContext()).rosterPageBytes(4096))) {
            assertTrue(fixture.server.uri().toString().startsWith("wss://127.0.0.1:"), "" + fixture.server.uri());
            // enough participants that the roster comes in several TLS records and pages
            for (int i = 0; i < 40; i++) {
                String user = ServerFixture.newUserId();
                fixture.client(fixture.config(user).name(user).sslContext(trustingContext()).build(), null)
                        .connect(ServerFixture.CHANNEL).get(10, TimeUnit.SECONDS);
            }
            String user = ServerFixture.newUserId();
            RecordingListener events = new RecordingListener();
            AloAudio audio = fixture.client(fixture.config(user).name(user).sslContext(trustingContext()).build(),
                    events);

            audio.connect(ServerFixture.CHANNEL).get(10, TimeUnit.SECONDS);
            assertEquals(41, audio.participants().size());
            audio.disconnect();

            assertEquals(ConnectionState.DISCONNECTED, audio.state());
            fixture.events.await("left " + user + " dispatch left");
            fixture.events.await("closed " + user + " 1000");
            DisconnectEvent event = events.nextDisconnect();
            assertEquals(DisconnectReason.CLIENT_INITIATED, event.reason());
            assertEquals(40, fixture.runtime.openConnections(), "only the 40 others' sockets are held");
            assertEquals(80, fixture.runtime.pendingTimerTasks(), "only the 40 others' heartbeats");
        }
    }

    @Test
    void untrustedCertificate_failsTheConnectReadably() throws Exception {
        try (ServerFixture fixture = new ServerFixture(AloAudioServer.builder().faultInjection(false)
                .tls(serverContext()))) {
            String user = ServerFixture.newUserId();
            // the JVM's default trust store does not know the test's certificate
            AloAudio audio = fixture.client(fixture.config(user).name(user).build(), new RecordingListener());

            AloConnectException failure = BadInputTest.connectFailure(audio.connect(ServerFixture.CHANNEL));

            assertEquals(DisconnectReason.CONNECT_FAILED, failure.reason());
            assertTrue(failure.getMessage().contains("TLS failed"), failure.getMessage());
            fixture.awaitNothingHeld();
        }
    }
}
