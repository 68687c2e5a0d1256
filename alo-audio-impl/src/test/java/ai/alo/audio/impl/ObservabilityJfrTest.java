package ai.alo.audio.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.alo.audio.AloAudio;
import ai.alo.audio.AloConnectException;
import ai.alo.audio.ConnectionState;
import ai.alo.audio.DisconnectReason;
import ai.alo.audio.event.DisconnectEvent;
import ai.alo.audio.impl.observe.ConnectJfrEvent;
import ai.alo.audio.impl.observe.DisconnectJfrEvent;
import ai.alo.audio.impl.observe.LossJfrEvent;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import jdk.jfr.consumer.RecordingStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The three JDK Flight Recorder events, recorded by a real recording while clients connect to the real reference
 * server, disconnect and lose their connection, then read back from the recording file. A {@link RecordingStream}
 * beside the recording tells when an event has been committed (a {@code DisconnectEvent} reaches the listeners before
 * its JFR event is committed). Events of other tests' clients in the same JVM are told apart by client name.
 */
class ObservabilityJfrTest extends ServerBackedTest {

    private static final List<String> NAMES = List.of(ConnectJfrEvent.NAME, DisconnectJfrEvent.NAME,
            LossJfrEvent.NAME);

    @TempDir
    Path dir;

    @Test
    void connectDisconnectLossAndRefusal_areRecordedWithTheirFields() throws Exception {
        Path file = dir.resolve("alo-audio.jfr");
        String leaves = ServerFixture.newUserId();
        String lost = ServerFixture.newUserId();
        String refused = ServerFixture.newUserId();
        List<RecordedEvent> events;
        DisconnectEvent loss;
        DisconnectEvent refusal;
        try (Recording recording = new Recording(); Watch watch = new Watch()) {
            for (String name : NAMES) {
                recording.enable(name).withThreshold(Duration.ZERO);
            }
            watch.start();
            recording.start();

            AloAudio leaving = fixture.client(leaves, null);
            RecordingListener lostEvents = new RecordingListener();
            AloAudio losing = fixture.client(lost, lostEvents);
            leaving.connect(ServerFixture.CHANNEL).get(10, TimeUnit.SECONDS);
            losing.connect(ServerFixture.CHANNEL).get(10, TimeUnit.SECONDS);
            leaving.disconnect();
            assertTrue(fixture.server.dropConnection(lost));
            loss = lostEvents.nextDisconnect();
            RecordingListener refusedEvents = new RecordingListener();
            AloAudio refusedClient = fixture.client(fixture.config(refused).name(refused)
                    .userAuthToken(fixture.server.tokens().issue("someone-else", Duration.ofHours(1))).build(),
                    refusedEvents);
            assertConnectFails(refusedClient);
            refusal = refusedEvents.nextDisconnect();

            watch.await(DisconnectJfrEvent.NAME, leaves);
            watch.await(DisconnectJfrEvent.NAME, lost);
            watch.await(LossJfrEvent.NAME, lost);
            watch.await(DisconnectJfrEvent.NAME, refused);
            recording.stop();
            recording.dump(file);
        }
        events = read(file, Set.of(leaves, lost, refused));

        RecordedEvent connect = single(events, ConnectJfrEvent.NAME, leaves);
        assertEquals("dispatch", connect.getString("channel"));
        assertEquals("CONNECTED", connect.getString("outcome"));
        assertTrue(connect.getDuration().toNanos() > 0, "connect duration " + connect.getDuration());
        assertEquals("CONNECTED", single(events, ConnectJfrEvent.NAME, lost).getString("outcome"));

        RecordedEvent disconnect = single(events, DisconnectJfrEvent.NAME, leaves);
        assertEquals("dispatch", disconnect.getString("channel"));
        assertEquals("DISCONNECTED", disconnect.getString("state"));
        assertEquals("CLIENT_INITIATED", disconnect.getString("reason"));
        assertEquals("CLIENT", disconnect.getString("initiator"));
        assertEquals(1000, disconnect.getInt("closeCode"));
        assertTrue(disconnect.getBoolean("wasConnected"));
        assertTrue(disconnect.getDuration("releaseTime").toNanos() > 0, "disconnect() time");

        assertEquals(ConnectionState.ERROR, loss.state());
        assertEquals(DisconnectReason.CONNECTION_LOST, loss.reason());
        RecordedEvent lossEnd = single(events, DisconnectJfrEvent.NAME, lost);
        assertEquals("ERROR", lossEnd.getString("state"));
        assertEquals("CONNECTION_LOST", lossEnd.getString("reason"));
        assertEquals("NETWORK", lossEnd.getString("initiator"));
        assertEquals(loss.closeCode(), lossEnd.getInt("closeCode"));
        assertTrue(lossEnd.getBoolean("wasConnected"));
        assertTrue(lossEnd.getDuration("releaseTime").toNanos() > 0, "release time of the lost connection");
        RecordedEvent lossDetected = single(events, LossJfrEvent.NAME, lost);
        assertEquals("dispatch", lossDetected.getString("channel"));
        assertEquals("CONNECTION_LOST", lossDetected.getString("reason"));
        assertEquals(0, lossDetected.getDuration("silenceMillis").toMillis(), "no heartbeat silence: the socket died");
        assertFalse(lossDetected.getStartTime().isAfter(lossEnd.getStartTime()), "loss detected before it ended");

        assertEquals(DisconnectReason.FORBIDDEN, refusal.reason());
        assertEquals(refusal.reason().name(), single(events, ConnectJfrEvent.NAME, refused).getString("outcome"));
        RecordedEvent refusedEnd = single(events, DisconnectJfrEvent.NAME, refused);
        assertEquals("ERROR", refusedEnd.getString("state"));
        assertEquals("FORBIDDEN", refusedEnd.getString("reason"));
        assertEquals(refusal.closeCode(), refusedEnd.getInt("closeCode"));
        assertFalse(refusedEnd.getBoolean("wasConnected"));
        assertEquals(List.of(), named(events, LossJfrEvent.NAME, refused), "a refused connect is no loss");
        assertEquals(List.of(), named(events, LossJfrEvent.NAME, leaves), "a disconnect() is no loss");
    }

