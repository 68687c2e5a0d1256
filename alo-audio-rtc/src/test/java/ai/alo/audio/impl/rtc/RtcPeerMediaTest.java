package ai.alo.audio.impl.rtc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * The behaviour of {@link RtcPeer} and {@link RtcEngine} with real WebRTC inside the test's network namespace:
 * statistics, packet time, bad input, call order, listener failures, closing from a frame callback, two engines in
 * one JVM, and the single producer of a send stream.
 */
@Execution(ExecutionMode.SAME_THREAD)
class RtcPeerMediaTest {

    private static RtcEngine engine;
    private static RtcPacer pacer;

    @BeforeAll
    static void start() {
        MediaTestSupport.requireNetworkNamespace();
        engine = RtcEngine.create(RtcEngine.Options.builder().name("peer-test").build());
        pacer = new RtcPacer(r -> new Thread(r), "peer-test-pacer");
    }

    @AfterAll
    static void stop() {
        if (pacer != null) {
            pacer.close();
        }
        if (engine != null) {
            engine.close();
        }
    }

    @Test
    void stats_duringTone_reportOpus48kAndCountersOnBothSides() {
        RecordingListener aEvents = new RecordingListener();
        RecordingListener bEvents = new RecordingListener();
        RtcPeer a = engine.newPeer(aEvents);
        RtcPeer b = engine.newPeer(bEvents);
        try {
            MediaTestSupport.connect(a, aEvents, b, bEvents);
            Audio.Tone tone = new Audio.Tone(440, 0.5);
            RtcPacer.Registration r = pacer.add((n, t) -> a.send(tone.next()));
            try {
                bEvents.awaitFrames(100);
                MediaTestSupport.waitTicks(pacer, 50);
            } finally {
                r.close();
            }
            RtcStats sender = MediaTestSupport.await(a.stats());
            RtcStats receiver = MediaTestSupport.await(b.stats());
            System.out.println("stats: A " + sender);
            System.out.println("stats: B " + receiver);
            assertTrue(sender.packetsSent() > 20, "A sent packets: " + sender);
            assertTrue(sender.bytesSent() > 1000, "A sent bytes: " + sender);
            assertTrue(receiver.packetsReceived() > 20, "B received packets: " + receiver);
            assertEquals("audio/opus", receiver.receiveCodec().toLowerCase(java.util.Locale.ROOT));
            assertEquals(48000, receiver.receiveClockRate());
            assertTrue(receiver.audioLevel() > 0.1, "B hears the tone: audioLevel " + receiver.audioLevel());
            assertTrue(receiver.totalSamplesReceived() > 0);
            assertTrue(receiver.packetsLost() <= 2, "no loss on a veth pair: " + receiver.packetsLost());
            assertFalse(Double.isNaN(receiver.jitterBufferMillis()));
        } finally {
            a.close();
            b.close();
        }
        Throwable closed = MediaTestSupport.awaitFailure(a.stats());
        assertInstanceOf(IllegalStateException.class, closed);
    }

    /**
     * Packet time: with {@code packetTimeMillis(10)} each side asks for 10 ms packets and gets about 100 a second,
     * against about 50 with the default 20 ms. Also measures the onset latency (first tone frame pushed to first
     * loud frame heard) for both, printed.
     */
    @Test
    void packetTime10_doublesThePacketRate_andOnsetLatencyIsPrinted() {
        RtcEngine tenMs = RtcEngine.create(RtcEngine.Options.builder().name("ptime10").packetTimeMillis(10).build());
        try {
            double rate20 = packetRate(engine, "20 ms");
            double rate10 = packetRate(tenMs, "10 ms");
            assertTrue(rate20 > 40 && rate20 < 60, "20 ms packets: about 50 a second, was " + rate20);
            assertTrue(rate10 > 85 && rate10 < 115, "10 ms packets: about 100 a second, was " + rate10);
        } finally {
            tenMs.close();
        }
    }

