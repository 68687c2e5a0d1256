package ai.alo.audio.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.alo.audio.AloAudioConfig;
import ai.alo.audio.protocol.CloseCodes;
import ai.alo.audio.protocol.Message;
import ai.alo.audio.protocol.MessageCodec;
import ai.alo.audio.protocol.ProtocolException;
import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;

/**
 * Coverage-guided fuzzing (Jazzer) of the client's protocol decoding, exactly as {@code ClientStateMachine} does it on
 * every received text frame: {@code codec.decode(text, MessageHandlers.TYPES, config.maxMessageSize())} with the
 * default limit. The input bytes are the frame's text (UTF-8; an invalid sequence becomes U+FFFD, as in a frame that
 * Tyrus has already validated).
 *
 * <p>Properties checked on every input:
 * <ul>
 *   <li>only {@link ProtocolException} comes out, with a short printable message (no control characters, bounded
 *       length, not the raw frame) and close code 1002 or 1009; any other exception is a finding;</li>
 *   <li>an unknown type is reported printable and bounded, as the client logs it;</li>
 *   <li>whatever decodes, encodes and decodes again to an equal message (the round trip the server and client rely
 *       on);</li>
 *   <li>decoding allocates at most a bounded multiple of the input's size (no huge allocation), measured per thread
 *       with {@link com.sun.management.ThreadMXBean#getCurrentThreadAllocatedBytes()};</li>
 *   <li>a hang is caught by libFuzzer's per-input {@code -timeout} (set by the pom, {@code alo.fuzz.inputTimeout}).</li>
 * </ul>
 *
 * <p>Seeds: a real message of every type the client receives, from docs/protocol.md, in
 * {@code src/test/resources/ai/alo/audio/impl/ClientDecoderFuzzTestInputs/decode/} (past findings are added there
 * too). Run by the surefire execution {@code fuzz-tests} ({@code JAZZER_FUZZ=1}, 25 s) and by {@code bin/fuzz}; see
 * docs/protocol.md, "Fuzzing".
 */
class ClientDecoderFuzzTest {

    /** The client's default limit, the one it decodes every frame with unless configured otherwise. */
    private static final int MAX_MESSAGE_SIZE = AloAudioConfig.DEFAULT_MAX_MESSAGE_SIZE;
    /** A protocol error's message: a short description plus at most 160 printable characters of detail. */
    private static final int MAX_ERROR_MESSAGE = 400;
    /** Allocation allowed per input: a fixed part (Yasson's per-call set-up) plus this many bytes per input byte. */
    private static final long ALLOCATION_BASE = 4L << 20;
    private static final long ALLOCATION_PER_INPUT_BYTE = 200;

    private static final MessageCodec CODEC = new MessageCodec();
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    @AfterAll
    static void closeCodec() {
        CODEC.close();
    }

    @FuzzTest(maxDuration = "25s")
    @DictionaryEntries({"\"type\"", "\"welcome\"", "\"joined\"", "\"roster\"", "\"participant.joined\"",
            "\"participant.left\"", "\"left\"", "\"ping\"", "\"pong\"", "\"end\"", "\"error\"", "\"media.answer\"",
            "\"media.state\"", "\"requestId\"", "\"channelId\"", "\"channel\"", "\"participants\"",
            "\"participant\"", "\"connectionId\"", "\"userId\"", "\"participantCount\"", "\"heartbeat\"",
            "\"intervalMs\"", "\"timeoutMs\"", "\"capabilities\"", "\"sessionId\"", "\"protocol\"", "\"sdp\"",
            "\"state\"", "\"seq\"", "\"last\"", "\"muted\"", "\"fullDuplex\"", "\"resumeSecret\"", "\"resumed\"",
            "null", "true", "false", "1e999", "-0", "9223372036854775808", "\\u0000", "\\ud800"})
    void decode(byte[] input) {
        String text = new String(input, StandardCharsets.UTF_8);
        MessageCodec.Decoded decoded;
        try {
            decoded = decodeWithinAllocationBound(text);
        } catch (ProtocolException e) {
            assertReadable(e, text);
            return;
        }
        assertNotNull(decoded, "decode returned null");
        if (decoded.isUnknown()) {
            assertPrintable(decoded.type(), "unknown type");
            assertFalse(MessageHandlers.TYPES.names().contains(decoded.type()),
                    "a known type reported as unknown: " + decoded.type());
            return;
        }
        Message message = decoded.message();
        assertTrue(MessageHandlers.TYPES.names().contains(decoded.type()),
                "decoded a type the client has no handler for: " + decoded.type());
        String encoded = CODEC.encode(message);
        MessageCodec.Decoded again;
        try {
            again = CODEC.decode(encoded, MessageHandlers.TYPES, Integer.MAX_VALUE);
        } catch (ProtocolException e) {
            throw new AssertionError("a decoded " + decoded.type() + " does not decode again after encoding: "
                    + e.getMessage(), e);
        }
        assertEquals(message, again.message(), "round trip of a decoded " + decoded.type());
        assertEquals(encoded, CODEC.encode(again.message()), "encoding is not stable");
    }

    private static void assertReadable(ProtocolException e, String text) {
        String message = e.getMessage();
        assertNotNull(message, "a ProtocolException without a message");
        assertFalse(message.isBlank(), "a ProtocolException with a blank message");
        assertTrue(message.length() <= MAX_ERROR_MESSAGE, () -> "a ProtocolException message of "
                + message.length() + " characters");
        assertPrintable(message, "ProtocolException message");
        assertTrue(e.closeCode() == CloseCodes.PROTOCOL_ERROR || e.closeCode() == CloseCodes.TOO_BIG,
                () -> "close code " + e.closeCode());
        if (text.length() > MAX_ERROR_MESSAGE) {
            assertFalse(message.contains(text), "the message holds the raw frame");
        }
    }

    private static void assertPrintable(String value, String what) {
        assertTrue(value.length() <= MAX_ERROR_MESSAGE, () -> what + " of " + value.length() + " characters");
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isISOControl(c)) {
                throw new AssertionError(what + " holds control character U+"
                        + Integer.toHexString(c) + " at " + i);
            }
        }
    }

    /**
     * Decodes as the client does, and fails if that allocated more than the bound. The first decoding of a shape
     * also pays for one-time work (class loading, Yasson's per-type set-up, Jazzer's instrumentation), so a decoding
     * over the bound is measured once more: only one that allocates too much again is a finding.
     */
    private static MessageCodec.Decoded decodeWithinAllocationBound(String text) throws ProtocolException {
        long limit = ALLOCATION_BASE + ALLOCATION_PER_INPUT_BYTE * text.length();
        long allocated = 0;
        for (int attempt = 0; attempt < 2; attempt++) {
            long before = THREADS.getCurrentThreadAllocatedBytes();
            try {
                MessageCodec.Decoded decoded = CODEC.decode(text, MessageHandlers.TYPES, MAX_MESSAGE_SIZE);
                allocated = THREADS.getCurrentThreadAllocatedBytes() - before;
                if (allocated <= limit) {
                    return decoded;
                }
            } catch (ProtocolException e) {
                allocated = THREADS.getCurrentThreadAllocatedBytes() - before;
                if (allocated <= limit) {
                    throw e;
                }
            }
        }
        throw new AssertionError("decoding " + text.length() + " characters allocated " + allocated
                + " bytes (limit " + limit + ")");
    }
}
