package ai.alo.audio.impl.media;

import ai.alo.audio.media.AudioDeviceException;
import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;
import javax.sound.sampled.UnsupportedAudioFileException;

/**
 * Reads a WAV file and converts it to 48 kHz mono 16-bit samples, once, when the application adds it as an input.
 *
 * <p>Accepted: PCM of 8 (unsigned), 16, 24 or 32 bits, 32-bit floating point, A-law and µ-law; 8 to 192 kHz; mono or
 * stereo (the channels are averaged); at most {@link #MAX_SECONDS} seconds. Java Sound ({@code javax.sound.sampled})
 * parses the file and decodes the samples; the sample rate is converted by {@link Resampler}. Everything else fails
 * with an {@link AudioDeviceException} whose message names the file, what is wrong (the format found, a header that
 * ends early, a file that is not a WAV file) and how to fix it. The file is closed before this returns, on every
 * path. A file whose data ends before its header says it does gives the samples it has.
 */
final class WavDecoder {

    /** The longest file accepted: ten minutes (57.6 MB once converted). */
    static final int MAX_SECONDS = 600;

    private static final int SNIFF_BYTES = 64 * 1024;
    private static final String CONVERT_HINT = "convert it to 16-bit PCM, for example with "
            + "'ffmpeg -i in.wav -c:a pcm_s16le -ar 48000 -ac 1 out.wav' or 'sox in.wav -b 16 out.wav'";

    private WavDecoder() {
    }

    /** What the file's {@code fmt } chunk says. */
    record Header(int formatTag, int channels, int sampleRate, int bitsPerSample) {

        String describe() {
            return formatName(formatTag) + ", " + bitsPerSample + " bit, " + channelsName(channels) + ", "
                    + sampleRate + " Hz";
        }
    }

    /**
     * Reads and converts a file.
     *
     * @param deviceId the device it is for, for the exception
     * @param file     the file
     * @return 48 kHz mono samples
     * @throws AudioDeviceException if the file cannot be read or converted
     */
    static short[] decode(String deviceId, Path file) {
        if (!Files.exists(file)) {
            throw new AudioDeviceException(deviceId, "cannot add WAV input '" + deviceId + "': there is no file "
                    + file);
        }
        if (Files.isDirectory(file)) {
            throw new AudioDeviceException(deviceId, "cannot add WAV input '" + deviceId + "': " + file
                    + " is a folder, not a WAV file");
        }
        try (InputStream raw = Files.newInputStream(file);
             BufferedInputStream in = new BufferedInputStream(raw, SNIFF_BYTES)) {
            in.mark(SNIFF_BYTES);
            byte[] head = in.readNBytes(SNIFF_BYTES);
            in.reset();
            Header header = parseHeader(deviceId, file, head, head.length);
            check(deviceId, file, header);
            return convert(deviceId, file, in, header);
        } catch (NoSuchFileException e) {
            throw new AudioDeviceException(deviceId, "cannot add WAV input '" + deviceId + "': there is no file "
                    + file, e);
        } catch (AccessDeniedException e) {
            throw new AudioDeviceException(deviceId, "cannot add WAV input '" + deviceId + "': no permission to read "
                    + file, e);
        } catch (IOException e) {
            throw new AudioDeviceException(deviceId, "cannot add WAV input '" + deviceId + "': reading " + file
                    + " failed: " + e, e);
        } catch (LinkageError e) {
            throw new AudioDeviceException(deviceId, "cannot add WAV input '" + deviceId + "': Java Sound "
                    + "(javax.sound.sampled, module java.desktop) is not available to this application: " + e, e);
        }
    }