    private static double packetRate(RtcEngine e, String label) {
        RecordingListener aEvents = new RecordingListener();
        RecordingListener bEvents = new RecordingListener();
        RtcPeer a = e.newPeer(aEvents);
        RtcPeer b = e.newPeer(bEvents);
        try {
            String offer = MediaTestSupport.await(a.createOffer());
            assertTrue(offer.contains("a=ptime:" + e.options().packetTimeMillis), "offer asks for the packet time");
            String answer = MediaTestSupport.await(b.acceptOffer(offer));
            assertTrue(answer.contains("a=ptime:" + e.options().packetTimeMillis), "answer asks for it too");
            MediaTestSupport.await(a.acceptAnswer(answer));
            aEvents.awaitState(RtcPeerState.CONNECTED);
            bEvents.awaitState(RtcPeerState.CONNECTED);

            // Onset latency: silence, then a tone; time from the first tone push to the first loud frame at B.
            Audio.Tone tone = new Audio.Tone(440, 0.5);
            byte[] silence = new byte[RtcPeer.FRAME_BYTES];
            List<Double> onsets = new ArrayList<>();
            for (int burst = 0; burst < 5; burst++) {
                AtomicLong toneStart = new AtomicLong();
                CountDownLatch heard = new CountDownLatch(1);
                AtomicLong heardAt = new AtomicLong();
                RecordingListener.FrameWatch watch = bEvents.watch(pcm -> {
                    if (toneStart.get() != 0 && Audio.rms(Audio.samples(pcm)) > 0.05 && heardAt.get() == 0) {
                        heardAt.set(System.nanoTime());
                        heard.countDown();
                    }
                });
                AtomicInteger ticks = new AtomicInteger();
                RtcPacer.Registration r = pacer.add((n, t) -> {
                    int k = ticks.getAndIncrement();
                    if (k < 50) {
                        a.send(silence);
                    } else {
                        if (k == 50) {
                            toneStart.set(System.nanoTime());
                        }
                        a.send(tone.next());
                    }
                });
                try {
                    assertTrue(heard.await(MediaTestSupport.WAIT_SECONDS, TimeUnit.SECONDS), "tone heard");
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError(ie);
                } finally {
                    r.close();
                    watch.close();
                }
                onsets.add((heardAt.get() - toneStart.get()) / 1e6);
            }
            long before = MediaTestSupport.await(b.stats()).packetsReceived();
            long t0 = System.nanoTime();
            RtcPacer.Registration r = pacer.add((n, t) -> a.send(tone.next()));
            try {
                MediaTestSupport.waitTicks(pacer, 200);
            } finally {
                r.close();
            }
            long after = MediaTestSupport.await(b.stats()).packetsReceived();
            double seconds = (System.nanoTime() - t0) / 1e9;
            double rate = (after - before) / seconds;
            onsets.sort(null);
            System.out.printf("ptime %s: %.1f packets/s; onset latency ms (5 bursts) %s, median %.1f%n", label, rate,
                    onsets, onsets.get(2));
            return rate;
        } finally {
            a.close();
            b.close();
        }
    }

    @Test
    void acceptOffer_withBadDescriptions_failsReadablyWithoutSecrets() {
        RecordingListener aEvents = new RecordingListener();
        RtcPeer offerer = engine.newPeer(aEvents);
        try {
            String offer = MediaTestSupport.await(offerer.createOffer());
            String password = matchOrFail(offer, "a=ice-pwd:(\\S+)");
            String fingerprint = matchOrFail(offer, "a=fingerprint:sha-256 (\\S+)");

            // No audio section with Opus: refused before libwebrtc sees it.
            RtcPeer b1 = engine.newPeer(new RecordingListener());
            Throwable noOpus = MediaTestSupport.awaitFailure(b1.acceptOffer("v=0\r\nthis is not a session\r\n"));
            assertInstanceOf(RtcException.class, noOpus);
            assertTrue(noOpus.getMessage().contains("Opus"), noOpus.getMessage());
            b1.close();

            // libwebrtc refuses it: no DTLS fingerprint. The message must not carry the password or the fingerprint.
            RtcPeer b2 = engine.newPeer(new RecordingListener());
            String withoutFingerprint = offer.replaceAll("a=fingerprint:[^\r\n]*\r\n", "");
            Throwable refused = MediaTestSupport.awaitFailure(b2.acceptOffer(withoutFingerprint));
            assertInstanceOf(RtcException.class, refused);
            System.out.println("refused offer: " + refused.getMessage());
            assertTrue(refused.getMessage().startsWith("setting the remote offer failed"), refused.getMessage());
            assertFalse(refused.getMessage().contains(password), "no ICE password in the message");
            b2.close();

            // A garbled line: libwebrtc's parse error quotes the line; it is redacted.
            RtcPeer b3 = engine.newPeer(new RecordingListener());
            String garbled = offer.replace("a=ice-pwd:" + password, "a=ice-pwd:" + password + " x=");
            Throwable parse = MediaTestSupport.awaitFailure(b3.acceptOffer(garbled.replace("\r\nt=0 0", "\r\nt=zz")));
            assertInstanceOf(RtcException.class, parse);
            System.out.println("garbled offer: " + parse.getMessage());
            assertFalse(parse.getMessage().contains(password), "no ICE password in the message");
            assertFalse(parse.getMessage().contains(fingerprint), "no fingerprint in the message");
            b3.close();

            assertThrows(NullPointerException.class, () -> offerer.acceptAnswer(null));
        } finally {
            offerer.close();
        }
    }

