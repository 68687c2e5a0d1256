package ai.alo.audio.impl.media;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.sound.sampled.AudioFileFormat;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;

/** Writes WAV (and other) test files with Java Sound, and hand-made headers for formats Java Sound does not write. */
final class TestWavFiles {

    private TestWavFiles() {
    }

    /** A signal per channel: sample index to value relative to full scale. */
    interface Signal {
        double value(int channel, int index);
    }

    static Signal sine(double frequency, double level, int rate) {
        return (channel, i) -> level * Math.sin(2 * Math.PI * frequency * i / rate);
    }

    /**
     * Writes a WAV file with Java Sound.
     *
     * @param encoding  PCM_SIGNED, PCM_UNSIGNED, PCM_FLOAT, ULAW or ALAW
     * @param bits      bits per sample
     */
    static Path write(Path file, AudioFormat.Encoding encoding, int rate, int bits, int channels, int frames,
                      Signal signal) throws IOException {
        return write(file, AudioFileFormat.Type.WAVE, encoding, rate, bits, channels, frames, signal);
    }

    static Path write(Path file, AudioFileFormat.Type type, AudioFormat.Encoding encoding, int rate, int bits,
                      int channels, int frames, Signal signal) throws IOException {
        AudioInputStream stream;
        if (encoding.equals(AudioFormat.Encoding.ULAW) || encoding.equals(AudioFormat.Encoding.ALAW)) {
            AudioInputStream linear = pcm(AudioFormat.Encoding.PCM_SIGNED, rate, 16, channels, frames, signal,
                    false);
            stream = AudioSystem.getAudioInputStream(new AudioFormat(encoding, rate, 8, channels, channels, rate,
                    false), linear);
        } else {
            stream = pcm(encoding, rate, bits, channels, frames, signal, type != AudioFileFormat.Type.WAVE);
        }
        AudioSystem.write(stream, type, file.toFile());
        return file;
    }

    private static AudioInputStream pcm(AudioFormat.Encoding encoding, int rate, int bits, int channels, int frames,
                                        Signal signal, boolean bigEndian) {
        int bytes = bits / 8;
        ByteBuffer data = ByteBuffer.allocate(frames * channels * bytes)
                .order(bigEndian ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < frames; i++) {
            for (int c = 0; c < channels; c++) {
                double v = Math.max(-1, Math.min(1, signal.value(c, i)));
                if (encoding.equals(AudioFormat.Encoding.PCM_FLOAT)) {
                    data.putFloat((float) v);
                } else if (bits == 8) {
                    data.put((byte) (Math.round(v * 127) + 128));
                } else if (bits == 16) {
                    data.putShort((short) Math.round(v * 32767));
                } else if (bits == 24) {
                    int s = (int) Math.round(v * 8_388_607);
                    if (bigEndian) {
                        data.put((byte) (s >> 16)).put((byte) (s >> 8)).put((byte) s);
                    } else {
                        data.put((byte) s).put((byte) (s >> 8)).put((byte) (s >> 16));
                    }
                } else {
                    data.putInt((int) Math.round(v * 2_147_483_647.0));
                }
            }
        }
        AudioFormat format = new AudioFormat(encoding, rate, bits, channels, bytes * channels, rate, bigEndian);
        return new AudioInputStream(new ByteArrayInputStream(data.array()), format, frames);
    }

    /** A WAV file with a hand-made format chunk (for formats Java Sound cannot write) and {@code dataBytes} of data. */
    static Path handMade(Path file, int formatTag, int channels, int rate, int bits, int dataBytes, int declaredData)
            throws IOException {
        int blockAlign = Math.max(1, channels * bits / 8);
        ByteBuffer b = ByteBuffer.allocate(44 + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.put("RIFF".getBytes()).putInt(36 + declaredData).put("WAVE".getBytes());
        b.put("fmt ".getBytes()).putInt(16).putShort((short) formatTag).putShort((short) channels).putInt(rate)
                .putInt(rate * blockAlign).putShort((short) blockAlign).putShort((short) bits);
        b.put("data".getBytes()).putInt(declaredData);
        Files.write(file, b.array());
        return file;
    }

    /** The samples of a 48 kHz mono 16-bit WAV file, read with Java Sound (which also checks the header). */
    static short[] read48kMono(Path file) throws Exception {
        try (AudioInputStream in = AudioSystem.getAudioInputStream(file.toFile())) {
            AudioFormat f = in.getFormat();
            if (f.getSampleRate() != 48_000 || f.getChannels() != 1 || f.getSampleSizeInBits() != 16
                    || !AudioFormat.Encoding.PCM_SIGNED.equals(f.getEncoding()) || f.isBigEndian()) {
                throw new AssertionError("not 48 kHz mono 16-bit LE PCM: " + f);
            }
            byte[] bytes = in.readAllBytes();
            if (in.getFrameLength() != bytes.length / 2) {
                throw new AssertionError("header says " + in.getFrameLength() + " frames, data has "
                        + bytes.length / 2);
            }
            short[] out = new short[bytes.length / 2];
            ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asShortBuffer().get(out);
            return out;
        }
    }

    /** The samples the header of a 48 kHz mono 16-bit WAV file covers (the file may hold more). */
    static short[] readPrefix48kMono(Path file) throws Exception {
        try (AudioInputStream in = AudioSystem.getAudioInputStream(file.toFile())) {
            byte[] bytes = in.readAllBytes();
            short[] out = new short[bytes.length / 2];
            ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asShortBuffer().get(out);
            return out;
        }
    }
}
