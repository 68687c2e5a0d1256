package ai.alo.audio.server;

import java.nio.ByteBuffer;
import org.glassfish.tyrus.spi.ReadHandler;

/**
 * Sits between Grizzly and Tyrus's read handler of one WebSocket connection and reads the frame headers of the byte
 * stream, so that a message over the limit is refused as soon as its header announces it, before its payload is
 * read, let alone buffered (Tyrus itself would buffer up to its incoming buffer and then close with 1011).
 *
 * <p>A data frame whose payload is larger than {@code maxPayload}, or a fragmented message whose fragments add up to
 * more, is refused: what came before it is still passed on, then {@link Refusal#refuse} is called (the connection
 * sends close 1009) and everything after is dropped; the guard only keeps reading frame headers to notice the
 * client's answering close frame ({@link Refusal#peerClosed}). Nothing of the refused frame reaches Tyrus.
 *
 * <p>It also feeds Tyrus in pieces that end on frame boundaries, so Tyrus's incoming buffer, sized to one largest
 * frame ({@code maxPayload} plus {@value #MAX_HEADER} header bytes), never has to hold more than the frame it is
 * parsing: one network read that carries many small frames would otherwise overflow it.
 *
 * <p>Not thread-safe: Tyrus calls {@link #handle} for one connection one buffer at a time.
 */
final class FrameGuard implements ReadHandler {

    /** The longest WebSocket frame header: 2 bytes, an 8-byte length, a 4-byte mask. */
    static final int MAX_HEADER = 14;

    private static final int OPCODE_CONTINUATION = 0;
    private static final int OPCODE_TEXT = 1;
    private static final int OPCODE_BINARY = 2;
    private static final int OPCODE_CLOSE = 8;

    /** What to do about a refused frame; called on Tyrus's read thread for the connection. */
    interface Refusal {

        /**
         * A frame or message over the limit was announced; nothing more will be passed on.
         *
         * @param declaredBytes its declared payload size (of the message so far, for fragments)
         */
        void refuse(long declaredBytes);

        /** After a refusal: the client's close frame arrived. */
        void peerClosed();
    }

    private final ReadHandler tyrus;
    private final long maxPayload;
    private final int maxPiece;
    private final Refusal refusal;

    private final byte[] header = new byte[MAX_HEADER];
    private int headerHave;
    private int headerNeed = 2;
    /** Whether the stream is inside a frame (its header or payload). */
    private boolean inFrame;
    private long payloadLeft;
    /** The payload bytes of the fragmented message in progress. */
    private long fragmented;
    private boolean refused;
    private boolean peerCloseSeen;

    /**
     * Wraps Tyrus's read handler.
     *
     * @param tyrus      Tyrus's handler
     * @param maxPayload the largest message payload accepted
     * @param refusal    told when a frame is refused
     */
    FrameGuard(ReadHandler tyrus, int maxPayload, Refusal refusal) {
        this.tyrus = tyrus;
        this.maxPayload = maxPayload;
        this.maxPiece = maxPayload + MAX_HEADER;
        this.refusal = refusal;
    }

    /**
     * The size of Tyrus's incoming buffer that this guard needs: one largest frame.
     *
     * @param maxPayload the largest message payload accepted
     * @return the buffer size
     */
    static int incomingBufferSize(int maxPayload) {
        return maxPayload + MAX_HEADER;
    }

