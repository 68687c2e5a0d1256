package ai.alo.audio.media;

import java.time.Duration;

/**
 * An input device the application writes audio into ({@link AudioDevices#addPcmInput}): a bot's voice, an alert,
 * text-to-speech output. What is written is sent, 10 ms at a time, by every client whose input this device is; when
 * nothing is written, they send silence.
 *
 * <p>The device buffers up to {@link #capacity()} of audio. {@link #write(short[], int, int)} blocks while the buffer
 * is full, so a writer that produces faster than real time is paced and loses nothing; {@link #offer} waits at most a
 * given time. Samples are {@link PcmFormat#STANDARD}: 48 kHz mono 16-bit.
 *
 * <p>Thread-safe. A device that no client uses keeps what was written until a client uses it or {@link #clear()} is
 * called.
 *
 * @since 0.2
 */
public interface PcmInput {

    /**
     * This input as listed by {@code getMediaList()}.
     *
     * @return the device
     */
    MediaDevice device();

    /**
     * Appends samples, waiting while the buffer is full.
     *
     * @param samples 48 kHz mono samples
     * @param offset  the first sample to write
     * @param length  how many samples to write
     * @throws AudioDeviceException  if the device was removed
     * @throws IllegalArgumentException if the range is outside the array
     * @throws InterruptedException  if the thread is interrupted while waiting (the samples written so far stay)
     */
    void write(short[] samples, int offset, int length) throws InterruptedException;

    /**
     * Appends 16-bit little-endian PCM bytes, waiting while the buffer is full.
     *
     * @param pcm an even number of bytes of 48 kHz mono 16-bit little-endian samples
     * @throws AudioDeviceException     if the device was removed
     * @throws IllegalArgumentException if the length is odd
     * @throws InterruptedException     if the thread is interrupted while waiting (the samples written so far stay)
     */
    void write(byte[] pcm) throws InterruptedException;

    /**
     * Appends as many samples as fit within the time given.
     *
     * @param samples 48 kHz mono samples
     * @param offset  the first sample to write
     * @param length  how many samples to write
     * @param timeout how long to wait for room at most
     * @return how many samples were appended, {@code length} when all fit
     * @throws AudioDeviceException if the device was removed
     * @throws InterruptedException if the thread is interrupted while waiting
     */
    int offer(short[] samples, int offset, int length, Duration timeout) throws InterruptedException;

    /**
     * Waits until everything written so far has been sent (taken by the clients that use this input).
     *
     * @param timeout how long to wait at most
     * @return {@code true} if the buffer emptied in time; {@code false} on timeout or if the device was removed
     * @throws InterruptedException if the thread is interrupted while waiting
     */
    boolean drain(Duration timeout) throws InterruptedException;

    /** Drops what is buffered and not yet sent. */
    void clear();

    /**
     * The audio buffered and not yet sent.
     *
     * @return the duration
     */
    Duration buffered();

    /**
     * The most audio the buffer holds.
     *
     * @return the duration
     */
    Duration capacity();
}