    /**
     * What {@code jcmd <pid> JFR.start} records: the JDK's "default" settings, in which the events are on without
     * being named (they are enabled by default, with no threshold).
     */
    @Test
    void defaultSettings_recordTheEvents() throws Exception {
        Path file = dir.resolve("default.jfr");
        String user = ServerFixture.newUserId();
        try (Recording recording = new Recording(Configuration.getConfiguration("default")); Watch watch =
                new Watch()) {
            watch.start();
            recording.start();
            AloAudio audio = fixture.client(user, null);
            audio.connect(ServerFixture.CHANNEL).get(10, TimeUnit.SECONDS);
            audio.disconnect();
            watch.await(DisconnectJfrEvent.NAME, user);
            recording.stop();
            recording.dump(file);
        }
        List<RecordedEvent> events = read(file, Set.of(user));
        assertEquals("CONNECTED", single(events, ConnectJfrEvent.NAME, user).getString("outcome"));
        assertEquals("CLIENT_INITIATED", single(events, DisconnectJfrEvent.NAME, user).getString("reason"));
    }

    /** The commands of docs/observability.md, run against this JVM: {@code jcmd JFR.start / JFR.dump}, {@code jfr}. */
    @Test
    void jcmdAndJfrTool_showTheEventsAsDocumented() throws Exception {
        File jcmd = tool("jcmd");
        File jfr = tool("jfr");
        org.junit.jupiter.api.Assumptions.assumeTrue(jcmd.canExecute() && jfr.canExecute(),
                "jcmd and jfr are part of the JDK, not of a JRE");
        String pid = String.valueOf(ProcessHandle.current().pid());
        String recordingName = "alo-audio-" + System.nanoTime();
        Path file = dir.resolve("jcmd.jfr");
        String user = ServerFixture.newUserId();
        run(jcmd.getPath(), pid, "JFR.start", "name=" + recordingName);
        try (Watch watch = new Watch()) {
            watch.start();
            AloAudio audio = fixture.client(user, null);
            audio.connect(ServerFixture.CHANNEL).get(10, TimeUnit.SECONDS);
            audio.disconnect();
            watch.await(DisconnectJfrEvent.NAME, user);
            run(jcmd.getPath(), pid, "JFR.dump", "name=" + recordingName, "filename=" + file);
        } finally {
            run(jcmd.getPath(), pid, "JFR.stop", "name=" + recordingName);
        }
        assertEquals("CLIENT_INITIATED", single(read(file, Set.of(user)), DisconnectJfrEvent.NAME, user)
                .getString("reason"));
        String printed = run(jfr.getPath(), "print", "--events", DisconnectJfrEvent.NAME, file.toString());
        assertTrue(printed.contains(DisconnectJfrEvent.NAME) && printed.contains("client = \"" + user + "\"")
                && printed.contains("reason = \"CLIENT_INITIATED\""), printed);
    }

