package ai.alo.audio.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.alo.audio.AloAudio;
import ai.alo.audio.AloAudioConfig;
import ai.alo.audio.AloAudioRuntime;
import ai.alo.audio.AloAudioRuntimeConfig;
import ai.alo.audio.AloConnectException;
import ai.alo.audio.AudioChannel;
import ai.alo.audio.AudioUser;
import ai.alo.audio.server.AloAudioServer;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Native media unavailable (issue 7, item 7), in a child JVM whose {@code os.arch} says {@code aarch64}, a platform
 * webrtc-java 0.14.0 has no native library for: a client with media enabled fails its connect with {@code
 * MEDIA_FAILED} and a message that names what is missing; a second one fails the same way without a second load
 * attempt (one {@code ALOAUD-2101} line); a signalling-only client of the same runtime connects; nothing is left in
 * the child's {@code java.io.tmpdir}. The reference service runs in this JVM, with media.
 */
class MediaUnavailableTest {

    @Test
    void unsupportedPlatform_failsMediaConnectsClearly_oncePerRuntime_andSignallingStillWorks(@TempDir Path tmp)
            throws Exception {
        try (AloAudioServer server = AloAudioServer.builder().build().start()) {
            List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                            .toString(), "-Dos.arch=aarch64", "-Djava.io.tmpdir=" + tmp,
                    "-cp", System.getProperty("java.class.path"), Child.class.getName(), server.uri().toString()));
            for (String user : List.of("media-1", "media-2", "plain-1")) {
                command.add(server.tokens().issue(user, Duration.ofMinutes(5)));
            }
            Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output;
            try (InputStream in = child.getInputStream()) {
                output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            assertTrue(child.waitFor(60, TimeUnit.SECONDS), output);
            Map<String, String> result = new HashMap<>();
            output.lines().filter(l -> l.startsWith("result.")).forEach(l -> {
                int eq = l.indexOf('=');
                result.put(l.substring(7, eq), l.substring(eq + 1));
            });
            System.out.println(result);
            assertEquals(0, child.exitValue(), output);
            assertEquals("MEDIA_FAILED", result.get("first.reason"), output);
            String message = result.get("first.message");
            assertTrue(message.startsWith("Could not set up audio with the audio service: Native audio is not "
                    + "available: native WebRTC media is not available on"), message);
            assertTrue(message.contains("aarch64") && message.contains("x86-64"), message);
            assertEquals("MEDIA_FAILED", result.get("second.reason"));
            assertEquals(message, result.get("second.message"), "the kept failure, word for word");
            assertEquals("1", result.get("log2101"), "the load was tried and reported once for the runtime");
            assertEquals("CONNECTED", result.get("plain.state"), "signalling-only use keeps working");
            try (Stream<Path> left = Files.list(tmp)) {
                assertEquals(List.of(), left.toList(), "nothing left in the child's java.io.tmpdir");
            }
        }
    }

    /** The child JVM: one runtime, two media clients, one signalling-only client. */
    public static final class Child {

        private Child() {
        }

        public static void main(String[] args) throws Exception {
            URI uri = URI.create(args[0]);
            List<LogRecord> records = new ArrayList<>();
            Logger.getLogger("ai.alo.audio.media").addHandler(new Handler() {
                @Override
                public synchronized void publish(LogRecord record) {
                    records.add(record);
                }

                @Override
                public void flush() {
                }

                @Override
                public void close() {
                }
            });
            AudioChannel channel = AudioChannel.fullDuplex("ops", "Operations");
            try (AloAudioRuntime runtime = AloAudioRuntime.create(AloAudioRuntimeConfig.builder().name("child")
                    .build())) {
                attempt(runtime, uri, channel, "first", "media-1", args[1], true);
                attempt(runtime, uri, channel, "second", "media-2", args[2], true);
                AloAudio plain = attempt(runtime, uri, channel, "plain", "plain-1", args[3], false);
                System.out.println("result.plain.state=" + plain.state());
                plain.disconnect();
            }
            long count;
            synchronized (records) {
                count = records.stream().filter(r -> r.getMessage().startsWith("ALOAUD-2101")).count();
            }
            System.out.println("result.log2101=" + count);
            System.exit(0);
        }

        private static AloAudio attempt(AloAudioRuntime runtime, URI uri, AudioChannel channel, String label,
                                        String user, String token, boolean media) throws Exception {
            AloAudio client = runtime.newClient(AloAudioConfig.builder().name(label).serverUri(uri)
                    .user(AudioUser.of(user, label)).userAuthToken(token).mediaEnabled(media).build());
            try {
                client.connect(channel).get(30, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                AloConnectException failure = (AloConnectException) e.getCause();
                System.out.println("result." + label + ".reason=" + failure.reason());
                System.out.println("result." + label + ".message=" + failure.getMessage());
            }
            return client;
        }
    }
}
