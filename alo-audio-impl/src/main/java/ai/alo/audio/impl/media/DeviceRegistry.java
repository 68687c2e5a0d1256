package ai.alo.audio.impl.media;

import ai.alo.audio.AloAudioStateException;
import ai.alo.audio.ConnectionState;
import ai.alo.audio.ListenerRegistration;
import ai.alo.audio.event.DeviceListUpdateEvent;
import ai.alo.audio.impl.runtime.Cancellable;
import ai.alo.audio.impl.runtime.EventPool;
import ai.alo.audio.impl.runtime.RuntimeThreads;
import ai.alo.audio.impl.runtime.RuntimeTimer;
import ai.alo.audio.impl.runtime.SerialQueue;
import ai.alo.audio.media.AudioDeviceException;
import ai.alo.audio.media.AudioDevices;
import ai.alo.audio.media.AudioFrameListener;
import ai.alo.audio.media.MediaDevice;
import ai.alo.audio.media.MediaDeviceKind;
import ai.alo.audio.media.MediaDeviceList;
import ai.alo.audio.media.PcmInput;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * The media devices of one runtime ({@link AudioDevices}): made with the runtime, closed when it ends, shared by its
 * clients, each of which has a {@link ClientAudio} here.
 *
 * <h2>What it holds</h2>
 * <p>The built-in {@value AudioDevices#SILENCE} and {@value AudioDevices#DISCARD}; the Java Sound lines ({@link
 * JavaSound}); the devices the application adds. Ids are unique per kind; {@code silence}, {@code discard} and ids
 * that start with {@code javasound-in:} or {@code javasound-out:} are reserved.
 *
 * <h2>Changes</h2>
 * <p>Adding or removing a device, or a change of the Java Sound lines, publishes a new list; every open client of the
 * runtime gets one {@link DeviceListUpdateEvent} per kind that changed, through its own ordered event queue, and the
 * change listeners get the whole list once, on an event thread (through the registry's own queue, in order). Clients
 * that used a removed device fall back to {@code silence} / {@code discard} before the events are sent.
 *
 * <h2>Java Sound</h2>
 * <p>The lines are read when first needed (not when the runtime is made: a signalling-only application never loads
 * Java Sound), again by every {@link #list()}, and every {@link #JAVA_SOUND_POLL_PERIOD} on the runtime's timer while
 * at least one client of the runtime has a media session (the scan itself runs on an event thread). Events are sent
 * only when the lines really changed.
 *
 * <h2>Threads</h2>
 * <p>The registry starts no thread of its own. It uses the runtime's event threads (change listeners, PCM outputs,
 * WAV recorders, Java Sound scans), its timer (the scan period), and, from the runtime's thread factory, one thread
 * per Java Sound line in use ({@code <runtime>-capture-<n>}, {@code <runtime>-playback-<n>}), which ends when no
 * session uses the line.
 *
 * <h2>Locking</h2>
 * <p>One lock guards the device maps and orders the changes (a change's events are queued before the next change is
 * made); under it the registry calls into clients ({@link ClientAudio}) and devices, never the other way round. The
 * lookups of clients go through an immutable snapshot without the lock.
 *
 * <p>Thread-safe. {@link #close()} ends every session, releases every device (lines closed, threads ended, WAV files
 * completed) and is idempotent; afterwards {@link #list()} gives the built-in devices and the other methods throw
 * {@link AloAudioStateException}.
 */
public final class DeviceRegistry implements AudioDevices, AutoCloseable {

    /** How often the Java Sound lines are read while a client of the runtime has a media session. */
    public static final Duration JAVA_SOUND_POLL_PERIOD = Duration.ofSeconds(5);
    /** The least a PCM input buffers. */
    public static final Duration MIN_PCM_CAPACITY = Duration.ofMillis(20);
    /** The most a PCM input buffers. */
    public static final Duration MAX_PCM_CAPACITY = Duration.ofSeconds(60);

    private static final System.Logger LOG = System.getLogger("ai.alo.audio");
    private static final int MAX_IDS_IN_MESSAGE = 12;

    /** The devices at one moment, for lookups without the lock. */
    private record Snapshot(Map<String, InputDevice> inputs, Map<String, OutputDevice> outputs,
                            MediaDeviceList list) {
    }

    private final String runtimeName;
    private final EventPool events;
    private final RuntimeTimer timer;
    private final ThreadFactory captureThreads;
    private final ThreadFactory playbackThreads;
    private final SerialQueue queue;
    private final SilenceInput silence = new SilenceInput();
    private final DiscardOutput discard = new DiscardOutput();

    private final Object lock = new Object();
    // guarded by lock
    private final Map<String, InputDevice> soundInputs = new LinkedHashMap<>();
    private final Map<String, InputDevice> appInputs = new LinkedHashMap<>();
    private final Map<String, OutputDevice> soundOutputs = new LinkedHashMap<>();
    private final Map<String, OutputDevice> appOutputs = new LinkedHashMap<>();
    private volatile boolean closed;
    private volatile boolean scanned;
    private volatile Snapshot snapshot;

    /** Serializes Java Sound scans (taken before {@link #lock}, never under it). */
    private final Object scanLock = new Object();
    private final AtomicBoolean scanQueued = new AtomicBoolean();

    private final Object pollLock = new Object();
    // guarded by pollLock
    private int sessions;
    private Cancellable poll = Cancellable.NONE;
    private Duration pollPeriod = JAVA_SOUND_POLL_PERIOD;

    private final Map<Object, ClientAudio> clients = new ConcurrentHashMap<>();
    private final CopyOnWriteArrayList<ChangeRegistration> changeListeners = new CopyOnWriteArrayList<>();

    /**
     * Creates the registry of a runtime; it starts nothing.
     *
     * @param runtimeName the runtime's name, for thread names and messages
     * @param threads     the runtime's thread factory (Java Sound line threads)
     * @param events      the runtime's event threads
     * @param timer       the runtime's timer (the Java Sound scan period)
     */
    public DeviceRegistry(String runtimeName, RuntimeThreads threads, EventPool events, RuntimeTimer timer) {
        this.runtimeName = Objects.requireNonNull(runtimeName, "runtimeName");
        this.events = Objects.requireNonNull(events, "events");
        this.timer = Objects.requireNonNull(timer, "timer");
        this.captureThreads = threads.forRole("capture");
        this.playbackThreads = threads.forRole("playback");
        this.queue = events.newQueue(runtimeName + "/devices", 64);
        synchronized (lock) {
            publishLocked();
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // AudioDevices

    @Override
    public MediaDeviceList list() {
        rescan();
        return snapshot.list();
    }

    @Override
    public PcmInput addPcmInput(String id, String label, Duration capacity) {
        Objects.requireNonNull(capacity, "capacity");
        if (capacity.compareTo(MIN_PCM_CAPACITY) < 0 || capacity.compareTo(MAX_PCM_CAPACITY) > 0) {
            throw new IllegalArgumentException("a PCM input buffers 20 ms to 60 s, not " + capacity.toMillis()
                    + " ms");
        }
        DefaultPcmInput input = new DefaultPcmInput(new MediaDevice(id, label, MediaDeviceKind.AUDIO_INPUT),
                capacity);
        addInput(input);
        return input;
    }

    @Override
    public MediaDevice addWavInput(String id, String label, Path file, boolean loop) {
        MediaDevice device = new MediaDevice(id, label, MediaDeviceKind.AUDIO_INPUT);
        Objects.requireNonNull(file, "file");
        synchronized (lock) {
            checkOpen();
            checkFreeLocked(id, MediaDeviceKind.AUDIO_INPUT);
        }
        short[] samples = WavDecoder.decode(id, file);
        addInput(new WavInput(device, samples, loop));
        return device;
    }

    @Override
    public MediaDevice addToneInput(String id, String label, double frequencyHz, double level) {
        if (!(frequencyHz >= 20 && frequencyHz <= 20_000)) {
            throw new IllegalArgumentException("a tone's frequency must be 20 to 20000 Hz, not " + frequencyHz);
        }
        if (!(level >= 0 && level <= 1)) {
            throw new IllegalArgumentException("a tone's level must be 0 to 1, not " + level);
        }
        MediaDevice device = new MediaDevice(id, label, MediaDeviceKind.AUDIO_INPUT);
        addInput(new ToneInput(device, frequencyHz, level));
        return device;
    }

    @Override
    public MediaDevice addPcmOutput(String id, String label, AudioFrameListener listener) {
        Objects.requireNonNull(listener, "listener");
        MediaDevice device = new MediaDevice(id, label, MediaDeviceKind.AUDIO_OUTPUT);
        addOutput(() -> new PcmCallbackOutput(device, listener, events, runtimeName + "/output:" + id));
        return device;
    }

    @Override
    public MediaDevice addWavRecorder(String id, String label, Path file) {
        MediaDevice device = new MediaDevice(id, label, MediaDeviceKind.AUDIO_OUTPUT);
        Objects.requireNonNull(file, "file");
        Path absolute = file.toAbsolutePath();
        Path folder = absolute.getParent();
        if (folder == null || !Files.isDirectory(folder)) {
            throw new AudioDeviceException(id, "cannot add WAV recorder '" + id + "': the folder of " + file
                    + " does not exist");
        }
        if (!Files.isWritable(folder)) {
            throw new AudioDeviceException(id, "cannot add WAV recorder '" + id + "': the folder " + folder
                    + " is not writable");
        }
        if (Files.isDirectory(absolute)) {
            throw new AudioDeviceException(id, "cannot add WAV recorder '" + id + "': " + file + " is a folder");
        }
        if (Files.exists(absolute) && !Files.isWritable(absolute)) {
            throw new AudioDeviceException(id, "cannot add WAV recorder '" + id + "': " + file
                    + " exists and is not writable");
        }
        addOutput(() -> new WavRecorderOutput(device, absolute, events, runtimeName + "/output:" + id));
        return device;
    }

    @Override
    public boolean remove(String id) {
        Objects.requireNonNull(id, "id");
        if (isReserved(id)) {
            throw new AudioDeviceException(id, "'" + quote(id) + "' is a built-in device; it cannot be removed");
        }
        ensureScanned();
        InputDevice input;
        OutputDevice output;
        synchronized (lock) {
            checkOpen();
            input = appInputs.remove(id);
            output = appOutputs.remove(id);
            if (input == null && output == null) {
                return false;
            }
            Set<MediaDeviceKind> kinds = EnumSet.noneOf(MediaDeviceKind.class);
            if (input != null) {
                input.markRemoved();
                kinds.add(MediaDeviceKind.AUDIO_INPUT);
            }
            if (output != null) {
                output.markRemoved();
                kinds.add(MediaDeviceKind.AUDIO_OUTPUT);
            }
            publishLocked();
            fallBackLocked(input, output);
            closeQuietly(input, output);
            fireLocked(kinds);
        }
        return true;
    }

    @Override
    public ListenerRegistration addChangeListener(Consumer<MediaDeviceList> listener) {
        ChangeRegistration registration = new ChangeRegistration(Objects.requireNonNull(listener, "listener"));
        changeListeners.add(registration);
        return registration;
    }

    // ------------------------------------------------------------------------------------------------------------
    // for the runtime and its clients

    /**
     * Makes the audio side of a new client.
     *
     * @param clientName the client's name
     * @param owner      the client object (one {@code ClientAudio} per owner)
     * @param inputId    the configured input id, or null for {@value AudioDevices#SILENCE}
     * @param outputId   the configured output id, or null for {@value AudioDevices#DISCARD}
     * @param events     where the client's {@link DeviceListUpdateEvent}s go (its ordered event queue); must not
     *                   block
     * @return the client's audio
     */
    public ClientAudio newClientAudio(String clientName, Object owner, String inputId, String outputId,
                                      Consumer<DeviceListUpdateEvent> events) {
        ClientAudio audio = new ClientAudio(this, clientName, owner, inputId, outputId, events);
        if (!closed) {
            clients.put(owner, audio);
        }
        return audio;
    }

    /**
     * The audio side of a client.
     *
     * @param owner the client object given to {@link #newClientAudio}
     * @return its audio, or empty once it is closed
     */
    public Optional<ClientAudio> clientAudio(Object owner) {
        return Optional.ofNullable(clients.get(owner));
    }

    /**
     * How many media sessions of the runtime's clients run now.
     *
     * @return the count
     */
    public int sessions() {
        synchronized (pollLock) {
            return sessions;
        }
    }

    /**
     * Ends every session and releases every device: Java Sound lines closed and their threads ended, WAV recordings
     * completed, PCM inputs' writers woken with an {@link AudioDeviceException}. Idempotent.
     */
    @Override
    public void close() {
        List<InputDevice> inputs = new ArrayList<>();
        List<OutputDevice> outputs = new ArrayList<>();
        synchronized (scanLock) {
            synchronized (lock) {
                if (closed) {
                    return;
                }
                closed = true;
                inputs.addAll(soundInputs.values());
                inputs.addAll(appInputs.values());
                outputs.addAll(soundOutputs.values());
                outputs.addAll(appOutputs.values());
                soundInputs.clear();
                appInputs.clear();
                soundOutputs.clear();
                appOutputs.clear();
                publishLocked();
            }
        }
        synchronized (pollLock) {
            poll.cancel();
            poll = Cancellable.NONE;
        }
        for (ClientAudio client : clients.values()) {
            client.endSession();
        }
        clients.clear();
        for (InputDevice input : inputs) {
            closeQuietly(input, null);
        }
        for (OutputDevice output : outputs) {
            closeQuietly(null, output);
        }
        queue.close();
    }

    // ------------------------------------------------------------------------------------------------------------
    // package

    /**
     * The input with an id, for a client's choice.
     *
     * @param id         the id
     * @param clientName the client whose configured id it is, for the message, or null for an id given now
     * @return the device
     * @throws AudioDeviceException if there is none
     */
    InputDevice input(String id, String clientName) {
        InputDevice device = snapshot.inputs().get(id);
        if (device == null && id.startsWith(JavaSound.INPUT_PREFIX)) {
            rescan(); // a line plugged in since the last scan
            device = snapshot.inputs().get(id);
        }
        if (device == null) {
            throw unknown(id, MediaDeviceKind.AUDIO_INPUT, clientName);
        }
        return device;
    }

    /**
     * The output with an id, for a client's choice.
     *
     * @param id         the id
     * @param clientName the client whose configured id it is, for the message, or null for an id given now
     * @return the device
     * @throws AudioDeviceException if there is none
     */
    OutputDevice output(String id, String clientName) {
        OutputDevice device = snapshot.outputs().get(id);
        if (device == null && id.startsWith(JavaSound.OUTPUT_PREFIX)) {
            rescan(); // a line plugged in since the last scan
            device = snapshot.outputs().get(id);
        }
        if (device == null) {
            throw unknown(id, MediaDeviceKind.AUDIO_OUTPUT, clientName);
        }
        return device;
    }

    /** The error for an id that names no device of a kind: names the id and the ids there are. */
    AudioDeviceException unknown(String id, MediaDeviceKind kind, String clientName) {
        Snapshot now = snapshot;
        boolean input = kind == MediaDeviceKind.AUDIO_INPUT;
        Map<String, ?> sameKind = input ? now.inputs() : now.outputs();
        Map<String, ?> otherKind = input ? now.outputs() : now.inputs();
        StringBuilder message = new StringBuilder();
        if (clientName != null) {
            message.append("client '").append(quote(clientName)).append("' is configured with ")
                    .append(input ? "audioInputDeviceId" : "audioOutputDeviceId").append(" '").append(quote(id))
                    .append("', but ");
        }
        message.append("no audio ").append(input ? "input" : "output").append(" device has the id '")
                .append(quote(id)).append("' in runtime '").append(runtimeName).append("'");
        if (otherKind.containsKey(id)) {
            message.append(" ('").append(quote(id)).append("' is an audio ").append(input ? "output" : "input")
                    .append(")");
        }
        message.append("; the ").append(input ? "inputs" : "outputs").append(" are: ");
        int n = 0;
        for (String known : sameKind.keySet()) {
            if (n == MAX_IDS_IN_MESSAGE) {
                message.append(", ... (").append(sameKind.size() - n).append(" more; see getMediaList())");
                break;
            }
            message.append(n++ == 0 ? "" : ", ").append(quote(known));
        }
        return new AudioDeviceException(id, message.toString());
    }

    void sessionStarted() {
        synchronized (pollLock) {
            sessions++;
            if (sessions == 1 && !closed && timer.isRunning()) {
                try {
                    poll = timer.scheduleAtFixedRate(this::pollJavaSound, pollPeriod.toNanos());
                } catch (RejectedExecutionException e) {
                    poll = Cancellable.NONE; // the runtime is ending
                }
            }
        }
    }

    void sessionEnded() {
        synchronized (pollLock) {
            if (sessions > 0 && --sessions == 0) {
                poll.cancel();
                poll = Cancellable.NONE;
            }
        }
    }

    void unregister(ClientAudio client) {
        clients.remove(client.owner(), client);
    }

    /** For tests: the Java Sound scan period from now on (takes effect with the next first session). */
    void pollPeriod(Duration period) {
        synchronized (pollLock) {
            pollPeriod = period;
        }
    }

    /** For tests: whether the Java Sound scan is scheduled. */
    boolean polling() {
        synchronized (pollLock) {
            return poll != Cancellable.NONE;
        }
    }

    /** For tests and the engine: the device behind an id, of either kind. */
    Optional<Object> device(String id, MediaDeviceKind kind) {
        Snapshot now = snapshot;
        return Optional.ofNullable(kind == MediaDeviceKind.AUDIO_INPUT ? now.inputs().get(id)
                : now.outputs().get(id));
    }

    // ------------------------------------------------------------------------------------------------------------
    // internals

    /** Adds an input of any kind (the add methods above, and tests). */
    void addInput(InputDevice input) {
        String id = input.device().id();
        ensureScanned();
        synchronized (lock) {
            try {
                checkOpen();
                checkFreeLocked(id, MediaDeviceKind.AUDIO_INPUT);
            } catch (RuntimeException e) {
                input.close();
                throw e;
            }
            appInputs.put(id, input);
            publishLocked();
            fireLocked(EnumSet.of(MediaDeviceKind.AUDIO_INPUT));
        }
    }

    private void addOutput(java.util.function.Supplier<OutputDevice> factory) {
        ensureScanned();
        synchronized (lock) {
            checkOpen();
            OutputDevice output = factory.get();
            String id = output.device().id();
            try {
                checkFreeLocked(id, MediaDeviceKind.AUDIO_OUTPUT);
            } catch (RuntimeException e) {
                output.close();
                throw e;
            }
            appOutputs.put(id, output);
            publishLocked();
            fireLocked(EnumSet.of(MediaDeviceKind.AUDIO_OUTPUT));
        }
    }

    private void checkFreeLocked(String id, MediaDeviceKind kind) {
        if (isReserved(id)) {
            throw new AudioDeviceException(id, "the device id '" + quote(id) + "' is reserved for a built-in device "
                    + "(silence, discard, javasound-in:..., javasound-out:...); choose another");
        }
        boolean taken = kind == MediaDeviceKind.AUDIO_INPUT ? appInputs.containsKey(id) : appOutputs.containsKey(id);
        if (taken) {
            throw new AudioDeviceException(id, "an audio " + (kind == MediaDeviceKind.AUDIO_INPUT ? "input" : "output")
                    + " with the id '" + quote(id) + "' exists already in runtime '" + runtimeName + "'");
        }
    }

    static boolean isReserved(String id) {
        return id.equals(SILENCE) || id.equals(DISCARD) || id.startsWith(JavaSound.INPUT_PREFIX)
                || id.startsWith(JavaSound.OUTPUT_PREFIX);
    }

    private void checkOpen() {
        if (closed) {
            throw new AloAudioStateException("the AloAudio runtime '" + runtimeName + "' is closed",
                    ConnectionState.CLOSED);
        }
    }

    private void publishLocked() {
        Map<String, InputDevice> inputs = new LinkedHashMap<>();
        inputs.put(SILENCE, silence);
        inputs.putAll(soundInputs);
        inputs.putAll(appInputs);
        Map<String, OutputDevice> outputs = new LinkedHashMap<>();
        outputs.put(DISCARD, discard);
        outputs.putAll(soundOutputs);
        outputs.putAll(appOutputs);
        Map<String, MediaDevice> inputList = new LinkedHashMap<>();
        inputs.forEach((id, device) -> inputList.put(id, device.device()));
        Map<String, MediaDevice> outputList = new LinkedHashMap<>();
        outputs.forEach((id, device) -> outputList.put(id, device.device()));
        snapshot = new Snapshot(Collections.unmodifiableMap(inputs), Collections.unmodifiableMap(outputs),
                new MediaDeviceList(inputList, outputList));
    }

    /** Sends the change: one event per kind to every client, then the whole list to the change listeners. */
    private void fireLocked(Set<MediaDeviceKind> kinds) {
        MediaDeviceList list = snapshot.list();
        Instant now = Instant.now();
        for (ClientAudio client : clients.values()) {
            for (MediaDeviceKind kind : kinds) {
                client.deviceListChanged(kind, kind == MediaDeviceKind.AUDIO_INPUT ? list.audioInputs()
                        : list.audioOutputs(), now);
            }
        }
        if (!changeListeners.isEmpty()) {
            Object[] targets = changeListeners.toArray();
            queue.post(() -> {
                for (Object target : targets) {
                    ((ChangeRegistration) target).deliver(list);
                }
            }, false, list);
        }
    }

    private void fallBackLocked(InputDevice input, OutputDevice output) {
        for (ClientAudio client : clients.values()) {
            try {
                client.devicesRemoved(input, output, silence, discard);
            } catch (RuntimeException e) {
                // silence and discard cannot fail; a client that is closing is left to its own release
                LOG.log(Level.DEBUG, "falling back from a removed device failed for " + client, e);
            }
        }
    }

    private static void closeQuietly(InputDevice input, OutputDevice output) {
        try {
            if (input != null) {
                input.close();
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "ALOAUD-1412 releasing the audio input " + input + " failed", e);
        }
        try {
            if (output != null) {
                output.close();
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "ALOAUD-1413 releasing the audio output " + output + " failed", e);
        }
    }

    private void ensureScanned() {
        if (!scanned) {
            rescan();
        }
    }

    private void pollJavaSound() {
        if (scanQueued.compareAndSet(false, true)) {
            if (!queue.post(() -> {
                scanQueued.set(false);
                rescan();
            }, false, "Java Sound scan")) {
                scanQueued.set(false);
            }
        }
    }

    /** Reads the Java Sound lines and applies the difference. */
    void rescan() {
        synchronized (scanLock) {
            if (closed) {
                return;
            }
            List<JavaSound.Line> lines = JavaSound.scan();
            if (lines == null) {
                scanned = true;
                return;
            }
            synchronized (lock) {
                if (closed) {
                    return;
                }
                boolean first = !scanned;
                scanned = true;
                Map<String, JavaSound.Line> newInputs = new LinkedHashMap<>();
                Map<String, JavaSound.Line> newOutputs = new LinkedHashMap<>();
                for (JavaSound.Line line : lines) {
                    (line.device().kind() == MediaDeviceKind.AUDIO_INPUT ? newInputs : newOutputs)
                            .put(line.device().id(), line);
                }
                List<InputDevice> goneInputs = new ArrayList<>();
                List<OutputDevice> goneOutputs = new ArrayList<>();
                boolean inputsChanged = !sameDevices(soundInputs, newInputs);
                boolean outputsChanged = !sameDevices(soundOutputs, newOutputs);
                if (!inputsChanged && !outputsChanged) {
                    return;
                }
                if (inputsChanged) {
                    Map<String, InputDevice> next = new LinkedHashMap<>();
                    for (JavaSound.Line line : newInputs.values()) {
                        InputDevice kept = soundInputs.get(line.device().id());
                        next.put(line.device().id(), kept != null && kept.device().equals(line.device()) ? kept
                                : new JavaSoundInput(line.device(), line.mixerName(), line.format(), captureThreads));
                    }
                    for (InputDevice old : soundInputs.values()) {
                        if (next.get(old.device().id()) != old) {
                            old.markRemoved();
                            goneInputs.add(old);
                        }
                    }
                    soundInputs.clear();
                    soundInputs.putAll(next);
                }
                if (outputsChanged) {
                    Map<String, OutputDevice> next = new LinkedHashMap<>();
                    for (JavaSound.Line line : newOutputs.values()) {
                        OutputDevice kept = soundOutputs.get(line.device().id());
                        next.put(line.device().id(), kept != null && kept.device().equals(line.device()) ? kept
                                : new JavaSoundOutput(line.device(), line.mixerName(), line.format(),
                                        playbackThreads));
                    }
                    for (OutputDevice old : soundOutputs.values()) {
                        if (next.get(old.device().id()) != old) {
                            old.markRemoved();
                            goneOutputs.add(old);
                        }
                    }
                    soundOutputs.clear();
                    soundOutputs.putAll(next);
                }
                publishLocked();
                for (InputDevice gone : goneInputs) {
                    fallBackLocked(gone, null);
                    closeQuietly(gone, null);
                }
                for (OutputDevice gone : goneOutputs) {
                    fallBackLocked(null, gone);
                    closeQuietly(null, gone);
                }
                if (!first) {
                    LOG.log(Level.INFO, "ALOAUD-1408 runtime {0}: the Java Sound lines changed: inputs {1}, "
                            + "outputs {2}", runtimeName, soundInputs.keySet(), soundOutputs.keySet());
                    Set<MediaDeviceKind> kinds = EnumSet.noneOf(MediaDeviceKind.class);
                    if (inputsChanged) {
                        kinds.add(MediaDeviceKind.AUDIO_INPUT);
                    }
                    if (outputsChanged) {
                        kinds.add(MediaDeviceKind.AUDIO_OUTPUT);
                    }
                    fireLocked(kinds);
                }
            }
        }
    }

    private static boolean sameDevices(Map<String, ?> current, Map<String, JavaSound.Line> scanned) {
        if (current.size() != scanned.size()) {
            return false;
        }
        for (Map.Entry<String, JavaSound.Line> entry : scanned.entrySet()) {
            Object device = current.get(entry.getKey());
            MediaDevice listed = device instanceof InputDevice in ? in.device()
                    : device instanceof OutputDevice out ? out.device() : null;
            if (!entry.getValue().device().equals(listed)) {
                return false;
            }
        }
        return true;
    }

    /** An id for a message: at most 128 characters, control characters shown as '?'. */
    static String quote(String id) {
        String shown = id.length() > 128 ? id.substring(0, 128) + "..." : id;
        StringBuilder s = new StringBuilder(shown.length());
        for (int i = 0; i < shown.length(); i++) {
            char c = shown.charAt(i);
            s.append(Character.isISOControl(c) ? '?' : c);
        }
        return s.toString();
    }

    @Override
    public String toString() {
        Snapshot now = snapshot;
        return "AudioDevices[" + runtimeName + ", inputs=" + now.inputs().keySet() + ", outputs="
                + now.outputs().keySet() + (closed ? ", closed" : "") + "]";
    }

    /** A change listener; delivered on the registry's queue. */
    private final class ChangeRegistration implements ListenerRegistration {
        private final Consumer<MediaDeviceList> listener;
        private volatile boolean active = true;

        ChangeRegistration(Consumer<MediaDeviceList> listener) {
            this.listener = listener;
        }

        void deliver(MediaDeviceList list) {
            if (!active) {
                return;
            }
            try {
                listener.accept(list);
            } catch (VirtualMachineError e) {
                throw e;
            } catch (Throwable e) {
                LOG.log(Level.WARNING, "ALOAUD-1409 [" + runtimeName + "] a device change listener "
                        + listener.getClass().getName() + " threw; it stays registered", e);
            }
        }

        @Override
        public void close() {
            active = false;
            changeListeners.remove(this);
        }
    }
}