    // ------------------------------------------------------------------------------------------------------------

    private static void assertConnectFails(AloAudio client) throws Exception {
        try {
            client.connect(ServerFixture.CHANNEL).get(10, TimeUnit.SECONDS);
            throw new AssertionError("connect with another user's token succeeded");
        } catch (ExecutionException e) {
            assertTrue(e.getCause() instanceof AloConnectException, () -> "failed with " + e.getCause());
        }
    }

    private static List<RecordedEvent> read(Path file, Set<String> clients) throws IOException {
        List<RecordedEvent> ours = new ArrayList<>();
        for (RecordedEvent event : RecordingFile.readAllEvents(file)) {
            if (NAMES.contains(event.getEventType().getName()) && clients.contains(event.getString("client"))) {
                ours.add(event);
            }
        }
        return ours;
    }

    private static List<RecordedEvent> named(List<RecordedEvent> events, String name, String client) {
        List<RecordedEvent> out = new ArrayList<>();
        for (RecordedEvent event : events) {
            if (event.getEventType().getName().equals(name) && client.equals(event.getString("client"))) {
                out.add(event);
            }
        }
        return out;
    }

    private static RecordedEvent single(List<RecordedEvent> events, String name, String client) {
        List<RecordedEvent> matching = named(events, name, client);
        assertEquals(1, matching.size(), () -> "events " + name + " of " + client + ": " + matching + " among "
                + events);
        return matching.get(0);
    }

    private static File tool(String name) {
        return new File(System.getProperty("java.home"), "bin" + File.separator + name);
    }

    private static String run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getOutputStream().close();
        byte[] output = process.getInputStream().readAllBytes();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "still running: " + String.join(" ", command));
        String text = new String(output, StandardCharsets.UTF_8);
        assertEquals(0, process.exitValue(), () -> String.join(" ", command) + ":\n" + text);
        return text;
    }

    /** A live stream of the three events, to wait (bounded) until one has been committed. */
    private static final class Watch implements AutoCloseable {

        private final RecordingStream stream = new RecordingStream();
        private final BlockingQueue<String> arrivals = new LinkedBlockingQueue<>();
        private final List<String> seen = new CopyOnWriteArrayList<>();

        Watch() {
            for (String name : NAMES) {
                stream.enable(name).withThreshold(Duration.ZERO);
                stream.onEvent(name, event -> {
                    String key = name + " " + event.getString("client");
                    seen.add(key);
                    arrivals.add(key);
                });
            }
        }

        void start() {
            stream.startAsync();
        }

        void await(String name, String client) throws InterruptedException {
            String key = name + " " + client;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(RecordingListener.WAIT_SECONDS);
            while (!seen.contains(key)) {
                long left = deadline - System.nanoTime();
                assertTrue(left > 0, () -> "no JFR event " + key + "; saw " + seen);
                arrivals.poll(left, TimeUnit.NANOSECONDS);
            }
        }

        @Override
        public void close() {
            stream.close();
        }
    }
}