    /**
     * Finds the {@code fmt } chunk of a RIFF/WAVE file in its first bytes.
     *
     * @throws AudioDeviceException if the bytes are not the start of a WAV file or end inside its header
     */
    static Header parseHeader(String deviceId, Path file, byte[] head, int length) {
        String problem = "cannot add WAV input '" + deviceId + "': " + file;
        if (length < 12) {
            throw new AudioDeviceException(deviceId, problem + " is not a WAV file: it has only " + length
                    + " bytes, fewer than a WAV header");
        }
        String riff = ascii(head, 0, 4);
        String wave = ascii(head, 8, 4);
        if ("RF64".equals(riff) || "BW64".equals(riff)) {
            throw new AudioDeviceException(deviceId, problem + " is an " + riff + " file (a WAV file over 4 GiB), "
                    + "which Java Sound does not read; " + CONVERT_HINT);
        }
        if (!"RIFF".equals(riff) || !"WAVE".equals(wave)) {
            throw new AudioDeviceException(deviceId, problem + " is not a WAV file: it starts with "
                    + printable(head, Math.min(length, 12)) + guessType(head, length) + ", not RIFF....WAVE");
        }
        ByteBuffer bytes = ByteBuffer.wrap(head, 0, length).order(ByteOrder.LITTLE_ENDIAN);
        int position = 12;
        boolean sawData = false;
        while (position + 8 <= length) {
            String id = ascii(head, position, 4);
            long size = bytes.getInt(position + 4) & 0xffffffffL;
            if ("fmt ".equals(id)) {
                if (size < 16 || position + 8 + 16 > length) {
                    throw new AudioDeviceException(deviceId, problem + ": the WAV header is truncated (its format "
                            + "chunk has " + Math.max(0, Math.min(size, length - position - 8L))
                            + " of at least 16 bytes)");
                }
                int p = position + 8;
                int tag = bytes.getShort(p) & 0xffff;
                int channels = bytes.getShort(p + 2) & 0xffff;
                int rate = bytes.getInt(p + 4);
                int bits = bytes.getShort(p + 14) & 0xffff;
                if (tag == 0xFFFE && size >= 40 && p + 26 <= length) {
                    tag = 0x10000 | (bytes.getShort(p + 24) & 0xffff);
                }
                return new Header(tag, channels, rate, bits);
            }
            if ("data".equals(id)) {
                sawData = true;
                break;
            }
            position += 8 + (int) Math.min(size + (size & 1), Integer.MAX_VALUE - 16);
        }
        if (sawData) {
            throw new AudioDeviceException(deviceId, problem + ": the WAV header is damaged: the audio data comes "
                    + "before any format chunk ('fmt ')");
        }
        if (length < SNIFF_BYTES) {
            throw new AudioDeviceException(deviceId, problem + ": the WAV header is truncated: the file ends ("
                    + length + " bytes) before its format chunk ('fmt ')");
        }
        throw new AudioDeviceException(deviceId, problem + ": no format chunk ('fmt ') in the first "
                + SNIFF_BYTES / 1024 + " KiB of the file");
    }

    private static void check(String deviceId, Path file, Header header) {
        String problem = "cannot add WAV input '" + deviceId + "': " + file + " holds " + header.describe() + "; ";
        int tag = header.formatTag() & 0xffff;
        boolean extensible = header.formatTag() > 0xffff;
        switch (tag) {
            case 0x0001 -> {
                if (header.bitsPerSample() != 8 && header.bitsPerSample() != 16 && header.bitsPerSample() != 24
                        && header.bitsPerSample() != 32) {
                    throw new AudioDeviceException(deviceId, problem + "PCM must have 8, 16, 24 or 32 bits per "
                            + "sample; " + CONVERT_HINT);
                }
            }
            case 0x0003 -> {
                if (header.bitsPerSample() != 32) {
                    throw new AudioDeviceException(deviceId, problem + "only 32-bit floating-point samples are "
                            + "supported; " + CONVERT_HINT);
                }
            }
            case 0x0006, 0x0007 -> {
                if (extensible || header.bitsPerSample() != 8) {
                    throw new AudioDeviceException(deviceId, problem + "A-law and µ-law must have 8 bits per "
                            + "sample; " + CONVERT_HINT);
                }
            }
            default -> throw new AudioDeviceException(deviceId, problem + "that is not PCM, floating point, A-law "
                    + "or µ-law (" + (isCompressed(tag) ? "a compressed format, " : "") + "WAV format tag 0x"
                    + hex(tag) + "); " + CONVERT_HINT);
        }
        if (header.channels() != 1 && header.channels() != 2) {
            throw new AudioDeviceException(deviceId, problem + "only mono and stereo files are supported; "
                    + CONVERT_HINT);
        }
        if (header.sampleRate() < 8_000 || header.sampleRate() > 192_000) {
            throw new AudioDeviceException(deviceId, problem + "the sample rate must be 8,000 to 192,000 Hz; "
                    + CONVERT_HINT);
        }
    }

