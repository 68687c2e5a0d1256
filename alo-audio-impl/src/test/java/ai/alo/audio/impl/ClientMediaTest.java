package ai.alo.audio.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import ai.alo.audio.AloAudio;
import ai.alo.audio.AudioChannel;
import ai.alo.audio.ConnectionState;
import ai.alo.audio.event.AloAudioEvent;
import ai.alo.audio.event.ConnectionChangeEvent;
import ai.alo.audio.event.DisconnectEvent;
import ai.alo.audio.event.ParticipantsChangedEvent;
import ai.alo.audio.impl.media.WebRtcMediaEngine;
import ai.alo.audio.media.AudioDevices;
import ai.alo.audio.media.AudioFrame;
import ai.alo.audio.media.AudioFrameListener;
import ai.alo.audio.server.AloAudioServer;
import ai.alo.audio.testing.NetworkNamespace;
import ai.alo.audio.testing.ToneDetector;
import java.io.File;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The client's WebRTC audio for real: two clients of one runtime in a full-duplex channel of the embedded reference
 * service, which relays their audio. Each speaks a tone ({@link AudioDevices#addToneInput}) and listens through a
 * PCM output; the tests check what each one hears, what it stops hearing when the other disconnects, and that 50
 * reconnects leave no thread behind.
 *
 * <p>A media test: it runs only in the surefire execution {@code media-tests}, inside the network namespace of {@code
 * bin/netns-exec} (WebRTC ignores loopback; signalling uses 127.0.0.1, the media the namespace's veth pair).
 */
class ClientMediaTest {

    private static final AudioChannel CHANNEL = AudioChannel.fullDuplex("ops", "Operations");
    private static final long WAIT_SECONDS = 30;

    private ServerFixture fixture;
    private AudioDevices devices;
    private final Ears earsA = new Ears();
    private final Ears earsB = new Ears();

    @BeforeAll
    static void insideTheNamespace() {
        assertTrue(NetworkNamespace.isInside(), NetworkNamespace.describe());
    }

    @BeforeEach
    void start() {
        fixture = new ServerFixture(AloAudioServer.builder());
        devices = fixture.runtime.devices();
        devices.addToneInput("tone-440", "Tone 440 Hz", 440, 0.5);
        devices.addToneInput("tone-660", "Tone 660 Hz", 660, 0.5);
        devices.addPcmOutput("ears-a", "What A hears", earsA);
        devices.addPcmOutput("ears-b", "What B hears", earsB);
    }

    @AfterEach
    void stop() {
        fixture.close();
    }

    private AloAudio client(String input, String output, RecordingListener events) {
        return fixture.client(fixture.config(ServerFixture.newUserId()).mediaEnabled(true)
                .audioInputDeviceId(input).audioOutputDeviceId(output).build(), events);
    }

    @Test
    void twoClients_inAFullDuplexChannel_hearEachOther_andNeverThemselves() throws Exception {
        RecordingListener eventsA = new RecordingListener();
        AloAudio a = client("tone-440", "ears-a", eventsA);
        AloAudio b = client("tone-660", "ears-b", new RecordingListener());

        assertEquals(CHANNEL, a.connect(CHANNEL).get(WAIT_SECONDS, TimeUnit.SECONDS));
        b.connect(CHANNEL).get(WAIT_SECONDS, TimeUnit.SECONDS);
        // CONNECTED comes once the audio session is up, then the first roster event, as without media
        List<AloAudioEvent> seen = new ArrayList<>(eventsA.all);
        List<ConnectionState> states = seen.stream().filter(ConnectionChangeEvent.class::isInstance)
                .map(e -> ((ConnectionChangeEvent) e).state()).toList();
        assertEquals(List.of(ConnectionState.CONNECTING, ConnectionState.ACQUIRING_ACCESS, ConnectionState.CONNECTED),
                states);
        int connected = indexOfState(seen, ConnectionState.CONNECTED);
        assertTrue(seen.get(connected + 1) instanceof ParticipantsChangedEvent, seen::toString);

        earsA.reset();
        earsB.reset();
        await("a second of audio at both ears", () -> earsA.frames() >= 100 && earsB.frames() >= 100);
        Ears.Heard heardByA = earsA.heard();
        Ears.Heard heardByB = earsB.heard();
        System.out.println("A hears " + heardByA + "; B hears " + heardByB);
        assertEquals(660, heardByA.dominantHz, 20, () -> "A hears B's tone: " + heardByA);
        assertEquals(440, heardByB.dominantHz, 20, () -> "B hears A's tone: " + heardByB);
        assertTrue(heardByA.fractionAt(440) < 0.05, () -> "A never hears itself: " + heardByA);
        assertTrue(heardByB.fractionAt(660) < 0.05, () -> "B never hears itself: " + heardByB);
        assertEquals(List.of(), earsA.otherClients(a.config().name()), "frames name their client");
    }

    @Test
    void changeAudioInput_whileConnected_switchesWhatTheOthersHear_withoutANewOffer() throws Exception {
        devices.addToneInput("tone-880", "Tone 880 Hz", 880, 0.5);
        String userA = ServerFixture.newUserId();
        AloAudio a = fixture.client(fixture.config(userA).mediaEnabled(true).audioInputDeviceId("tone-440")
                .audioOutputDeviceId("ears-a").build(), new RecordingListener());
        AloAudio b = client("silence", "ears-b", new RecordingListener());
        a.connect(CHANNEL).get(WAIT_SECONDS, TimeUnit.SECONDS);
        b.connect(CHANNEL).get(WAIT_SECONDS, TimeUnit.SECONDS);
        await("B hears 440 Hz", () -> earsB.frames() >= 100 && Math.abs(earsB.heard().dominantHz - 440) < 20);

        a.changeAudioInput("tone-880");
        assertEquals("tone-880", a.audioInputDeviceId());
        await("B hears 880 Hz", () -> {
            Ears.Heard heard = earsB.heard();
            return Math.abs(heard.dominantHz - 880) < 20 && heard.fractionAt(440) < 0.05;
        });
        assertEquals(ConnectionState.CONNECTED, a.state());
        long offers = fixture.events.all.stream().filter(e -> e.equals("message " + userA + " media.offer")).count();
        assertEquals(1, offers, () -> "one offer, no renegotiation: " + fixture.events.all);
    }

    @Test
    void afterDisconnectReturns_theOthersReceiveNoMoreAudioFromTheClient() throws Exception {
        AloAudio a = client("tone-440", "ears-a", new RecordingListener());
        RecordingListener eventsB = new RecordingListener();
        AloAudio b = client("silence", "ears-b", eventsB);
        a.connect(CHANNEL).get(WAIT_SECONDS, TimeUnit.SECONDS);
        b.connect(CHANNEL).get(WAIT_SECONDS, TimeUnit.SECONDS);
        await("B hears A", () -> earsB.lastToneNanos(440) > 0);

        long begin = System.nanoTime();
        a.disconnect();
        long returned = System.nanoTime();
        assertEquals(ConnectionState.DISCONNECTED, a.state());
        // what was in flight (the network, the relay's queue, B's jitter buffer) drains: wait for a second without
        // A's tone at B (bounded), then look at when it was last heard
        within(WAIT_SECONDS, () -> System.nanoTime() - Math.max(returned, earsB.lastToneNanos(440))
                > TimeUnit.SECONDS.toNanos(1));
        long lastTone = earsB.lastToneNanos(440);
        double after = (lastTone - returned) / 1e6;
        System.out.printf(Locale.ROOT, "disconnect() took %.1f ms; A's tone last heard by B %.1f ms after it "
                + "returned%n", (returned - begin) / 1e6, after);
        assertTrue(after < 500, () -> "B heard A's tone " + after + " ms after A's disconnect() returned");
        long framesBefore = earsB.frames();
        Thread.sleep(500); // a window in which nothing may arrive: no condition to wait for
        assertTrue(earsB.frames() - framesBefore >= 0);
        assertEquals(lastTone, earsB.lastToneNanos(440), "nothing of A arrives any more");
        assertEquals(ConnectionState.CONNECTED, b.state(), "B stays connected");
        assertEquals(0, eventsB.disconnects().size());
    }

    @Test
    void fiftyReconnects_leaveThreadsAndDescriptorsFlat_andRuntimeCloseEndsEveryThread() throws Exception {
        RecordingListener events = new RecordingListener();
        AloAudio a = client("tone-440", "ears-a", events);
        for (int i = 0; i < 3; i++) { // warm: the engine, its threads, the classes
            a.connect(CHANNEL).get(WAIT_SECONDS, TimeUnit.SECONDS);
            a.disconnect();
        }
        WebRtcMediaEngine engine = (WebRtcMediaEngine) fixture.runtime.media();
        await("the warm-up sessions closed", () -> engine.openSessions() == 0);
        int tasks = tasks();
        int fds = fds();
        List<Long> disconnects = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            a.connect(CHANNEL).get(WAIT_SECONDS, TimeUnit.SECONDS);
            long t0 = System.nanoTime();
            a.disconnect();
            disconnects.add(System.nanoTime() - t0);
        }
        await("the last DisconnectEvent", () -> events.disconnects().size() >= 53);
        Thread.sleep(200); // a window in which no further event may arrive
        assertEquals(53, events.disconnects().size(), "one DisconnectEvent per connection");
        assertTrue(events.disconnects().stream().allMatch(e -> e.state() == ConnectionState.DISCONNECTED));
        assertEquals(0, engine.openSessions());
        await("threads back to " + tasks + " (now " + tasks() + ")", () -> tasks() <= tasks);
        await("descriptors back to " + fds + " (now " + fds() + ")", () -> fds() <= fds);
        disconnects.sort(null);
        System.out.printf(Locale.ROOT, "50 reconnects with media: threads %d -> %d, fds %d -> %d, disconnect() "
                + "p50 %.1f ms, max %.1f ms%n", tasks, tasks(), fds, fds(), disconnects.get(25) / 1e6,
                disconnects.get(49) / 1e6);

        a.close();
        fixture.runtime.close();
        assertEquals(List.of(), fixture.runtime.liveThreads(), "every thread of the runtime ended");
        assertTrue(!engine.isStarted(), "the engine is closed");
    }

    // ------------------------------------------------------------------------------------------------------------

    private static int indexOfState(List<AloAudioEvent> events, ConnectionState state) {
        for (int i = 0; i < events.size(); i++) {
            if (events.get(i) instanceof ConnectionChangeEvent c && c.state() == state) {
                return i;
            }
        }
        return fail("no " + state + " in " + events);
    }

    /** Threads of this process, native ones included. */
    private static int tasks() {
        String[] names = new File("/proc/self/task").list();
        return names == null ? -1 : names.length;
    }

    private static int fds() {
        String[] names = new File("/proc/self/fd").list();
        return names == null ? -1 : names.length;
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        if (!within(WAIT_SECONDS, condition)) {
            fail("timed out waiting for " + what);
        }
    }

    /** Polls the condition every 10 ms for at most {@code seconds}; whether it became true. */
    static boolean within(long seconds, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(10);
        }
        return true;
    }

    /** A PCM output that keeps the last second it heard and when each tone was last in a frame. */
    static final class Ears implements AudioFrameListener {

        private final List<byte[]> recent = new ArrayList<>();
        private final List<String> clients = new CopyOnWriteArrayList<>();
        private long frames;
        private long last440;
        private long last660;

        @Override
        public synchronized void onFrame(AudioFrame frame) {
            ByteBuffer pcm = frame.pcm();
            byte[] bytes = new byte[pcm.remaining()];
            pcm.get(bytes);
            recent.add(bytes);
            if (recent.size() > 100) {
                recent.remove(0);
            }
            frames++;
            if (!clients.contains(frame.clientName())) {
                clients.add(frame.clientName());
            }
            long now = System.nanoTime();
            if (ToneDetector.amplitudeAt(bytes, 440, 48_000) > 0.01) {
                last440 = now;
            }
            if (ToneDetector.amplitudeAt(bytes, 660, 48_000) > 0.01) {
                last660 = now;
            }
        }

        synchronized void reset() {
            recent.clear();
            frames = 0;
        }

        synchronized long frames() {
            return frames;
        }

        synchronized long lastToneNanos(int hz) {
            return hz == 440 ? last440 : last660;
        }

        List<String> otherClients(String name) {
            return clients.stream().filter(c -> !c.equals(name)).toList();
        }

        synchronized Heard heard() {
            int length = recent.stream().mapToInt(b -> b.length).sum();
            byte[] all = new byte[length];
            int at = 0;
            for (byte[] b : recent) {
                System.arraycopy(b, 0, all, at, b.length);
                at += b.length;
            }
            return new Heard(all);
        }

        /** One second of what was heard. */
        static final class Heard {
            final byte[] pcm;
            final double level;
            final double dominantHz;

            Heard(byte[] pcm) {
                this.pcm = pcm;
                this.level = ToneDetector.level(pcm);
                this.dominantHz = ToneDetector.dominantFrequency(pcm, 48_000);
            }

            double fractionAt(int hz) {
                return ToneDetector.energyFraction(pcm, hz - 15, hz + 15, 48_000);
            }

            @Override
            public String toString() {
                return String.format(Locale.ROOT, "level %.3f, dominant %.0f Hz, 440: %.2f, 660: %.2f (%d bytes)",
                        level, dominantHz, fractionAt(440), fractionAt(660), pcm.length);
            }
        }
    }
}
