package ai.alo.audio.impl.media;

import ai.alo.audio.AloAudioStateException;
import ai.alo.audio.ConnectionState;
import ai.alo.audio.event.DeviceListUpdateEvent;
import ai.alo.audio.media.AudioDeviceException;
import ai.alo.audio.media.AudioDevices;
import ai.alo.audio.media.MediaDevice;
import ai.alo.audio.media.MediaDeviceKind;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The audio choices of one client: which input it speaks from and which output it plays into, and its {@link
 * AudioSession} while it has a media session. One per client, made by {@link DeviceRegistry#newClientAudio} when the
 * client is made, closed with the client.
 *
 * <h2>Choosing</h2>
 * <p>The choices start as the client's configured {@code audioInputDeviceId} / {@code audioOutputDeviceId}
 * ({@value AudioDevices#SILENCE} / {@value AudioDevices#DISCARD} when none is configured); a configured id is not
 * checked until the media session starts ({@link #checkDevices()}, {@link #startSession}), so the application may add
 * its devices after making the client. {@link #changeInput} and {@link #changeOutput} check the id at once (an unknown
 * id, an output held by another client: {@link AudioDeviceException}), store it for the next session and, if a session
 * runs, switch it: the input at the next 10 ms tick, the output with the next frame, with no renegotiation. When a
 * chosen device is removed (by the application, or a Java Sound line that disappears), the choice falls back to
 * {@value AudioDevices#SILENCE} / {@value AudioDevices#DISCARD}, in a running session too.
 *
 * <h2>Events</h2>
 * <p>Each change of the runtime's device list reaches the client as a {@link DeviceListUpdateEvent} per kind that
 * changed, through the sink the client gave (its own ordered event queue).
 *
 * <p>Thread-safe. Its lock is never held while calling into the registry's lock, so device-list changes (which call
 * into every client under the registry's lock) cannot deadlock with a client's calls.
 */
public final class ClientAudio {

    private final DeviceRegistry registry;
    private final String clientName;
    private final Object owner;
    private final Consumer<DeviceListUpdateEvent> events;
    private final Object lock = new Object();
    // guarded by lock
    private String inputId;
    private String outputId;
    private AudioSession session;
    private boolean closed;

    ClientAudio(DeviceRegistry registry, String clientName, Object owner, String inputId, String outputId,
                Consumer<DeviceListUpdateEvent> events) {
        this.registry = registry;
        this.clientName = clientName;
        this.owner = owner;
        this.inputId = inputId == null ? AudioDevices.SILENCE : inputId;
        this.outputId = outputId == null ? AudioDevices.DISCARD : outputId;
        this.events = events;
    }

    /**
     * The client's name.
     *
     * @return the name
     */
    public String clientName() {
        return clientName;
    }

    /**
     * The id of the input the client speaks from, or will at its next session.
     *
     * @return the device id
     */
    public String inputId() {
        synchronized (lock) {
            return inputId;
        }
    }

    /**
     * The id of the output the client plays into, or will at its next session.
     *
     * @return the device id
     */
    public String outputId() {
        synchronized (lock) {
            return outputId;
        }
    }

    /**
     * Chooses the input; switches a running session at its next tick.
     *
     * @param deviceId an input's id
     * @throws AudioDeviceException   if no input has that id, or it cannot start (a capture line that cannot open)
     * @throws AloAudioStateException if the client is closed
     */
    public void changeInput(String deviceId) {
        Objects.requireNonNull(deviceId, "deviceId");
        InputDevice device = registry.input(deviceId, null);
        synchronized (lock) {
            checkOpen();
            if (device.isRemoved()) {
                throw registry.unknown(deviceId, MediaDeviceKind.AUDIO_INPUT, null);
            }
            if (session != null) {
                session.switchInput(device);
            }
            inputId = deviceId;
        }
    }

    /**
     * Chooses the output; switches a running session with its next frame.
     *
     * @param deviceId an output's id
     * @throws AudioDeviceException   if no output has that id, it serves one client at a time and another client
     *                                uses it, or it cannot open
     * @throws AloAudioStateException if the client is closed
     */
    public void changeOutput(String deviceId) {
        Objects.requireNonNull(deviceId, "deviceId");
        OutputDevice device = registry.output(deviceId, null);
        synchronized (lock) {
            checkOpen();
            if (device.isRemoved()) {
                throw registry.unknown(deviceId, MediaDeviceKind.AUDIO_OUTPUT, null);
            }
            if (session != null) {
                session.switchOutput(device);
            } else {
                device.checkAvailableTo(this);
            }
            outputId = deviceId;
        }
    }

    /**
     * Checks the choices before a media session starts: for the media engine at connect, so that a configured id
     * that names no device fails the connect with a clear message.
     *
     * @throws AudioDeviceException if the input or the output id names no device, or the output is exclusive and
     *                              another client uses it
     */
    public void checkDevices() {
        String in;
        String out;
        synchronized (lock) {
            in = inputId;
            out = outputId;
        }
        registry.input(in, clientName);
        registry.output(out, clientName).checkAvailableTo(this);
    }

    /**
     * Starts the audio of a media session: takes a use of the chosen input and binds the chosen output. A session
     * still running is ended first.
     *
     * @param channelId the channel the session carries
     * @return the session, for the pacer and the media engine
     * @throws AudioDeviceException   if a chosen device does not exist, is busy or cannot open (nothing is held then)
     * @throws AloAudioStateException if the client is closed
     */
    public AudioSession startSession(String channelId) {
        Objects.requireNonNull(channelId, "channelId");
        while (true) {
            String in;
            String out;
            synchronized (lock) {
                checkOpen();
                in = inputId;
                out = outputId;
            }
            InputDevice input = registry.input(in, clientName);
            OutputDevice output = registry.output(out, clientName);
            synchronized (lock) {
                checkOpen();
                if (!in.equals(inputId) || !out.equals(outputId)) {
                    continue; // changed meanwhile: resolve again
                }
                if (session != null) {
                    endLocked(session);
                }
                AudioSession started = new AudioSession(this, channelId);
                input.acquire();
                OutputBinding binding;
                try {
                    binding = output.bind(started);
                } catch (RuntimeException e) {
                    input.release();
                    throw e;
                }
                started.begin(input, binding);
                session = started;
                registry.sessionStarted();
                return started;
            }
        }
    }

    /**
     * The running session.
     *
     * @return the session, or empty
     */
    public Optional<AudioSession> session() {
        synchronized (lock) {
            return Optional.ofNullable(session);
        }
    }

    /** Ends the running session, if any. Idempotent. */
    public void endSession() {
        synchronized (lock) {
            if (session != null) {
                endLocked(session);
            }
        }
    }

    /** Ends the running session and leaves the registry: no more events. Idempotent. */
    public void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            if (session != null) {
                endLocked(session);
            }
        }
        registry.unregister(this);
    }

    /**
     * Whether {@link #close()} was called.
     *
     * @return {@code true} once closed
     */
    public boolean isClosed() {
        synchronized (lock) {
            return closed;
        }
    }

    Object owner() {
        return owner;
    }

    void sessionEnded(AudioSession ended) {
        synchronized (lock) {
            if (ended.isClosed()) {
                return;
            }
            endLocked(ended);
        }
    }

    private void endLocked(AudioSession ending) {
        if (ending.isClosed()) {
            return;
        }
        if (session == ending) {
            session = null;
        }
        ending.end();
        registry.sessionEnded();
    }

    /**
     * Called by the registry, under its lock, when devices were removed: choices and a running session that use them
     * fall back to the built-in devices.
     */
    void devicesRemoved(InputDevice input, OutputDevice output, InputDevice silence, OutputDevice discard) {
        synchronized (lock) {
            if (input != null) {
                if (input.device().id().equals(inputId)) {
                    inputId = AudioDevices.SILENCE;
                }
                if (session != null && session.input() == input) {
                    session.switchInput(silence);
                }
            }
            if (output != null) {
                if (output.device().id().equals(outputId)) {
                    outputId = AudioDevices.DISCARD;
                }
                if (session != null && session.output() != null && session.output().device() == output) {
                    session.switchOutput(discard);
                }
            }
        }
    }

    /** Called by the registry, under its lock: the devices of one kind changed. */
    void deviceListChanged(MediaDeviceKind kind, Map<String, MediaDevice> devices, Instant at) {
        synchronized (lock) {
            if (closed) {
                return;
            }
        }
        events.accept(new DeviceListUpdateEvent(clientName, kind, devices, at));
    }

    private void checkOpen() {
        if (closed) {
            throw new AloAudioStateException("the AloAudio client '" + clientName + "' is closed",
                    ConnectionState.CLOSED);
        }
    }

    @Override
    public String toString() {
        synchronized (lock) {
            return "ClientAudio[" + clientName + ", input=" + inputId + ", output=" + outputId
                    + (session != null ? ", in session" : "") + (closed ? ", closed" : "") + "]";
        }
    }
}