    private static short[] convert(String deviceId, Path file, InputStream in, Header header) throws IOException {
        String problem = "cannot add WAV input '" + deviceId + "': " + file;
        AudioInputStream source;
        try {
            source = AudioSystem.getAudioInputStream(in);
        } catch (UnsupportedAudioFileException e) {
            throw new AudioDeviceException(deviceId, problem + " (" + header.describe() + ") is not a WAV file that "
                    + "Java Sound can read: " + e.getMessage() + "; " + CONVERT_HINT, e);
        } catch (EOFException e) {
            throw new AudioDeviceException(deviceId, problem + ": the WAV header is truncated", e);
        } catch (RuntimeException e) {
            throw new AudioDeviceException(deviceId, problem + ": the WAV header is damaged (" + e + ")", e);
        }
        try (AudioInputStream decoded = toFloat(deviceId, problem, header, source)) {
            AudioFormat format = decoded.getFormat();
            int channels = format.getChannels();
            int rate = Math.round(format.getSampleRate());
            long frames = source.getFrameLength();
            long maxFrames = (long) MAX_SECONDS * rate;
            if (frames > maxFrames) {
                throw new AudioDeviceException(deviceId, problem + " is " + frames / rate + " s long; a WAV input "
                        + "holds at most " + MAX_SECONDS + " s (" + MAX_SECONDS / 60 + " minutes): cut the file or "
                        + "write the audio into a PCM input (AudioDevices.addPcmInput) as it is needed");
            }
            SampleBuilder out = new SampleBuilder(frames > 0 ? Resampler.outputLength(frames, rate, Pcm.RATE) : 0,
                    (long) MAX_SECONDS * Pcm.RATE + Pcm.RATE);
            Resampler resampler = new Resampler(rate, Pcm.RATE, out);
            int frameBytes = 4 * channels;
            byte[] chunk = new byte[frameBytes * 4096];
            float[] mono = new float[4096];
            ByteBuffer view = ByteBuffer.wrap(chunk).order(ByteOrder.LITTLE_ENDIAN);
            int pending = 0;
            long read = 0;
            while (true) {
                int n = decoded.read(chunk, pending, chunk.length - pending);
                if (n < 0) {
                    break;
                }
                pending += n;
                int whole = pending / frameBytes;
                read += whole;
                if (read > maxFrames) {
                    throw new AudioDeviceException(deviceId, problem + " is longer than " + MAX_SECONDS + " s, the "
                            + "most a WAV input holds: cut the file or write the audio into a PCM input");
                }
                for (int f = 0; f < whole; f++) {
                    float sum = 0;
                    for (int c = 0; c < channels; c++) {
                        sum += view.getFloat((f * channels + c) * 4);
                    }
                    mono[f] = sum / channels;
                }
                resampler.push(mono, 0, whole);
                int rest = pending - whole * frameBytes;
                System.arraycopy(chunk, whole * frameBytes, chunk, 0, rest);
                pending = rest;
            }
            resampler.finish();
            return out.toArray();
        } catch (RuntimeException e) {
            if (e instanceof AudioDeviceException device) {
                throw device;
            }
            throw new AudioDeviceException(deviceId, problem + " (" + header.describe() + ") could not be decoded: "
                    + e, e);
        }
    }

    /** The decoded samples as 32-bit little-endian floats, at the file's own rate and channel count. */
    private static AudioInputStream toFloat(String deviceId, String problem, Header header, AudioInputStream source) {
        AudioInputStream stream = source;
        AudioFormat format = stream.getFormat();
        AudioFormat.Encoding encoding = format.getEncoding();
        if (AudioFormat.Encoding.ULAW.equals(encoding) || AudioFormat.Encoding.ALAW.equals(encoding)) {
            AudioFormat linear = new AudioFormat(format.getSampleRate(), 16, format.getChannels(), true, false);
            stream = AudioSystem.getAudioInputStream(linear, stream);
            format = stream.getFormat();
        }
        AudioFormat floats = new AudioFormat(AudioFormat.Encoding.PCM_FLOAT, format.getSampleRate(), 32,
                format.getChannels(), 4 * format.getChannels(), format.getSampleRate(), false);
        if (floats.matches(format)) {
            return stream;
        }
        if (!AudioSystem.isConversionSupported(floats, format)) {
            throw new AudioDeviceException(deviceId, problem + " holds " + header.describe() + " (Java Sound reads it "
                    + "as " + format + "), which Java Sound cannot decode; " + CONVERT_HINT);
        }
        return AudioSystem.getAudioInputStream(floats, stream);
    }

