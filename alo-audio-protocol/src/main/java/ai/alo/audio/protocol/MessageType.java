package ai.alo.audio.protocol;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Names the wire type of a {@link Message} record: the value of its JSON {@code "type"} member. Every message record
 * carries it; {@link MessageCodec} reads it to encode, and {@link MessageTypes} to decide which record a received
 * {@code type} decodes into. Adding a message to the protocol is one record with this annotation (and, on the side
 * that receives it, one handler).
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface MessageType {

    /**
     * The wire type, such as {@code "hello"} or {@code "participant.joined"}.
     *
     * @return the type name
     */
    String value();
}