    @Test
    void negotiation_outOfOrder_failsWithIllegalState() {
        RtcPeer a = engine.newPeer(new RecordingListener());
        RtcPeer b = engine.newPeer(new RecordingListener());
        try {
            Throwable early = MediaTestSupport.awaitFailure(a.acceptAnswer("v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n"
                    + "a=rtpmap:111 opus/48000/2\r\n"));
            assertInstanceOf(IllegalStateException.class, early);
            assertTrue(early.getMessage().contains("not negotiated yet"), early.getMessage());

            String offer = MediaTestSupport.await(a.createOffer());
            Throwable twice = MediaTestSupport.awaitFailure(a.createOffer());
            assertInstanceOf(IllegalStateException.class, twice);
            Throwable answerAsOfferer = MediaTestSupport.awaitFailure(a.acceptOffer(offer));
            assertInstanceOf(IllegalStateException.class, answerAsOfferer);

            String answer = MediaTestSupport.await(b.acceptOffer(offer));
            Throwable offerAfterAnswer = MediaTestSupport.awaitFailure(b.createOffer());
            assertInstanceOf(IllegalStateException.class, offerAfterAnswer);
            MediaTestSupport.await(a.acceptAnswer(answer));
            Throwable answerTwice = MediaTestSupport.awaitFailure(a.acceptAnswer(answer));
            assertInstanceOf(IllegalStateException.class, answerTwice);
        } finally {
            a.close();
            b.close();
        }
    }

    @Test
    void send_withWrongSize_isRefused_andAfterCloseIsANoOp() {
        RtcPeer a = engine.newPeer(new RecordingListener());
        IllegalArgumentException wrong = assertThrows(IllegalArgumentException.class, () -> a.send(new byte[959]));
        assertTrue(wrong.getMessage().contains("960"), wrong.getMessage());
        assertThrows(IllegalArgumentException.class, () -> a.send(null));
        a.send(new byte[RtcPeer.FRAME_BYTES]);
        assertEquals(1, a.framesSent());
        assertTrue(a.close() > 0);
        a.send(new byte[RtcPeer.FRAME_BYTES]);
        assertEquals(1, a.framesSent(), "send after close does nothing");
        assertEquals(0, a.close(), "close is idempotent");
        assertEquals(RtcPeerState.CLOSED, a.state());
    }

    @Test
    void close_whileNegotiating_failsThePendingFuture() {
        RtcPeer a = engine.newPeer(new RecordingListener());
        CompletableFuture<String> offer = a.createOffer();
        a.close();
        Throwable failure = MediaTestSupport.awaitFailure(offer);
        assertInstanceOf(RtcException.class, failure);
        assertTrue(failure.getMessage().contains("closed"), failure.getMessage());
        Throwable after = MediaTestSupport.awaitFailure(a.createOffer());
        assertInstanceOf(IllegalStateException.class, after);
    }

