package ai.alo.audio.server;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The audio mixer of one channel of the relay ({@code docs/media.md}, "The relay's mixer"): every 10 ms tick it takes
 * each participant's next received frame and gives each participant the sum of the <em>other</em> participants'
 * frames, never its own.
 *
 * <h2>Frames</h2>
 * <p>10 ms of 48 kHz mono signed 16-bit little-endian PCM: {@value #FRAME_BYTES} bytes. A received frame enters a
 * small per-participant jitter queue ({@link Participant#offer}, on the thread that received it, typically a native
 * WebRTC thread; it never blocks). The queue holds at most {@code queueFrames} frames (default
 * {@value #DEFAULT_QUEUE_FRAMES}); a frame arriving at a full queue drops the oldest one (counted in
 * {@link Participant#overflowDrops()}).
 *
 * <h2>A tick</h2>
 * <p>{@link #tick} runs on one pacer thread, once per 10 ms. It takes the oldest frame of each queue; a participant
 * whose queue is empty contributes nothing this tick (counted in {@link Participant#underruns()}): stale audio is
 * never repeated. Each frame taken is added, as {@code int}, into one sum over the participants that are forwarded
 * (everyone, unless {@link #forwardOnly} says otherwise, as push-to-talk will). Then each participant gets the sum
 * minus its own contribution, saturated to 16 bits. That is O(N) per tick for N participants (two passes of 480
 * samples each), not O(N&sup2;). Participants who contributed nothing this tick all get the same array: the encoded sum,
 * computed once.
 *
 * <h2>Latency</h2>
 * <p>A frame waits in its queue until the next tick: less than one tick (10 ms) when frames arrive at the pace they
 * are taken. After a burst (a late native thread delivering several frames at once) the queue could hold a standing
 * backlog that would add 10-20 ms for good, because frames arrive and leave at the same rate; so when a frame has
 * been left waiting after every tick for {@code settleTicks} ticks in a row (default {@value #DEFAULT_SETTLE_TICKS},
 * half a second), the oldest waiting frame is dropped (counted in {@link Participant#latencyDrops()}). The added
 * delay is thus at most one tick of queueing in steady state, and at most {@code queueFrames} ticks for at most
 * {@code settleTicks} ticks after a burst.
 *
 * <h2>Threads</h2>
 * <p>{@link #tick}, {@link #add}, {@link #remove}, {@link #forwardOnly} and {@link #forwardEveryone} take one lock, so
 * a change is seen by the next tick as a whole, and after {@link #remove} returns no tick includes the removed
 * participant's audio nor gives it a mix. {@link Participant#offer} takes only its participant's own small lock. The
 * {@link MixTarget} runs on the ticking thread under the mixer's lock and must not block (pushing into a WebRTC send
 * track takes microseconds). Holds no thread, timer or native resource: nothing to release.
 */
final class ChannelMixer {

    /** Bytes of one 10 ms frame: 480 samples of 16 bits. */
    static final int FRAME_BYTES = 960;
    /** Samples of one frame. */
    static final int FRAME_SAMPLES = FRAME_BYTES / 2;
    /** Frames a participant's queue holds by default. */
    static final int DEFAULT_QUEUE_FRAMES = 3;
    /** Ticks in a row with a frame left waiting before one is dropped, by default. */
    static final int DEFAULT_SETTLE_TICKS = 50;
    /** The most participants a mixer takes: the int sum of 65,536 full-scale samples would overflow. */
    static final int MAX_PARTICIPANTS = 65_535;

    /** Receives the mix of each participant, on the ticking thread. */
    @FunctionalInterface
    interface MixTarget {

        /**
         * The mix for one participant this tick.
         *
         * @param participant the listener
         * @param frame       {@value #FRAME_BYTES} bytes of PCM, owned by the mixer: read it before this call returns
         *                    (the array is reused next tick and may be shared with other participants); never modify
         *                    it. All zeros when {@code voices} is 0
         * @param voices      how many other participants' frames are in it
         */
        void mixed(Participant participant, byte[] frame, int voices);
    }

    private final int queueFrames;
    private final int settleTicks;
    private final ReentrantLock lock = new ReentrantLock();
    // guarded by lock
    private Participant[] participants = new Participant[0];
    private Set<String> forwarded;
    private final int[] sum = new int[FRAME_SAMPLES];
    private final byte[] sharedMix = new byte[FRAME_BYTES];
    private final byte[] silence = new byte[FRAME_BYTES];
    private long ticks;

    /** A mixer with the default queue (3 frames) and settling (50 ticks). */
    ChannelMixer() {
        this(DEFAULT_QUEUE_FRAMES, DEFAULT_SETTLE_TICKS);
    }

    /**
     * A mixer.
     *
     * @param queueFrames frames each participant's queue holds, 1 to 50
     * @param settleTicks ticks in a row with a frame left waiting before one is dropped, at least 1
     */
    ChannelMixer(int queueFrames, int settleTicks) {
        if (queueFrames < 1 || queueFrames > 50) {
            throw new IllegalArgumentException("queueFrames must be 1 to 50, was " + queueFrames);
        }
        if (settleTicks < 1) {
            throw new IllegalArgumentException("settleTicks must be at least 1, was " + settleTicks);
        }
        this.queueFrames = queueFrames;
        this.settleTicks = settleTicks;
    }

    /**
     * Adds a participant; the next tick includes it.
     *
     * @param id the participant's id, unique in this mixer (such as its connection id)
     * @return the participant, through which its received frames are offered
     * @throws IllegalArgumentException when the id is already in the mixer, or the mixer is full
     */
    Participant add(String id) {
        Objects.requireNonNull(id, "id");
        lock.lock();
        try {
            if (find(id) != null) {
                throw new IllegalArgumentException("Participant " + id + " is already in the mixer");
            }
            if (participants.length >= MAX_PARTICIPANTS) {
                throw new IllegalArgumentException("The mixer holds its maximum of " + MAX_PARTICIPANTS
                        + " participants");
            }
            Participant participant = new Participant(id, queueFrames);
            Participant[] grown = Arrays.copyOf(participants, participants.length + 1);
            grown[participants.length] = participant;
            participants = grown;
            return participant;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Removes a participant. When this returns, no tick includes its audio or gives it a mix; frames it offers later
     * are dropped.
     *
     * @param id the participant's id
     * @return {@code false} when no such participant was in the mixer
     */
    boolean remove(String id) {
        lock.lock();
        try {
            Participant participant = find(id);
            if (participant == null) {
                return false;
            }
            participant.close();
            List<Participant> rest = new ArrayList<>(Arrays.asList(participants));
            rest.remove(participant);
            participants = rest.toArray(new Participant[0]);
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Forwards only these participants' audio (push-to-talk: the current speaker); the others still hear the mix.
     * Takes effect at the next tick. Ids of participants not (yet) in the mixer are kept and apply when they join.
     *
     * @param ids the participants to forward; copied
     */
    void forwardOnly(Collection<String> ids) {
        Set<String> copy = Set.copyOf(new HashSet<>(Objects.requireNonNull(ids, "ids")));
        lock.lock();
        try {
            forwarded = copy;
        } finally {
            lock.unlock();
        }
    }

    /** Forwards every participant's audio again (the default). */
    void forwardEveryone() {
        lock.lock();
        try {
            forwarded = null;
        } finally {
            lock.unlock();
        }
    }

    /**
     * One 10 ms tick: takes a frame from each queue and hands every participant the mix of the others. Call from one
     * pacer thread.
     *
     * @param target receives one mix per participant, in the order they were added
     * @return how many participants were mixed for
     */
    int tick(MixTarget target) {
        Objects.requireNonNull(target, "target");
        lock.lock();
        try {
            ticks++;
            Participant[] current = participants;
            Set<String> only = forwarded;
            Arrays.fill(sum, 0);
            int voices = 0;
            for (Participant participant : current) {
                boolean forwardedNow = only == null || only.contains(participant.id);
                // a frame of a participant who is not forwarded is taken (never left to pile up), not decoded
                participant.contributing = participant.take(settleTicks, forwardedNow) && forwardedNow;
                if (participant.contributing) {
                    int[] own = participant.samples;
                    for (int i = 0; i < FRAME_SAMPLES; i++) {
                        sum[i] += own[i];
                    }
                    voices++;
                }
            }
            boolean sharedEncoded = false;
            for (Participant participant : current) {
                if (!participant.contributing) {
                    if (voices == 0) {
                        target.mixed(participant, silence, 0);
                    } else {
                        if (!sharedEncoded) {
                            encode(sum, null, sharedMix);
                            sharedEncoded = true;
                        }
                        target.mixed(participant, sharedMix, voices);
                    }
                } else if (voices == 1) {
                    target.mixed(participant, silence, 0);
                } else {
                    encode(sum, participant.samples, participant.mix);
                    target.mixed(participant, participant.mix, voices - 1);
                }
            }
            return current.length;
        } finally {
            lock.unlock();
        }
    }

    /** The participants, in the order they were added. */
    List<Participant> participants() {
        lock.lock();
        try {
            return List.of(participants);
        } finally {
            lock.unlock();
        }
    }

    /** Ticks so far. */
    long ticks() {
        lock.lock();
        try {
            return ticks;
        } finally {
            lock.unlock();
        }
    }

    private Participant find(String id) {
        for (Participant participant : participants) {
            if (participant.id.equals(id)) {
                return participant;
            }
        }
        return null;
    }

    /** {@code out = saturate16(sum - own)}, little-endian; {@code own} null means nothing to subtract. */
    private static void encode(int[] sum, int[] own, byte[] out) {
        for (int i = 0; i < FRAME_SAMPLES; i++) {
            int value = own == null ? sum[i] : sum[i] - own[i];
            if (value > Short.MAX_VALUE) {
                value = Short.MAX_VALUE;
            } else if (value < Short.MIN_VALUE) {
                value = Short.MIN_VALUE;
            }
            out[2 * i] = (byte) value;
            out[2 * i + 1] = (byte) (value >> 8);
        }
    }

    /**
     * One participant of the mixer: its jitter queue, the frame it contributes this tick, its mix buffer and its
     * counters. {@link #offer} is thread-safe and never blocks; the counters may be read from any thread.
     */
    static final class Participant {

        private final String id;
        private final byte[][] queue;
        // guarded by this
        private int head;
        private int size;
        private boolean closed;
        private long received;
        private long overflowDrops;
        // written by the ticking thread under the mixer's lock, read by any thread
        private volatile long underruns;
        private volatile long latencyDrops;
        private volatile long mixed;
        // ticking thread only (under the mixer's lock)
        private final int[] samples = new int[FRAME_SAMPLES];
        private final byte[] mix = new byte[FRAME_BYTES];
        private boolean contributing;
        private int waitingTicks;

        private Participant(String id, int capacity) {
            this.id = id;
            this.queue = new byte[capacity][];
        }

        /** The id given to {@link ChannelMixer#add}. */
        String id() {
            return id;
        }

        /**
         * Queues one received frame for the next tick; drops the oldest queued frame when the queue is full. Never
         * blocks. The mixer keeps the array until a tick has read it: do not modify it afterwards (webrtc-java
         * hands a new array to every sink call, so a sink can pass it on as it is).
         *
         * @param frame {@value ChannelMixer#FRAME_BYTES} bytes of PCM
         * @return {@code false} when the participant was removed (the frame is dropped)
         * @throws IllegalArgumentException when the frame is not {@value ChannelMixer#FRAME_BYTES} bytes
         */
        boolean offer(byte[] frame) {
            if (frame == null || frame.length != FRAME_BYTES) {
                throw new IllegalArgumentException("A mixer frame is " + FRAME_BYTES + " bytes (10 ms of 48 kHz mono "
                        + "16-bit PCM), got " + (frame == null ? "null" : frame.length + " bytes"));
            }
            synchronized (this) {
                if (closed) {
                    return false;
                }
                received++;
                if (size == queue.length) {
                    queue[head] = null;
                    head = (head + 1) % queue.length;
                    size--;
                    overflowDrops++;
                }
                queue[(head + size) % queue.length] = frame;
                size++;
                return true;
            }
        }

        /**
         * Takes the oldest frame (into {@link #samples} when {@code decode}); counts an underrun when there is none,
         * and drops one more when frames have been left waiting for {@code settleTicks} ticks in a row.
         *
         * @return whether a frame was taken
         */
        private boolean take(int settleTicks, boolean decode) {
            byte[] frame;
            synchronized (this) {
                if (size == 0) {
                    waitingTicks = 0;
                    frame = null;
                } else {
                    frame = queue[head];
                    queue[head] = null;
                    head = (head + 1) % queue.length;
                    size--;
                    if (size == 0) {
                        waitingTicks = 0;
                    } else if (++waitingTicks >= settleTicks) {
                        queue[head] = null;
                        head = (head + 1) % queue.length;
                        size--;
                        waitingTicks = 0;
                        latencyDrops++;
                    }
                }
            }
            if (frame == null) {
                underruns++;
                return false;
            }
            if (decode) {
                for (int i = 0; i < FRAME_SAMPLES; i++) {
                    samples[i] = (short) ((frame[2 * i] & 0xff) | (frame[2 * i + 1] << 8));
                }
            }
            mixed++;
            return true;
        }

        private synchronized void close() {
            closed = true;
            Arrays.fill(queue, null);
            size = 0;
        }

        /** Frames offered while in the mixer. */
        synchronized long received() {
            return received;
        }

        /** Frames dropped because the queue was full when a new one arrived. */
        synchronized long overflowDrops() {
            return overflowDrops;
        }

        /** Frames dropped to cut a standing backlog (see "Latency" in {@link ChannelMixer}). */
        long latencyDrops() {
            return latencyDrops;
        }

        /** Ticks at which this participant had no frame to contribute. */
        long underruns() {
            return underruns;
        }

        /** Frames taken at a tick (mixed, or consumed unheard while not forwarded). */
        long mixed() {
            return mixed;
        }

        /** Frames waiting for a tick now. */
        synchronized int queued() {
            return size;
        }

        @Override
        public String toString() {
            return "Participant[" + id + "]";
        }
    }
}
