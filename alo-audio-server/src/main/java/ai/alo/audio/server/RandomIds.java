package ai.alo.audio.server;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Unguessable ids for sessions ({@code s-...}) and channel connections ({@code p-...}), and resume secrets.
 * Thread-safe.
 */
final class RandomIds {

    private final SecureRandom random = new SecureRandom();

    /**
     * A new id: the prefix and 16 hex digits.
     *
     * @param prefix such as {@code "s-"}
     * @return the id
     */
    String next(String prefix) {
        byte[] bytes = new byte[8];
        random.nextBytes(bytes);
        return prefix + HexFormat.of().formatHex(bytes);
    }

    /**
     * A new resume secret: 256 random bits, base64url without padding (43 characters).
     *
     * @return the secret; a credential, never logged
     */
    String secret() {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
