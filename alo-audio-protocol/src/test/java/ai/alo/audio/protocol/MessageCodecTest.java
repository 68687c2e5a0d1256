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

    private static final MessageTypes ALL = MessageTypes.of(Hello.class, Welcome.class, Join.class, Joined.class,
            Roster.class, Leave.class, Left.class, ParticipantJoined.class, ParticipantLeft.class, Ping.class,
            Pong.class, End.class, ErrorMessage.class, MediaOffer.class, MediaAnswer.class, MediaState.class);
    private static final int LIMIT = 64 * 1024;

    private final MessageCodec codec = new MessageCodec();

    @AfterEach
    void close() {
        codec.close();
    }

    @Test
    void encode_everyMessage_roundTripsWithTypeMember() throws Exception {
        List<Message> messages = List.of(
                new Hello(2, 2, "alo-audio-java/0.1", new UserInfo("u1", "Ann", "d1"), true,
                        new HeartbeatInfo(1000, 2500), List.of("x.feature"), null),
                new Welcome(2, "s-1", new HeartbeatInfo(1000, 2500), "alo-audio-server/0.1", List.of(), null, false),
                new Join("r1", new ChannelInfo("c1", "Dispatch", false)),
                new Joined("r1", new ChannelInfo("c1", "Dispatch", true), "p-1", 1),
                new Roster("r1", "c1", List.of(new ParticipantInfo("p-1", "u1", "Ann", false)), true),
                new Leave(null, "c1"),
                new Left("r2", "c1"),
                new ParticipantJoined("c1", new ParticipantInfo("p-2", "u2", "Bob", true)),
                new ParticipantLeft("c1", new ParticipantInfo("p-2", "u2", "Bob", true), "left"),
                new Ping(7),
                new Pong(7),
                new End("kicked", "bye"),
                new ErrorMessage("r1", "join.rejected", "no", "join"),
                new MediaOffer("r3", "c1", "v=0\r\no=- 1 2 IN IP4 10.77.0.1\r\n"),
                new MediaAnswer("r3", "c1", "v=0\r\n"),
                new MediaState("c1", MediaState.FAILED, "ICE failed"));
        for (Message message : messages) {
            String json = codec.encode(message);
            assertTrue(json.contains("\"type\":\""), json);
            MessageCodec.Decoded decoded = codec.decode(json, ALL, LIMIT);
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
        MessageCodec.Decoded decoded = codec.decode("{\"type\":\"ptt.request\",\"x\":\"y\"}", ALL, LIMIT);
        assertTrue(decoded.isUnknown());
        assertEquals("ptt.request", decoded.type());
    }

    @Test
    void decode_mediaOffer_withBlankOrOversizedSdp_isProtocolError() {
        ProtocolException blank = assertThrows(ProtocolException.class, () -> codec.decode(
                "{\"type\":\"media.offer\",\"channelId\":\"c\",\"sdp\":\" \"}", ALL, LIMIT));
        assertTrue(blank.getMessage().contains("sdp"), blank.getMessage());
        String huge = "v=0" + "a".repeat(MediaOffer.MAX_SDP_LENGTH);
        ProtocolException oversized = assertThrows(ProtocolException.class, () -> codec.decode(
                "{\"type\":\"media.offer\",\"channelId\":\"c\",\"sdp\":\"" + huge + "\"}", ALL, LIMIT));
        assertTrue(oversized.getMessage().contains("sdp"), oversized.getMessage());
    }

    @Test
    void decode_mediaState_withUnknownState_isProtocolError() {
        ProtocolException e = assertThrows(ProtocolException.class, () -> codec.decode(
                "{\"type\":\"media.state\",\"channelId\":\"c\",\"state\":\"weird\"}", ALL, LIMIT));
        assertTrue(e.getMessage().contains("state"), e.getMessage());
    }

    @Test
    void mediaOffer_toString_doesNotPrintTheSessionDescription() {
        String text = new MediaOffer("r", "c", "v=0\r\na=ice-pwd:secret\r\n").toString();
        assertFalse(text.contains("secret"), text);
    }

    @Test
    void decode_unknownMembers_areIgnored() throws Exception {
        MessageCodec.Decoded decoded = codec.decode("{\"type\":\"pong\",\"seq\":1,\"future\":{\"x\":1}}", ALL, LIMIT);
        assertEquals(new Pong(1), decoded.message());
    }

    @Test
    void decode_typeMemberNotFirst_works() throws Exception {
        MessageCodec.Decoded decoded = codec.decode("{\"channelId\":\"c\",\"type\":\"left\"}", ALL, LIMIT);
        assertEquals(new Left(null, "c"), decoded.message());
    }

    @Test
    void decode_malformedJson_isProtocolError() {
        ProtocolException e = assertThrows(ProtocolException.class,
                () -> codec.decode("{\"type\":\"pong\",", ALL, LIMIT));
        assertEquals(CloseCodes.PROTOCOL_ERROR, e.closeCode());
        assertTrue(e.getMessage().startsWith("malformed JSON"), e.getMessage());
    }

    @Test
    void decode_notAnObject_isProtocolError() {
        ProtocolException e = assertThrows(ProtocolException.class, () -> codec.decode("[1,2]", ALL, LIMIT));
        assertEquals(CloseCodes.PROTOCOL_ERROR, e.closeCode());
    }

    @Test
    void decode_missingType_isProtocolError() {
        ProtocolException e = assertThrows(ProtocolException.class, () -> codec.decode("{\"seq\":1}", ALL, LIMIT));
        assertTrue(e.getMessage().contains("type"), e.getMessage());
    }

    @Test
    void decode_missingRequiredMember_isProtocolError() {
        ProtocolException e = assertThrows(ProtocolException.class,
                () -> codec.decode("{\"type\":\"welcome\",\"protocol\":1}", ALL, LIMIT));
        assertEquals(CloseCodes.PROTOCOL_ERROR, e.closeCode());
        assertTrue(e.getMessage().contains("welcome"), e.getMessage());
    }

    @Test
    void decode_wrongMemberType_isProtocolError() {
        ProtocolException e = assertThrows(ProtocolException.class,
                () -> codec.decode("{\"type\":\"pong\",\"seq\":\"abc\"}", ALL, LIMIT));
        assertEquals(CloseCodes.PROTOCOL_ERROR, e.closeCode());
    }

    @Test
    void decode_oversized_isTooBig() {
        String big = "{\"type\":\"pong\",\"seq\":1,\"pad\":\"" + "x".repeat(2000) + "\"}";
        ProtocolException e = assertThrows(ProtocolException.class, () -> codec.decode(big, ALL, 1024));
        assertEquals(CloseCodes.TOO_BIG, e.closeCode());
    }

    @Test
    void decode_errorMessage_neverEchoesRawFrame() {
        String secretish = "{\"type\":\"joined\",\"connectionId\":\"SECRET-VALUE\",\"channel\":5}";
        ProtocolException e = assertThrows(ProtocolException.class, () -> codec.decode(secretish, ALL, LIMIT));
        assertFalse(e.getMessage().contains("SECRET-VALUE"), e.getMessage());
    }

    @Test
    void decode_typeThisSideHasNoHandlerFor_isUnknown() throws Exception {
        MessageCodec.Decoded decoded = codec.decode("{\"type\":\"pong\",\"seq\":1}", MessageTypes.of(Ping.class),
                LIMIT);
        assertTrue(decoded.isUnknown());
        assertEquals("pong", decoded.type());
    }

    @Test
    void encode_emptyRecordBodyAndOrder_typeFirst() {
        assertEquals("{\"type\":\"leave\",\"channelId\":\"c\"}", codec.encode(new Leave(null, "c")));
        assertEquals("{\"type\":\"leave\",\"channelId\":\"c\",\"requestId\":\"7\"}",
                codec.encode(new Leave("7", "c")));
    }

    @Test
    void decode_helloWithoutMinProtocolOrCapabilities_defaultsToExactVersionAndNone() throws Exception {
        Hello hello = (Hello) codec.decode("{\"type\":\"hello\",\"protocol\":2,\"user\":{\"id\":\"u\"},"
                + "\"heartbeat\":{\"intervalMs\":1000,\"timeoutMs\":2500}}", ALL, LIMIT).message();
        assertEquals(2, hello.minProtocol());
        assertEquals(List.of(), hello.capabilities());
    }

    @Test
    void decode_badRequestId_isProtocolError() {
        String longId = "x".repeat(65);
        for (String json : List.of("{\"type\":\"leave\",\"channelId\":\"c\",\"requestId\":\"\"}",
                "{\"type\":\"leave\",\"channelId\":\"c\",\"requestId\":\"" + longId + "\"}",
                "{\"type\":\"leave\",\"channelId\":\"c\",\"requestId\":\"a b\"}")) {
            ProtocolException e = assertThrows(ProtocolException.class, () -> codec.decode(json, ALL, LIMIT), json);
            assertTrue(e.getMessage().contains("requestId"), e.getMessage());
        }
    }

    @Test
    void decode_helloWithMinAboveMax_isProtocolError() {
        assertThrows(ProtocolException.class, () -> codec.decode("{\"type\":\"hello\",\"protocol\":2,"
                + "\"minProtocol\":3,\"user\":{\"id\":\"u\"},\"heartbeat\":{\"intervalMs\":1,\"timeoutMs\":2}}",
                ALL, LIMIT));
    }

    @Test
    void negotiate_picksHighestCommonVersion_orZero() {
        assertEquals(2, ProtocolVersion.negotiate(1, 3, 2, 2));
        assertEquals(3, ProtocolVersion.negotiate(2, 3, 1, 4));
        assertEquals(0, ProtocolVersion.negotiate(3, 4, 1, 2));
        assertEquals(0, ProtocolVersion.negotiate(1, 1, 2, 2));
    }

    @Test
    void registry_twoRecordsClaimingOneName_isRejected() {
        assertThrows(IllegalArgumentException.class, () -> MessageTypes.of(Ping.class, Clash.class));
    }

    @MessageType("ping")
    record Clash(long seq) implements Message {
    }

    @Test
    void printable_stripsControlCharactersAndBoundsLength() {
        String text = MessageCodec.printable("a\nb" + "y".repeat(500));
        assertFalse(text.contains("\n"));
        assertTrue(text.length() <= 163);
        assertInstanceOf(String.class, text);
    }
}
