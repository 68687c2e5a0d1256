package ai.alo.audio.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class MessageCodecTest {

    private final MessageCodec codec = new MessageCodec(64 * 1024);

    @AfterEach
    void close() {
        codec.close();
    }

    @Test
    void encode_everyMessage_roundTripsWithTypeMember() throws Exception {
        List<Message> messages = List.of(
                new Hello(1, "alo-audio-java/0.1", new UserInfo("u1", "Ann", "d1"), true, new HeartbeatInfo(1000, 2500)),
                new Welcome(1, "s-1", new HeartbeatInfo(1000, 2500), "alo-audio-server/0.1"),
                new Join(new ChannelInfo("c1", "Dispatch", false)),
                new Joined(new ChannelInfo("c1", "Dispatch", true), "p-1",
                        List.of(new ParticipantInfo("p-1", "u1", "Ann", false))),
                new Leave("c1"),
                new Left("c1"),
                new ParticipantJoined("c1", new ParticipantInfo("p-2", "u2", "Bob", true)),
                new ParticipantLeft("c1", new ParticipantInfo("p-2", "u2", "Bob", true), "left"),
                new Ping(7),
                new Pong(7),
                new End("kicked", "bye"),
                new ErrorMessage("join.rejected", "no", "join"));
        for (Message message : messages) {
            String json = codec.encode(message);
            assertTrue(json.contains("\"type\":\""), json);
            MessageCodec.Decoded decoded = codec.decode(json);
            assertFalse(decoded.isUnknown());
            assertEquals(message, decoded.message(), json);
        }
    }

    @Test
    void encode_hello_hasDocumentedShape() {
        String json = codec.encode(new Ping(3));
        assertEquals("{\"type\":\"ping\",\"seq\":3}", json);
    }

    @Test
    void decode_unknownType_isReportedNotThrown() throws Exception {
        MessageCodec.Decoded decoded = codec.decode("{\"type\":\"media.offer\",\"sdp\":\"v=0\"}");
        assertTrue(decoded.isUnknown());
        assertEquals("media.offer", decoded.type());
    }

    @Test
    void decode_unknownMembers_areIgnored() throws Exception {
        MessageCodec.Decoded decoded = codec.decode("{\"type\":\"pong\",\"seq\":1,\"future\":{\"x\":1}}");
        assertEquals(new Pong(1), decoded.message());
    }

    @Test
    void decode_typeMemberNotFirst_works() throws Exception {
        MessageCodec.Decoded decoded = codec.decode("{\"channelId\":\"c\",\"type\":\"left\"}");
        assertEquals(new Left("c"), decoded.message());
    }

    @Test
    void decode_malformedJson_isProtocolError() {
        ProtocolException e = assertThrows(ProtocolException.class, () -> codec.decode("{\"type\":\"pong\","));
        assertEquals(CloseCodes.PROTOCOL_ERROR, e.closeCode());
        assertTrue(e.getMessage().startsWith("malformed JSON"), e.getMessage());
    }

    @Test
    void decode_notAnObject_isProtocolError() {
        ProtocolException e = assertThrows(ProtocolException.class, () -> codec.decode("[1,2]"));
        assertEquals(CloseCodes.PROTOCOL_ERROR, e.closeCode());
    }

    @Test
    void decode_missingType_isProtocolError() {
        ProtocolException e = assertThrows(ProtocolException.class, () -> codec.decode("{\"seq\":1}"));
        assertTrue(e.getMessage().contains("type"), e.getMessage());
    }

    @Test
    void decode_missingRequiredMember_isProtocolError() {
        ProtocolException e = assertThrows(ProtocolException.class,
                () -> codec.decode("{\"type\":\"welcome\",\"protocol\":1}"));
        assertEquals(CloseCodes.PROTOCOL_ERROR, e.closeCode());
        assertTrue(e.getMessage().contains("welcome"), e.getMessage());
    }

    @Test
    void decode_wrongMemberType_isProtocolError() {
        ProtocolException e = assertThrows(ProtocolException.class,
                () -> codec.decode("{\"type\":\"pong\",\"seq\":\"abc\"}"));
        assertEquals(CloseCodes.PROTOCOL_ERROR, e.closeCode());
    }

    @Test
    void decode_oversized_isTooBig() {
        MessageCodec small = new MessageCodec(1024);
        try {
            String big = "{\"type\":\"pong\",\"seq\":1,\"pad\":\"" + "x".repeat(2000) + "\"}";
            ProtocolException e = assertThrows(ProtocolException.class, () -> small.decode(big));
            assertEquals(CloseCodes.TOO_BIG, e.closeCode());
        } finally {
            small.close();
        }
    }

    @Test
    void decode_errorMessage_neverEchoesRawFrame() {
        String secretish = "{\"type\":\"joined\",\"connectionId\":\"SECRET-VALUE\",\"channel\":5}";
        ProtocolException e = assertThrows(ProtocolException.class, () -> codec.decode(secretish));
        assertFalse(e.getMessage().contains("SECRET-VALUE"), e.getMessage());
    }

    @Test
    void printable_stripsControlCharactersAndBoundsLength() {
        String text = MessageCodec.printable("a\nb" + "y".repeat(500));
        assertFalse(text.contains("\n"));
        assertTrue(text.length() <= 163);
        assertInstanceOf(String.class, text);
    }
}
