package ai.alo.audio.media;

import ai.alo.audio.ListenerRegistration;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The media devices of a runtime, shared by its clients: the inputs they speak from and the outputs they play
 * received audio into. Obtained from {@link ai.alo.audio.AloAudioRuntime#devices()}.
 *
 * <h2>Built-in devices</h2>
 * <ul>
 *   <li>{@value #SILENCE}: an input that sends silence; the input of a client that names none.</li>
 *   <li>{@value #DISCARD}: an output that drops what it receives; the output of a client that names none.</li>
 *   <li>{@code javasound-in:<mixer name>} and {@code javasound-out:<mixer name>}: the Java Sound capture and playback
 *       lines of the JVM, where it has any (a server without a sound card has none). The lines are read when first
 *       needed, again by every {@link #list()}, and every 5 seconds while at least one client of the runtime has a
 *       media session.</li>
 * </ul>
 *
 * <p>Device ids are unique per kind (an input and an output may share one), 1 to 128 characters; {@value #SILENCE},
 * {@value #DISCARD} and ids that start with {@code javasound-in:} or {@code javasound-out:} are reserved.
 *
 * <h2>Sharing</h2>
 * <p>An input may be used by several clients at once: each tick of 10 ms, its next frame goes to all of them. A PCM
 * output ({@link #addPcmOutput}) may also be shared (each {@link AudioFrame} names its client); a WAV recorder and a
 * Java Sound playback line serve one client at a time, and a second client that asks for one fails with an {@link
 * AudioDeviceException}.
 *
 * <h2>Changes</h2>
 * <p>Adding or removing a device, and a change in the Java Sound lines, fires a {@code DeviceListUpdateEvent} to
 * every open client of the runtime. Removing a device that clients use switches them to {@value #SILENCE} or
 * {@value #DISCARD}.
 *
 * <h2>Threads</h2>
 * <p>A Java Sound line in use has one thread of the runtime (a capture line's reader, a playback line's writer),
 * which ends when no media session uses the line; PCM outputs and WAV recorders use the runtime's event threads. No
 * device makes the media engine's threads wait: each output hands frames over through a bounded queue that drops
 * the oldest frames when its consumer falls behind (see {@link AudioFrameListener}).
 *
 * <p>Thread-safe. Every device is released (files completed and closed, lines closed, their threads ended, writers
 * blocked in a {@link PcmInput} woken with an {@link AudioDeviceException}) when it is removed or the runtime closes.
 * Once the runtime is closed, {@link #list()} gives the built-in devices and the other methods throw {@link
 * ai.alo.audio.AloAudioStateException}.
 *
 * @since 0.2
 */
public interface AudioDevices {

    /** The id of the built-in input that sends silence. */
    String SILENCE = "silence";

    /** The id of the built-in output that drops what it receives. */
    String DISCARD = "discard";

    /**
     * The devices now: the built-in ones first, then the Java Sound lines, then the application's in the order they
     * were added. Reads the Java Sound lines again (a change fires the update events).
     *
     * @return the list
     */
    MediaDeviceList list();

    /**
     * Adds an input that the application writes PCM into.
     *
     * @param id       the device id
     * @param label    a readable name
     * @param capacity how much audio the input buffers at most, 20 ms to 60 s
     * @return the input, to write into
     * @throws AudioDeviceException     if the id is taken or reserved
     * @throws IllegalArgumentException if the capacity is out of range, or the id is blank or too long
     */
    PcmInput addPcmInput(String id, String label, Duration capacity);

    /**
     * Adds an input that plays a WAV file. The file is read and converted to {@link PcmFormat#STANDARD} now (PCM of
     * 8 to 32 bits or 32-bit floating point, 8 to 192 kHz, mono or stereo; also A-law and µ-law; at most ten
     * minutes), so a bad file fails here, not while a client speaks, and the file is not kept open. The input plays
     * from the start each time a client starts speaking from it while no other client does; at the end of the file
     * it sends silence, or starts over without a gap if {@code loop}.
     *
     * @param id    the device id
     * @param label a readable name
     * @param file  the WAV file
     * @param loop  whether to start over at the end
     * @return the device
     * @throws AudioDeviceException if the id is taken or reserved, the file cannot be read, or its format cannot be
     *                              converted (the message names the format and how to convert the file)
     */
    MediaDevice addWavInput(String id, String label, Path file, boolean loop);

    /**
     * Adds an input that sends a steady sine tone.
     *
     * @param id          the device id
     * @param label       a readable name
     * @param frequencyHz the tone's frequency, 20 to 20,000 Hz
     * @param level       its amplitude relative to full scale, 0 to 1
     * @return the device
     * @throws AudioDeviceException     if the id is taken or reserved
     * @throws IllegalArgumentException if the frequency or the level is out of range
     */
    MediaDevice addToneInput(String id, String label, double frequencyHz, double level);

    /**
     * Adds an output that hands every received frame to the application, on the runtime's event threads. Several
     * clients may play into it; each frame names its client. It queues at most one second of frames (100).
     *
     * @param id       the device id
     * @param label    a readable name
     * @param listener receives the frames (see its threading contract)
     * @return the device
     * @throws AudioDeviceException if the id is taken or reserved
     */
    MediaDevice addPcmOutput(String id, String label, AudioFrameListener listener);

    /**
     * Adds an output that records what one client hears into a WAV file ({@link PcmFormat#STANDARD}). It serves one
     * client at a time. The file is created (or replaced) each time a client's media session starts using the output
     * and completed, with every frame received until then, when the session stops using it, the device is removed or
     * the runtime closes; while recording, its header is brought up to date about once a second. A WAV file holds at
     * most 4 GiB (about 12 h 25 min at this rate); the recording stops there.
     *
     * @param id    the device id
     * @param label a readable name
     * @param file  the file to write
     * @return the device
     * @throws AudioDeviceException if the id is taken or reserved, the file's folder does not exist or is not
     *                              writable, or the file is a folder or is not writable
     */
    MediaDevice addWavRecorder(String id, String label, Path file);

    /**
     * Removes the devices the application added with this id (an input and an output, if both exist) and releases
     * them. Clients that chose it, in a media session or for the next one, switch to {@value #SILENCE} or {@value
     * #DISCARD}.
     *
     * @param id the device id
     * @return {@code true} if a device was removed
     * @throws AudioDeviceException if the id names a built-in device
     */
    boolean remove(String id);

    /**
     * Calls {@code listener} with the new list each time the devices change, on an event thread of the runtime.
     * Clients receive the same change as a {@code DeviceListUpdateEvent}; this is for code that has no client.
     *
     * @param listener receives the new list
     * @return removes the listener
     */
    ListenerRegistration addChangeListener(java.util.function.Consumer<MediaDeviceList> listener);
}
