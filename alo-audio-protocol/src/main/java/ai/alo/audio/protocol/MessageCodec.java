package ai.alo.audio.protocol;

import jakarta.json.JsonException;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;
import jakarta.json.bind.JsonbConfig;
import jakarta.json.bind.JsonbException;
import jakarta.json.spi.JsonProvider;
import java.io.StringReader;
import java.util.Objects;
import org.eclipse.yasson.YassonJsonb;

/**
 * Encodes and decodes signalling messages. Thread-safe and meant to be shared: one codec per runtime (client) or per
 * server, {@linkplain #close() closed} with it.
 *
 * <p>Encoding writes the record's {@link MessageType} name as the first member, {@code "type"}, then its components.
 * Decoding distinguishes three outcomes: a known message, an unknown {@code type} (the receiver ignores it with a log
 * line, for forward compatibility), and a protocol violation ({@link ProtocolException}: malformed JSON, no {@code
 * type}, a known type of the wrong shape, or a message over the size limit). The text is parsed once.
 */
public final class MessageCodec implements AutoCloseable {

    private static final int MAX_DETAIL = 160;

    private static final ClassValue<String> NAMES = new ClassValue<>() {
        @Override
        @SuppressWarnings("unchecked")
        protected String computeValue(Class<?> type) {
            return MessageTypes.nameOf((Class<? extends Message>) type);
        }
    };

    private final Jsonb jsonb;
    /** The same instance when it is Yasson and Yasson's API is visible (saves a second parse), else null. */
    private final YassonJsonb yasson;
    private final JsonProvider json;

    /** Creates a codec. */
    public MessageCodec() {
        this.json = JsonProvider.provider();
        this.jsonb = JsonbBuilder.create(new JsonbConfig().withNullValues(false));
        this.yasson = asYasson(jsonb);
    }

    /**
     * The JSON-B instance as Yasson's, if it is one and Yasson's own API can be seen from here: a WildFly deployment
     * gets the server's Yasson through the JSON-B API but cannot see {@code org.eclipse.yasson} classes.
     */
    private static YassonJsonb asYasson(Jsonb jsonb) {
        try {
            Class.forName("org.eclipse.yasson.YassonJsonb", false, MessageCodec.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            return null;
        }
        return jsonb instanceof YassonJsonb y ? y : null;
    }

    /**
     * The result of decoding: either a known {@link #message()} or the name of an unknown {@link #type()}.
     *
     * @param type    the message's {@code type}, made printable
     * @param message the decoded message, or null when the type is unknown
     */
    public record Decoded(String type, Message message) {

        /**
         * Whether the type was unknown and the message should be ignored.
         *
         * @return {@code true} when {@link #message()} is null
         */
        public boolean isUnknown() {
            return message == null;
        }
    }

    /**
     * Encodes a message as JSON text with its {@code type} member first.
     *
     * @param message the message, a record annotated with {@link MessageType}
     * @return the JSON text
     */
    public String encode(Message message) {
        Objects.requireNonNull(message, "message");
        String name = NAMES.get(message.getClass());
        String body = jsonb.toJson(message);
        StringBuilder out = new StringBuilder(body.length() + name.length() + 12).append("{\"type\":\"").append(name)
                .append('"');
        if (body.length() > 2) {
            out.append(',').append(body, 1, body.length());
        } else {
            out.append('}');
        }
        return out.toString();
    }

    /**
     * Decodes JSON text.
     *
     * @param text      the received text
     * @param known     the types this side decodes; any other type is reported as unknown
     * @param maxLength the largest text, in characters, accepted
     * @return the decoded message, or the unknown type
     * @throws ProtocolException if the text breaks the protocol; its message never contains the raw text
     */
    public Decoded decode(String text, MessageTypes known, int maxLength) throws ProtocolException {
        if (text.length() > maxLength) {
            throw new ProtocolException("message of " + text.length() + " characters exceeds the limit of "
                    + maxLength, CloseCodes.TOO_BIG, null);
        }
        JsonObject object;
        try (JsonReader reader = json.createReader(new StringReader(text))) {
            JsonValue value = reader.readValue();
            if (value.getValueType() != JsonValue.ValueType.OBJECT) {
                throw new ProtocolException("message is not a JSON object but " + value.getValueType(),
                        CloseCodes.PROTOCOL_ERROR, null);
            }
            object = value.asJsonObject();
        } catch (JsonException | NumberFormatException | ArithmeticException e) {
            // Parsson reports most malformed input as JsonException, but a number it cannot represent (such as an
            // exponent of more than ten digits) as the NumberFormatException of BigDecimal: found by fuzzing.
            throw new ProtocolException("malformed JSON: " + detail(e), CloseCodes.PROTOCOL_ERROR, e);
        }
        JsonValue typeValue = object.get("type");
        if (!(typeValue instanceof JsonString)) {
            throw new ProtocolException("message has no string 'type' member", CloseCodes.PROTOCOL_ERROR, null);
        }
        String type = ((JsonString) typeValue).getString();
        Class<? extends Message> messageClass = known.classOf(type);
        if (messageClass == null) {
            return new Decoded(printable(type), null);
        }
        try {
            Message message = yasson != null
                    ? yasson.fromJsonStructure(object, messageClass)
                    : jsonb.fromJson(text, messageClass);
            return new Decoded(type, message);
        } catch (JsonbException | IllegalArgumentException | ClassCastException e) {
            throw new ProtocolException("'" + type + "' message is invalid: " + detail(e),
                    CloseCodes.PROTOCOL_ERROR, e);
        }
    }

    /** Closes the JSON-B instance. */
    @Override
    public void close() {
        try {
            jsonb.close();
        } catch (Exception e) {
            // Yasson's close() releases caches only; nothing to report.
        }
    }

    private static String detail(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String text = root.getMessage() != null ? root.getMessage() : root.getClass().getSimpleName();
        if (root != e && e.getMessage() != null && !(root instanceof IllegalArgumentException)) {
            text = e.getMessage();
        }
        return printable(text);
    }

    /**
     * Text from the peer made safe for a log line or an error message: control characters replaced, at most
     * {@value #MAX_DETAIL} characters (then {@code ...}).
     *
     * @param text the text; null gives empty
     * @return the printable text
     */
    public static String printable(String text) {
        if (text == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(Math.min(text.length(), MAX_DETAIL + 3));
        for (int i = 0; i < text.length() && out.length() < MAX_DETAIL; i++) {
            char c = text.charAt(i);
            out.append(Character.isISOControl(c) ? '?' : c);
        }
        if (text.length() > MAX_DETAIL) {
            out.append("...");
        }
        return out.toString();
    }
}