    @Test
    void listenerThatThrows_doesNotStopFramesOrTheJvm() {
        AtomicLong calls = new AtomicLong();
        RecordingListener bEvents = new RecordingListener();
        RtcPeer.Listener throwing = new RtcPeer.Listener() {
            @Override
            public void onFrame(byte[] pcm) {
                calls.incrementAndGet();
                bEvents.onFrame(pcm);
                throw new IllegalStateException("listener bug (expected by the test)");
            }

            @Override
            public void onStateChange(RtcPeerState state) {
                bEvents.onStateChange(state);
                throw new IllegalStateException("listener bug in onStateChange (expected by the test)");
            }
        };
        RecordingListener aEvents = new RecordingListener();
        RtcPeer a = engine.newPeer(aEvents);
        RtcPeer b = engine.newPeer(throwing);
        try {
            MediaTestSupport.connect(a, aEvents, b, bEvents);
            Audio.Tone tone = new Audio.Tone(440, 0.5);
            RtcPacer.Registration r = pacer.add((n, t) -> a.send(tone.next()));
            try {
                bEvents.awaitFrames(150);
            } finally {
                r.close();
            }
            assertTrue(calls.get() >= 150, "frames keep coming although every call threw");
            assertEquals(RtcPeerState.CONNECTED, b.state());
        } finally {
            a.close();
            b.close();
        }
    }

    @Test
    void close_fromOnFrame_stopsDeliveryAtOnce_andTearsDownOnTheCallbackThread() throws Exception {
        AtomicLong framesAfterClose = new AtomicLong();
        AtomicLong closeReturned = new AtomicLong(-1);
        AtomicReference<Throwable> engineClose = new AtomicReference<>();
        RtcPeer[] self = new RtcPeer[1];
        RecordingListener bEvents = new RecordingListener();
        RtcPeer.Listener closing = new RtcPeer.Listener() {
            private int frames;

            @Override
            public void onFrame(byte[] pcm) {
                if (closeReturned.get() >= 0) {
                    framesAfterClose.incrementAndGet();
                }
                if (++frames == 40) {
                    try {
                        engine.close();
                    } catch (Throwable t) {
                        engineClose.set(t);
                    }
                }
                if (frames == 50) {
                    closeReturned.set(self[0].close());
                }
            }

            @Override
            public void onStateChange(RtcPeerState state) {
                bEvents.onStateChange(state);
            }
        };
        RecordingListener aEvents = new RecordingListener();
        RtcPeer a = engine.newPeer(aEvents);
        RtcPeer b = engine.newPeer(closing);
        self[0] = b;
        try {
            MediaTestSupport.connect(a, aEvents, b, bEvents);
            Audio.Tone tone = new Audio.Tone(440, 0.5);
            RtcPacer.Registration r = pacer.add((n, t) -> a.send(tone.next()));
            try {
                bEvents.awaitState(RtcPeerState.CLOSED);
                MediaTestSupport.waitTicks(pacer, 20);
            } finally {
                r.close();
            }
            assertInstanceOf(IllegalStateException.class, engineClose.get(), "RtcEngine.close() refused in onFrame");
            assertFalse(engine.isClosed());
            assertTrue(closeReturned.get() >= 0, "close() returned inside onFrame");
            assertEquals(0, framesAfterClose.get(), "no frame after close()");
            assertEquals(RtcPeerState.CLOSED, b.state());
            assertTrue(b.peerConnectionCloseNanos() > 0, "the native close ran (on the callback thread)");
        } finally {
            a.close();
            b.close();
        }
    }

