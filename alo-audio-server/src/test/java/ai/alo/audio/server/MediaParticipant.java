package ai.alo.audio.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import ai.alo.audio.impl.rtc.RtcEngine;
import ai.alo.audio.impl.rtc.RtcPacer;
import ai.alo.audio.impl.rtc.RtcPeer;
import ai.alo.audio.impl.rtc.RtcPeerState;
import ai.alo.audio.protocol.Capability;
import ai.alo.audio.protocol.ChannelInfo;
import ai.alo.audio.protocol.ErrorMessage;
import ai.alo.audio.protocol.Hello;
import ai.alo.audio.protocol.Join;
import ai.alo.audio.protocol.Joined;
import ai.alo.audio.protocol.Leave;
import ai.alo.audio.protocol.Left;
import ai.alo.audio.protocol.MediaAnswer;
import ai.alo.audio.protocol.MediaOffer;
import ai.alo.audio.protocol.MediaState;
import ai.alo.audio.protocol.Message;
import ai.alo.audio.protocol.ProtocolVersion;
import ai.alo.audio.protocol.Roster;
import ai.alo.audio.protocol.UserInfo;
import ai.alo.audio.protocol.Welcome;
import ai.alo.audio.testing.ToneDetector;
import ai.alo.audio.testing.ToneGenerator;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.glassfish.tyrus.client.ClientManager;

/**
 * A test participant of the relay: a WebSocket session ({@link TestPeer}) that says hello with {@code media.webrtc},
 * joins a channel and offers media with a raw {@link RtcPeer} of the test's own engine; it sends what its source says
 * (a tone, silence) from the test's pacer and records what it hears (a {@link ToneDetector} and the last frames).
 * Waits are bounded by {@link #WAIT}.
 */
final class MediaParticipant implements AutoCloseable {

    static final Duration WAIT = Duration.ofSeconds(20);
    private static final int KEEP_FRAMES = 100;
    private static final AtomicInteger REQUESTS = new AtomicInteger();

    final String userId;
    final String channelId;
    final TestPeer ws;
    final List<Message> received = new ArrayList<>();
    private final RtcEngine engine;
    private final RtcPacer pacer;
    private final ToneDetector heard = new ToneDetector();
    private final ArrayDeque<byte[]> recent = new ArrayDeque<>();
    private final AtomicLong frames = new AtomicLong();
    private final List<RtcPeerState> states = new ArrayList<>();
    private volatile Supplier<byte[]> source = ToneGenerator::silence;
    private volatile FrameWatcher watcher;
    private RtcPeer peer;
    private RtcPacer.Registration sending;
    String connectionId;

    /** Called with every received frame, on libwebrtc's audio thread. */
    interface FrameWatcher {
        void onFrame(byte[] pcm, long nanoTime);
    }

    private MediaParticipant(String userId, String channelId, TestPeer ws, RtcEngine engine, RtcPacer pacer) {
        this.userId = userId;
        this.channelId = channelId;
        this.ws = ws;
        this.engine = engine;
        this.pacer = pacer;
    }

    /**
     * The test side's engine, as the participants of these tests use it: 10 ms packets, like the relay.
     *
     * @param name the engine's name
     * @return a started engine; the caller closes it
     */
    static RtcEngine testEngine(String name) {
        return RtcEngine.create(RtcEngine.Options.builder().name(name).packetTimeMillis(10).build());
    }

    /**
     * The test side's pacer, on a daemon thread named {@code <name>-pacer}.
     *
     * @param name the prefix of its thread's name
     * @return the pacer; the caller closes it
     */
    static RtcPacer testPacer(String name) {
        return new RtcPacer(runnable -> {
            Thread thread = new Thread(runnable);
            thread.setDaemon(true);
            return thread;
        }, name + "-pacer");
    }

    /** Connects, says hello with media.webrtc, joins the channel; returns after the last roster page. */
    static MediaParticipant joined(ClientManager client, AloAudioServer server, RtcEngine engine, RtcPacer pacer,
                                   String userId, String channelId, boolean fullDuplex) throws Exception {
        TestPeer ws = TestPeer.connect(client, server.uri(), server.tokens().issue(userId, Duration.ofHours(1)));
        MediaParticipant participant = new MediaParticipant(userId, channelId, ws, engine, pacer);
        ws.send(TestPeer.encode(new Hello(ProtocolVersion.MAX, ProtocolVersion.MIN, "media-test/1",
                new UserInfo(userId, "Name " + userId, ""), false, TestPeer.RELAXED,
                List.of(Capability.MEDIA_WEBRTC), null)));
        Welcome welcome = participant.await(Welcome.class, w -> true);
        assertTrue(welcome.capabilities().contains(Capability.MEDIA_WEBRTC), welcome::toString);
        ws.send(TestPeer.encode(new Join("j-" + userId, new ChannelInfo(channelId, "Channel " + channelId,
                fullDuplex))));
        participant.connectionId = participant.await(Joined.class, j -> true).connectionId();
        participant.await(Roster.class, Roster::last);
        return participant;
    }

