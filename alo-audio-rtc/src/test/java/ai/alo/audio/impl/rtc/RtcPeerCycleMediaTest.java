package ai.alo.audio.impl.rtc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * 20 connect/close cycles on one engine: threads (Java and native) and file descriptors stay flat after the first
 * cycle, {@code close()} leaves no frame delivery behind, and the teardown times and the resident memory per cycle are
 * printed (webrtc-java 0.14.0 never frees a closed peer connection's native object).
 */
@Execution(ExecutionMode.SAME_THREAD)
class RtcPeerCycleMediaTest {

    private static final int CYCLES = Integer.getInteger("alo.rtc.cycles", 20);

    @Test
    void connectAndClose_twentyTimes_threadsAndFdsStayFlat_andNoFrameFollowsClose() {
        MediaTestSupport.requireNetworkNamespace();
        RtcEngine engine = RtcEngine.create(RtcEngine.Options.builder().name("cycle").build());
        RtcPacer pacer = new RtcPacer(r -> new Thread(r), "cycle-pacer");
        List<Double> pcCloseMillis = new ArrayList<>();
        List<Double> peerCloseMillis = new ArrayList<>();
        int tasksAfterFirst = -1;
        int javaAfterFirst = -1;
        int fdsAfterFirst = -1;
        long rssAfterFirst = -1;
        int maxTasksDuringCall = 0;
        try {
            // Warm up the pacer thread so that it is counted from the start.
            MediaTestSupport.waitTicks(pacer, 2);
            int tasksBefore = MediaTestSupport.tasks();
            for (int cycle = 1; cycle <= CYCLES; cycle++) {
                RecordingListener aEvents = new RecordingListener();
                RecordingListener bEvents = new RecordingListener();
                RtcPeer a = engine.newPeer(aEvents);
                RtcPeer b = engine.newPeer(bEvents);
                MediaTestSupport.connect(a, aEvents, b, bEvents);
                Audio.Tone tone = new Audio.Tone(440, 0.5);
                Audio.Tone back = new Audio.Tone(660, 0.5);
                RtcPacer.Registration sending = pacer.add((n, t) -> {
                    a.send(tone.next());
                    b.send(back.next());
                });
                bEvents.awaitFrames(20);
                aEvents.awaitFrames(20);
                maxTasksDuringCall = Math.max(maxTasksDuringCall, MediaTestSupport.tasks());
                sending.close();

                long closeA = a.close();
                long closeB = b.close();
                long framesAtClose = bEvents.frameCount();
                long framesAtCloseA = aEvents.frameCount();
                pcCloseMillis.add(a.peerConnectionCloseNanos() / 1e6);
                pcCloseMillis.add(b.peerConnectionCloseNanos() / 1e6);
                peerCloseMillis.add(closeA / 1e6);
                peerCloseMillis.add(closeB / 1e6);
                aEvents.awaitState(RtcPeerState.CLOSED);
                bEvents.awaitState(RtcPeerState.CLOSED);
                // 100 ms later (the playout thread ran 10 times meanwhile) nothing more arrived.
                MediaTestSupport.waitTicks(pacer, 10);
                assertEquals(framesAtClose, bEvents.frameCount(), "no onFrame after close() returned (B)");
                assertEquals(framesAtCloseA, aEvents.frameCount(), "no onFrame after close() returned (A)");
                assertEquals(0, engine.openPeers());
                if (cycle == 1) {
                    tasksAfterFirst = MediaTestSupport.tasks();
                    javaAfterFirst = MediaTestSupport.javaThreads();
                    fdsAfterFirst = MediaTestSupport.fds();
                    rssAfterFirst = MediaTestSupport.rssKib();
                    System.out.printf("cycle: tasks before %d, after cycle 1 %d (java %d), fds %d, RSS %d KiB%n",
                            tasksBefore, tasksAfterFirst, javaAfterFirst, fdsAfterFirst, rssAfterFirst);
                }
            }
            int tasksAfter = MediaTestSupport.tasks();
            int javaAfter = MediaTestSupport.javaThreads();
            int fdsAfter = MediaTestSupport.fds();
            long rssAfter = MediaTestSupport.rssKib();
            System.out.printf("cycle: after %d cycles tasks %d (max %d during a call), java threads %d, fds %d, "
                    + "RSS %d KiB (%.0f KiB per cycle after the first)%n", CYCLES, tasksAfter, maxTasksDuringCall,
                    javaAfter, fdsAfter, rssAfter, (rssAfter - rssAfterFirst) / (double) (CYCLES - 1));
            System.out.printf("cycle: pc.close() ms min %.1f median %.1f max %.1f; RtcPeer.close() ms median %.1f "
                    + "max %.1f%n", pcCloseMillis.stream().mapToDouble(d -> d).min().orElse(-1),
                    MediaTestSupport.median(pcCloseMillis), pcCloseMillis.stream().mapToDouble(d -> d).max()
                            .orElse(-1), MediaTestSupport.median(peerCloseMillis), peerCloseMillis.stream()
                            .mapToDouble(d -> d).max().orElse(-1));
            System.out.println("cycle: threads by name " + MediaTestSupport.taskNames());
            // Flat: a leak of one thread or descriptor per cycle would add 19.
            assertTrue(tasksAfter <= tasksAfterFirst + 3, "native+Java threads flat: after cycle 1 "
                    + tasksAfterFirst + ", after " + CYCLES + " " + tasksAfter);
            assertTrue(javaAfter <= javaAfterFirst + 3, "Java threads flat: after cycle 1 " + javaAfterFirst
                    + ", after " + CYCLES + " " + javaAfter);
            assertTrue(fdsAfter <= fdsAfterFirst + 3, "file descriptors flat: after cycle 1 " + fdsAfterFirst
                    + ", after " + CYCLES + " " + fdsAfter);
            assertTrue(MediaTestSupport.median(pcCloseMillis) < 1000, "pc.close() takes milliseconds, median "
                    + MediaTestSupport.median(pcCloseMillis) + " ms");
        } finally {
            pacer.close();
            engine.close();
        }
    }
}