    /** A growing array of 16-bit samples with a hard limit. */
    private static final class SampleBuilder implements Resampler.Sink {
        private final long limit;
        private short[] samples;
        private int size;

        SampleBuilder(long expected, long limit) {
            this.limit = limit;
            this.samples = new short[(int) Math.min(Math.max(expected, 4096), limit)];
        }

        @Override
        public void accept(double value) {
            if (size == samples.length) {
                if (size >= limit) {
                    return;
                }
                samples = Arrays.copyOf(samples, (int) Math.min(limit, Math.max(4096L, 2L * size)));
            }
            samples[size++] = Pcm.toShort(value);
        }

        short[] toArray() {
            return size == samples.length ? samples : Arrays.copyOf(samples, size);
        }
    }

    static String formatName(int formatTag) {
        int tag = formatTag & 0xffff;
        String name = switch (tag) {
            case 0x0001 -> "PCM";
            case 0x0002 -> "Microsoft ADPCM";
            case 0x0003 -> "floating-point PCM";
            case 0x0006 -> "A-law";
            case 0x0007 -> "µ-law";
            case 0x0011 -> "IMA ADPCM";
            case 0x0031 -> "GSM 6.10";
            case 0x0040 -> "G.721 ADPCM";
            case 0x0050 -> "MPEG audio";
            case 0x0055 -> "MPEG Layer 3 (MP3)";
            case 0x00FF, 0x1610 -> "AAC";
            case 0x0160, 0x0161, 0x0162, 0x0163 -> "Windows Media Audio";
            case 0x2000 -> "AC-3";
            case 0x674F, 0x6750, 0x6751 -> "Ogg Vorbis";
            case 0xF1AC -> "FLAC";
            case 0xFFFE -> "WAVE_FORMAT_EXTENSIBLE";
            default -> "format 0x" + hex(tag);
        };
        return formatTag > 0xffff ? name + " (extensible)" : name;
    }

    private static boolean isCompressed(int tag) {
        return tag != 0x0001 && tag != 0x0003 && tag != 0x0006 && tag != 0x0007 && tag != 0xFFFE && tag != 0;
    }

    private static String channelsName(int channels) {
        return switch (channels) {
            case 1 -> "mono";
            case 2 -> "stereo";
            default -> channels + " channels";
        };
    }

    private static String hex(int tag) {
        return String.format(Locale.ROOT, "%04X", tag);
    }

    private static String ascii(byte[] bytes, int offset, int length) {
        StringBuilder s = new StringBuilder(length);
        for (int i = 0; i < length && offset + i < bytes.length; i++) {
            s.append((char) (bytes[offset + i] & 0xff));
        }
        return s.toString();
    }

    /** What kind of file starts with these bytes, for the message ("" when unknown). */
    private static String guessType(byte[] head, int length) {
        String magic = ascii(head, 0, Math.min(4, length));
        if (magic.equals("FORM")) {
            return " (an AIFF file?)";
        } else if (magic.equals(".snd")) {
            return " (an AU file?)";
        } else if (magic.equals("OggS")) {
            return " (an Ogg file?)";
        } else if (magic.equals("fLaC")) {
            return " (a FLAC file?)";
        } else if (magic.startsWith("ID3") || (length >= 2 && (head[0] & 0xff) == 0xff && (head[1] & 0xe0) == 0xe0)) {
            return " (an MP3 file?)";
        } else if ("RIFF".equals(magic)) {
            return " (a RIFF file of another kind, '" + ascii(head, 8, 4) + "')";
        }
        return "";
    }

    /** The first bytes as text when they are printable ASCII, else the first four as text and all in hex. */
    private static String printable(byte[] bytes, int length) {
        boolean text = true;
        for (int i = 0; i < length; i++) {
            int b = bytes[i] & 0xff;
            text &= b >= 0x20 && b < 0x7f;
        }
        if (text) {
            return "'" + ascii(bytes, 0, length) + "'";
        }
        String magic = ascii(bytes, 0, Math.min(4, length)).replaceAll("[^\\x20-\\x7e]", "?");
        StringBuilder hex = new StringBuilder("'" + magic + "' (bytes ");
        for (int i = 0; i < length; i++) {
            hex.append(String.format(Locale.ROOT, "%02x", bytes[i] & 0xff));
        }
        return hex.append(')').toString();
    }
}