    /** A new peer of the test's engine (closing the current one), offered to the server; returns the answer. */
    Message offer() throws Exception {
        closePeer();
        peer = engine.newPeer(new RtcPeer.Listener() {
            @Override
            public void onFrame(byte[] pcm) {
                long now = System.nanoTime();
                heard.accept(pcm);
                frames.incrementAndGet();
                synchronized (recent) {
                    recent.addLast(pcm);
                    if (recent.size() > KEEP_FRAMES) {
                        recent.removeFirst();
                    }
                }
                FrameWatcher w = watcher;
                if (w != null) {
                    w.onFrame(pcm, now);
                }
            }

            @Override
            public void onStateChange(RtcPeerState state) {
                synchronized (states) {
                    states.add(state);
                    states.notifyAll();
                }
            }
        });
        String sdp = peer.createOffer().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        String requestId = "m-" + REQUESTS.incrementAndGet();
        ws.send(TestPeer.encode(new MediaOffer(requestId, channelId, sdp)));
        Message reply = await(Message.class, m -> m instanceof MediaAnswer a && requestId.equals(a.requestId())
                || m instanceof ErrorMessage e && requestId.equals(e.requestId()));
        if (reply instanceof MediaAnswer answer) {
            assertEquals(channelId, answer.channelId());
            peer.acceptAnswer(answer.sdp()).get(WAIT.toSeconds(), TimeUnit.SECONDS);
            if (sending == null) {
                sending = pacer.add((n, t) -> {
                    RtcPeer current = this.peer;
                    Supplier<byte[]> frames = source;
                    if (current != null && frames != null) {
                        current.send(frames.get());
                    }
                });
            }
        }
        return reply;
    }

    /** Offers and waits until both the test's peer and the server say connected. */
    void connect() throws Exception {
        Message reply = offer();
        assertTrue(reply instanceof MediaAnswer, () -> "expected media.answer, got " + reply);
        awaitPeerState(RtcPeerState.CONNECTED);
        await(MediaState.class, s -> MediaState.CONNECTED.equals(s.state()));
    }

    void sendTone(double hz) {
        ToneGenerator tone = new ToneGenerator(hz, 0.3);
        source = tone::nextFrame;
    }

    void sendSilence() {
        source = ToneGenerator::silence;
    }

    void send(Supplier<byte[]> frames) {
        source = frames;
    }

    /** Stops this participant's own sending tick: the test pushes into {@link #peer()} itself, from the pacer. */
    void sendNothing() {
        source = null;
    }

    void watch(FrameWatcher frameWatcher) {
        this.watcher = frameWatcher;
    }

    RtcPeer peer() {
        return peer;
    }

    long framesHeard() {
        return frames.get();
    }

    ToneDetector.Snapshot heard() {
        return heard.snapshot();
    }

    /** Amplitude (fraction of full scale) of a frequency in the last {@code n} frames heard (Goertzel). */
    double amplitude(double hz, int n) {
        byte[] joined;
        synchronized (recent) {
            List<byte[]> last = new ArrayList<>(recent);
            last = last.subList(Math.max(0, last.size() - n), last.size());
            joined = new byte[last.size() * RtcPeer.FRAME_BYTES];
            for (int i = 0; i < last.size(); i++) {
                System.arraycopy(last.get(i), 0, joined, i * RtcPeer.FRAME_BYTES, RtcPeer.FRAME_BYTES);
            }
        }
        return joined.length == 0 ? 0 : ToneDetector.amplitudeAt(joined, hz, RtcPeer.SAMPLE_RATE);
    }

    /** Waits until the last 30 frames hold these amplitudes (each frequency above or below its bound). */
    void awaitHearing(String what, Predicate<MediaParticipant> condition) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.test(this)) {
                return;
            }
            Thread.sleep(50);
        }
        fail(userId + " did not hear " + what + " within " + WAIT + ": " + describeHeard());
    }

    String describeHeard() {
        return String.format("%s heard %d frames; amplitude 440 Hz %.3f, 660 Hz %.3f, 880 Hz %.3f, 1100 Hz %.3f; %s",
                userId, frames.get(), amplitude(440, 30), amplitude(660, 30), amplitude(880, 30),
                amplitude(1100, 30), heard.snapshot());
    }

    void awaitPeerState(RtcPeerState state) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        synchronized (states) {
            while (!states.contains(state)) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    fail(userId + "'s peer never reached " + state + ": " + states);
                }
                TimeUnit.NANOSECONDS.timedWait(states, left);
            }
        }
    }

    void leave() throws Exception {
        ws.send(TestPeer.encode(new Leave("l-" + userId, channelId)));
        await(Left.class, l -> true);
    }

    /** The next message of this type that matches, from what arrived (kept in {@link #received}) or arrives. */
    <T extends Message> T await(Class<T> type, Predicate<? super T> match) throws InterruptedException {
        return await(type, match, WAIT);
    }

    /** Like {@link #await(Class, Predicate)}, waiting at most {@code wait}. */
    <T extends Message> T await(Class<T> type, Predicate<? super T> match, Duration wait) throws InterruptedException {
        synchronized (received) {
            for (Message m : received) {
                if (type.isInstance(m) && match.test(type.cast(m))) {
                    received.remove(m);
                    return type.cast(m);
                }
            }
        }
        long deadline = System.nanoTime() + wait.toNanos();
        while (System.nanoTime() < deadline) {
            String text;
            try {
                text = ws.nextText();
            } catch (AssertionError timeout) {
                continue;
            }
            Message m = TestPeer.decode(text);
            if (type.isInstance(m) && match.test(type.cast(m))) {
                return type.cast(m);
            }
            synchronized (received) {
                received.add(m);
            }
        }
        return fail(userId + ": no matching " + type.getSimpleName() + " within " + wait + "; got " + received);
    }

    /** Closes the test's peer without telling the server (the media path just goes silent). */
    void dropPeer() {
        closePeer();
    }

    private void closePeer() {
        RtcPeer old = peer;
        peer = null;
        if (old != null) {
            old.close();
        }
    }

    @Override
    public void close() {
        if (sending != null) {
            sending.close();
        }
        closePeer();
        ws.close();
    }
}
