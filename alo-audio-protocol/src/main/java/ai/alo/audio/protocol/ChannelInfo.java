package ai.alo.audio.protocol;

/**
 * A channel as sent in {@code join} and {@code joined}.
 *
 * @param id         the channel id
 * @param name       the display name
 * @param fullDuplex whether the channel is joined in full-duplex mode
 */
public record ChannelInfo(String id, String name, boolean fullDuplex) {

    /** Checks the components; a missing name becomes empty. */
    public ChannelInfo {
        Checks.nonBlank(id, "channel.id");
        name = Checks.orEmpty(name);
    }
}
