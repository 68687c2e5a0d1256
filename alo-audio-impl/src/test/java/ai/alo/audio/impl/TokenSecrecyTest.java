package ai.alo.audio.impl;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.alo.audio.AloAudio;
import ai.alo.audio.AloAudioConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The user auth token never appears in a log line (at any level, from any library), an exception message, an
 * event or a {@code toString()}, on the success path and on every failure path.
 */
class TokenSecrecyTest {

    private final List<String> logged = new CopyOnWriteArrayList<>();
    private final Handler capture = new Handler() {
        private final SimpleFormatter formatter = new SimpleFormatter();

        @Override
        public void publish(LogRecord record) {
            logged.add(formatter.format(record));
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };
    private Level previousLevel;
    private ServerFixture fixture;

    @BeforeEach
    void start() {
        Logger root = Logger.getLogger("");
        previousLevel = root.getLevel();
        root.setLevel(Level.ALL);
        capture.setLevel(Level.ALL);
        root.addHandler(capture);
        for (String name : List.of("org.glassfish", "ai.alo", "org.glassfish.tyrus", "org.glassfish.grizzly")) {
            Logger.getLogger(name).setLevel(Level.ALL);
        }
        fixture = new ServerFixture();
    }

    @AfterEach
    void stop() {
        fixture.close();
        Logger root = Logger.getLogger("");
        root.removeHandler(capture);
        root.setLevel(previousLevel);
        for (String name : List.of("org.glassfish", "ai.alo", "org.glassfish.tyrus", "org.glassfish.grizzly")) {
            Logger.getLogger(name).setLevel(null);
        }
    }

    @Test
    void token_neverInLogsMessagesEventsOrToString_onAnyPath() throws Exception {
        List<String> tokens = new ArrayList<>();
        List<String> texts = new ArrayList<>();

        // success, then loss
        String user = ServerFixture.newUserId();
        AloAudioConfig good = fixture.config(user).name(user).build();
        tokens.add(good.userAuthToken());
        RecordingListener events = new RecordingListener();
        AloAudio audio = fixture.client(good, events);
        audio.connect(ServerFixture.CHANNEL).get(10, TimeUnit.SECONDS);
        texts.add(audio.toString());
        texts.add(audio.config().toString());
        fixture.server.dropConnection(user);
        texts.add(events.nextDisconnect().toString());
        audio.connect(ServerFixture.CHANNEL).get(10, TimeUnit.SECONDS);
        audio.disconnect();

        // rejected: expired, and tampered
        String expiredUser = ServerFixture.newUserId();
        String expired = fixture.server.tokens().issue(expiredUser, Instant.now().minusSeconds(120));
        tokens.add(expired);
        texts.addAll(failureTexts(fixture.config(expiredUser).name(expiredUser).userAuthToken(expired).build()));
        String badUser = ServerFixture.newUserId();
        String valid = fixture.server.tokens().issue(badUser, Duration.ofHours(1));
        String tampered = valid.substring(0, valid.length() - 3) + "abc";
        tokens.add(tampered);
        texts.addAll(failureTexts(fixture.config(badUser).name(badUser).userAuthToken(tampered).build()));

        audio.close();
        assertTrue(logged.size() > 20, "the capture saw the libraries' logs: " + logged.size());
        for (String token : tokens) {
            String signature = token.substring(token.lastIndexOf('.') + 1);
            List<String> leaks = new ArrayList<>();
            for (String line : logged) {
                if (line.contains(token) || (signature.length() > 8 && line.contains(signature))) {
                    leaks.add(line.replace('\n', '|').substring(0, Math.min(line.length(), 400)));
                }
            }
            assertTrue(leaks.isEmpty(), () -> "token in " + leaks.size() + " log line(s): " + leaks);
            for (String text : texts) {
                assertFalse(text.contains(token) || (signature.length() > 8 && text.contains(signature)),
                        () -> "token in: " + text);
            }
        }
    }

    @Test
    void resumeSecretAndProvidedTokens_neverInLogs_acrossAReconnect() throws Exception {
        String user = ServerFixture.newUserId();
        List<String> provided = new CopyOnWriteArrayList<>();
        AloAudioConfig config = fixture.config(user).name(user)
                .reconnectPolicy(ai.alo.audio.ReconnectBackoff.defaults())
                .userAuthTokenProvider(u -> {
                    String token = fixture.server.tokens().issue(u.id(), Duration.ofHours(1));
                    provided.add(token);
                    return token;
                }).build();
        RecordingListener events = new RecordingListener();
        AloAudio audio = fixture.client(config, events);
        audio.connect(ServerFixture.CHANNEL).get(10, TimeUnit.SECONDS);
        DefaultAloAudio client = (DefaultAloAudio) audio;
        String secret = client.machine().currentConnection().resumeSecret;
        assertTrue(secret != null && secret.length() > 16, "the service gave a resume secret");
        fixture.server.dropConnection(user);
        events.await("the reconnect", all -> all.stream()
                .anyMatch(e -> e instanceof ai.alo.audio.event.ReconnectedEvent));
        String secondSecret = client.machine().currentConnection().resumeSecret;
        audio.disconnect();
        audio.close();
        assertTrue(provided.size() >= 2, "the provider was asked for each attempt: " + provided.size());
        List<String> secrets = new ArrayList<>(provided);
        secrets.add(secret);
        secrets.add(secondSecret);
        for (String s : secrets) {
            List<String> leaks = logged.stream().filter(line -> line.contains(s))
                    .map(line -> line.replace('\n', '|').substring(0, Math.min(line.length(), 300))).toList();
            assertTrue(leaks.isEmpty(), () -> "a secret in " + leaks.size() + " log line(s): " + leaks);
            assertFalse(audio.toString().contains(s) || config.toString().contains(s));
        }
    }

    private List<String> failureTexts(AloAudioConfig config) throws Exception {
        RecordingListener events = new RecordingListener();
        AloAudio audio = fixture.client(config, events);
        List<String> texts = new ArrayList<>();
        try {
            audio.connect(ServerFixture.CHANNEL).get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                texts.add(String.valueOf(t.getMessage()));
                texts.add(t.toString());
            }
        }
        texts.add(events.nextDisconnect().toString());
        texts.add(audio.toString());
        audio.close();
        return texts;
    }
}
