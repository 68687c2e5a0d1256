package ai.alo.audio.impl.rtc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * Guards the ADM recipe (webrtc-notes.md): one engine, two peers connected in-process over the namespace's veth
 * addresses, peer A sends a 440 Hz tone for 3 s from an {@link RtcPacer}; B must receive about 100 frames per second
 * and hear the tone, and the JVM must still be alive (a wrong ADM order aborts it with a race check, or stalls
 * receiving after 1-2 frames). Then everything is closed in the documented order.
 */
@Execution(ExecutionMode.SAME_THREAD)
class RtcCanaryMediaTest {

    @Test
    void tone_fromPacerThroughOneEngine_arrivesAt100FramesPerSecondAndIsTheTone() throws Exception {
        MediaTestSupport.requireNetworkNamespace();
        RtcEngine engine = RtcEngine.create(RtcEngine.Options.builder().name("canary").build());
        RtcPacer pacer = new RtcPacer(r -> new Thread(r), "canary-pacer");
        try {
            RecordingListener aEvents = new RecordingListener();
            RecordingListener bEvents = new RecordingListener();
            RtcPeer a = engine.newPeer(aEvents);
            RtcPeer b = engine.newPeer(bEvents);
            assertEquals(2, engine.openPeers());
            MediaTestSupport.connect(a, aEvents, b, bEvents);

            Audio.Tone tone = new Audio.Tone(440, 0.5);
            CountDownLatch threeSeconds = new CountDownLatch(300);
            long[] startNanos = new long[1];
            RtcPacer.Registration sending = pacer.add((n, deadline) -> {
                if (startNanos[0] == 0) {
                    startNanos[0] = System.nanoTime();
                }
                a.send(tone.next());
                threeSeconds.countDown();
            });
            assertTrue(threeSeconds.await(MediaTestSupport.WAIT_SECONDS, TimeUnit.SECONDS), "the pacer ran 300 ticks");
            long end = System.nanoTime();
            List<byte[]> last = bEvents.lastFrames(100);
            sending.close();

            // The last 2 s: at least 85 frames per second (100 expected).
            int lastTwoSeconds = bEvents.framesBetween(end - TimeUnit.SECONDS.toNanos(2), end);
            double perSecond = lastTwoSeconds / 2.0;
            System.out.printf("canary: %.1f frames/s at B over the last 2 s, %d frames in all, %d sent by A; frames "
                    + "delivered on native thread '%s' (Java name %s, daemon %s)%n", perSecond, bEvents.frameCount(),
                    a.framesSent(), bEvents.nativeFrameThreadName(), bEvents.frameThread().getName(),
                    bEvents.frameThread().isDaemon());
            assertTrue(perSecond >= 85, "B receives >= 85 frames/s, got " + perSecond);
            assertEquals(300, a.framesSent(), "A pushed every tick's frame");

            // The audio is the tone: energy at 440 Hz, well above silence.
            short[] heard = Audio.concat(last);
            double rms = Audio.rms(heard);
            double share = Audio.energyShareAt(heard, 440);
            double peak = Audio.peakFrequency(heard, 300, 600);
            System.out.printf("canary: received RMS %.3f of full scale (sent %.3f), %.0f%% of the energy at 440 Hz, "
                    + "peak at %.0f Hz%n", rms, 0.5 / Math.sqrt(2), share * 100, peak);
            assertTrue(rms > 0.1, "received level well above silence, RMS " + rms);
            assertTrue(share > 0.8, "most of the energy at 440 Hz, was " + share);
            assertTrue(Math.abs(peak - 440) <= 3, "peak near 440 Hz, was " + peak);
            assertEquals(0, b.framesDropped(), "no frame had an unexpected format");

            // The JVM is alive (an abort would have ended the fork) and both sides are still connected.
            assertEquals(RtcPeerState.CONNECTED, a.state());
            assertEquals(RtcPeerState.CONNECTED, b.state());

            long closeA = a.close();
            long closeB = b.close();
            System.out.printf("canary: close A %.1f ms (pc.close %.1f ms), close B %.1f ms (pc.close %.1f ms)%n",
                    closeA / 1e6, a.peerConnectionCloseNanos() / 1e6, closeB / 1e6,
                    b.peerConnectionCloseNanos() / 1e6);
            assertEquals(0, engine.openPeers());
            bEvents.awaitState(RtcPeerState.CLOSED);
        } finally {
            pacer.close();
            engine.close();
        }
        assertTrue(engine.isClosed());
    }
}