    @Override
    public void handle(ByteBuffer data) {
        if (data == null || !data.hasRemaining()) {
            return;
        }
        int pos = data.position();
        int end = data.limit();
        if (refused) {
            discard(data, pos, end);
            return;
        }
        int pieceStart = pos;
        // Where the current frame starts in this buffer; -1 when it began in an earlier one.
        int frameStart = inFrame ? -1 : pos;
        while (pos < end) {
            if (!inFrame) {
                inFrame = true;
                frameStart = pos;
                headerHave = 0;
                headerNeed = 2;
            }
            if (headerHave < headerNeed) {
                pos = readHeader(data, pos, end);
                if (headerHave < headerNeed) {
                    break;
                }
                long declared = check();
                if (declared >= 0) {
                    feed(data, pieceStart, frameStart >= 0 ? frameStart : pieceStart);
                    refused = true;
                    refusal.refuse(declared);
                    discard(data, pos, end);
                    return;
                }
            }
            long take = Math.min(payloadLeft, end - pos);
            pos += (int) take;
            payloadLeft -= take;
            if (payloadLeft == 0) {
                inFrame = false;
                if (frameStart < 0) {
                    // The rest of a frame Tyrus holds the beginning of: pass it alone.
                    feed(data, pieceStart, pos);
                    pieceStart = pos;
                } else if (pos - pieceStart > maxPiece) {
                    feed(data, pieceStart, frameStart);
                    pieceStart = frameStart;
                }
            }
        }
        if (inFrame && frameStart > pieceStart && end - pieceStart > maxPiece) {
            feed(data, pieceStart, frameStart);
            pieceStart = frameStart;
        }
        feed(data, pieceStart, end);
        data.position(end);
    }

    /** Collects header bytes; returns the new position. */
    private int readHeader(ByteBuffer data, int pos, int end) {
        while (headerHave < headerNeed && pos < end) {
            header[headerHave++] = data.get(pos++);
            if (headerHave == 2) {
                int lengthCode = header[1] & 0x7f;
                int extended = lengthCode == 126 ? 2 : lengthCode == 127 ? 8 : 0;
                headerNeed = 2 + extended + ((header[1] & 0x80) != 0 ? 4 : 0);
            }
        }
        if (headerHave == headerNeed) {
            payloadLeft = payloadLength();
        }
        return pos;
    }

    private long payloadLength() {
        int lengthCode = header[1] & 0x7f;
        if (lengthCode <= 125) {
            return lengthCode;
        }
        if (lengthCode == 126) {
            return (header[2] & 0xffL) << 8 | header[3] & 0xffL;
        }
        long length = 0;
        for (int i = 2; i < 10; i++) {
            length = length << 8 | header[i] & 0xffL;
        }
        return length < 0 ? Long.MAX_VALUE : length;
    }

    /** Checks a complete header; returns the size to report when the frame must be refused, else -1. */
    private long check() {
        int opcode = header[0] & 0x0f;
        boolean fin = (header[0] & 0x80) != 0;
        long length = payloadLeft;
        if (opcode == OPCODE_TEXT || opcode == OPCODE_BINARY) {
            if (length > maxPayload) {
                return length;
            }
            fragmented = fin ? 0 : length;
        } else if (opcode == OPCODE_CONTINUATION) {
            long total = length > maxPayload ? length : fragmented + length;
            if (total > maxPayload) {
                return total;
            }
            fragmented = fin ? 0 : total;
        }
        // Control frames and reserved opcodes: Tyrus checks them (1002) from their first two bytes.
        return -1;
    }

    /** After a refusal: skips payloads, reads headers, and reports the client's close frame once. */
    private void discard(ByteBuffer data, int pos, int end) {
        while (pos < end && !peerCloseSeen) {
            if (!inFrame) {
                inFrame = true;
                headerHave = 0;
                headerNeed = 2;
            }
            if (headerHave < headerNeed) {
                pos = readHeader(data, pos, end);
                if (headerHave < headerNeed) {
                    break;
                }
                if ((header[0] & 0x0f) == OPCODE_CLOSE) {
                    peerCloseSeen = true;
                    refusal.peerClosed();
                    break;
                }
            }
            long take = Math.min(payloadLeft, end - pos);
            pos += (int) take;
            payloadLeft -= take;
            if (payloadLeft == 0) {
                inFrame = false;
            }
        }
        data.position(end);
    }

    private void feed(ByteBuffer data, int from, int to) {
        if (to <= from) {
            return;
        }
        ByteBuffer piece = data.duplicate();
        piece.limit(to).position(from);
        tyrus.handle(piece);
    }
}
