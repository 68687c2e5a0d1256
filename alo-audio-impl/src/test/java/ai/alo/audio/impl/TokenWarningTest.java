package ai.alo.audio.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.alo.audio.AloAudio;
import ai.alo.audio.AloAudioConfig;
import ai.alo.audio.AudioUser;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/**
 * Sending the token over {@code ws://} to a host that is not loopback logs a WARNING, once per client. The check
 * runs before any connect; no traffic leaves loopback here (no client below connects).
 */
class TokenWarningTest extends ServerBackedTest {

    @Test
    void plainWebSocketToARemoteHost_warnsOncePerClient_andNeverShowsTheToken() {
        List<String> warnings = captureWarnings(() -> {
            for (String name : List.of("first", "second")) {
                AloAudio audio = fixture.client(config("ws://audio.example.com/audio", name), null);
                ClientStateMachine machine = ((DefaultAloAudio) audio).machine();
                machine.warnIfTokenTravelsInClear();
                machine.warnIfTokenTravelsInClear();
            }
        });
        assertEquals(2, warnings.size(), "once per client: " + warnings);
        assertTrue(warnings.get(0).startsWith("ALOAUD-1005"), warnings.get(0));
        assertTrue(warnings.stream().noneMatch(w -> w.contains("secret-token-value")), "" + warnings);
    }

    @Test
    void loopbackOrTls_doesNotWarn() {
        List<String> warnings = captureWarnings(() -> {
            for (String uri : List.of("ws://127.0.0.1:1/audio", "ws://localhost:1/audio", "ws://[::1]:1/audio",
                    "ws://127.10.0.3:1/audio", "wss://audio.example.com/audio")) {
                AloAudio audio = fixture.client(config(uri, "c" + Math.abs(uri.hashCode())), null);
                ((DefaultAloAudio) audio).machine().warnIfTokenTravelsInClear();
            }
        });
        assertEquals(List.of(), warnings);
    }

    @Test
    void isLoopback_literalsOnly_neverResolvesNames() {
        assertTrue(ClientStateMachine.isLoopback("127.0.0.1"));
        assertTrue(ClientStateMachine.isLoopback("[::1]"));
        assertTrue(ClientStateMachine.isLoopback("localhost"));
        assertFalse(ClientStateMachine.isLoopback("10.0.0.1"));
        assertFalse(ClientStateMachine.isLoopback("audio.example.com"));
        assertFalse(ClientStateMachine.isLoopback(null));
    }

    private static AloAudioConfig config(String uri, String name) {
        return AloAudioConfig.builder().name(name).serverUri(uri).mediaEnabled(false).user(AudioUser.of("u-1", "Ann"))
                .userAuthToken("secret-token-value").build();
    }

    private static List<String> captureWarnings(Runnable action) {
        List<String> warnings = new CopyOnWriteArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                String message = String.valueOf(record.getMessage());
                if (message.startsWith("ALOAUD-1005")) {
                    warnings.add(message + " " + java.util.Arrays.toString(record.getParameters()));
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger logger = Logger.getLogger("ai.alo.audio");
        logger.addHandler(capture);
        try {
            action.run();
        } finally {
            logger.removeHandler(capture);
        }
        return warnings;
    }
}