    /**
     * Two engines in one JVM (a client runtime and an embedded reference server in one test JVM): a peer of each talks
     * to the other, both ways, with the right tone each way.
     */
    @Test
    void twoEngines_inOneJvm_carryAudioBothWays() {
        RtcEngine second = RtcEngine.create(RtcEngine.Options.builder().name("second").build());
        RecordingListener aEvents = new RecordingListener();
        RecordingListener bEvents = new RecordingListener();
        RtcPeer a = engine.newPeer(aEvents);
        RtcPeer b = second.newPeer(bEvents);
        try {
            MediaTestSupport.connect(a, aEvents, b, bEvents);
            Audio.Tone toB = new Audio.Tone(440, 0.5);
            Audio.Tone toA = new Audio.Tone(660, 0.5);
            RtcPacer.Registration r = pacer.add((n, t) -> {
                a.send(toB.next());
                b.send(toA.next());
            });
            try {
                bEvents.awaitFrames(200);
                aEvents.awaitFrames(200);
            } finally {
                r.close();
            }
            short[] atB = Audio.concat(bEvents.lastFrames(100));
            short[] atA = Audio.concat(aEvents.lastFrames(100));
            System.out.printf("two engines: B hears %.0f%% at 440 Hz, A hears %.0f%% at 660 Hz%n",
                    100 * Audio.energyShareAt(atB, 440), 100 * Audio.energyShareAt(atA, 660));
            assertTrue(Audio.energyShareAt(atB, 440) > 0.8, "B hears A's 440 Hz");
            assertTrue(Audio.energyShareAt(atA, 660) > 0.8, "A hears B's 660 Hz");
        } finally {
            a.close();
            b.close();
            second.close();
        }
        assertThrows(IllegalStateException.class, () -> second.newPeer(new RecordingListener()));
    }

    /**
     * The send stream has one producer, the pacer: with the recipe, libwebrtc reports at engine start that it could
     * not give the audio device module its audio transport, so the module's capture thread (which libwebrtc starts
     * for every call) has nowhere to deliver recorded frames. If it had, its silent frames would be mixed into the
     * stream between the tone's (and the race check would abort the JVM): the receiver hears the tone at full level
     * in (nearly) every frame. Calling send() from two threads at once is outside the contract and not tested.
     */
    @Test
    void sendStream_hasOnlyThePacerAsProducer() {
        assertTrue(WebrtcLogForwarder.transportNotSetCount() >= 1, "libwebrtc said the transport was not set");
        RecordingListener aEvents = new RecordingListener();
        RecordingListener bEvents = new RecordingListener();
        RtcPeer a = engine.newPeer(aEvents);
        RtcPeer b = engine.newPeer(bEvents);
        try {
            MediaTestSupport.connect(a, aEvents, b, bEvents);
            Audio.Tone tone = new Audio.Tone(440, 0.5);
            Thread[] producer = new Thread[1];
            List<byte[]> frames;
            RtcPacer.Registration r = pacer.add((n, t) -> {
                producer[0] = Thread.currentThread();
                a.send(tone.next());
            });
            try {
                MediaTestSupport.waitTicks(pacer, 150);
                long noiseBefore = WebrtcLogForwarder.invalidTransportCount();
                MediaTestSupport.waitTicks(pacer, 150);
                assertTrue(WebrtcLogForwarder.invalidTransportCount() > noiseBefore,
                        "the capture thread's recorded frames go nowhere ('Invalid audio transport')");
                frames = bEvents.lastFrames(150);
            } finally {
                r.close();
            }
            assertEquals("peer-test-pacer", producer[0].getName());
            assertEquals(150, frames.size());
            int quiet = 0;
            for (byte[] f : frames) {
                if (Audio.rms(Audio.samples(f)) < 0.25) {
                    quiet++;
                }
            }
            RtcStats heard = MediaTestSupport.await(b.stats());
            System.out.printf("one producer: %d quiet of %d frames; receiver concealed %d of %d samples; pacer skipped "
                    + "%d ticks%n", quiet, frames.size(), heard.concealedSamples(), heard.totalSamplesReceived(),
                    pacer.skippedTicks());
            // A second producer (the capture thread's silent frames between the pacer's) would make about half the
            // frames quiet. A few may be quiet on a loaded machine: a late pacer round lets the jitter buffer run dry
            // and libwebrtc conceals (fades) a frame or two.
            assertTrue(quiet <= frames.size() / 10, quiet + " quiet frames of " + frames.size()
                    + " between the tone's (a second producer inserts about half)");
        } finally {
            a.close();
            b.close();
        }
    }

    private static String matchOrFail(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        assertTrue(m.find(), "pattern " + regex + " in the offer");
        return m.group(1);
    }
}
