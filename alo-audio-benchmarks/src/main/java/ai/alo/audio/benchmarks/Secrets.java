package ai.alo.audio.benchmarks;

import java.security.SecureRandom;
import java.util.HexFormat;

/** The HS256 secret of one benchmark run, shared by the client JVM (token issuer) and the server process. */
final class Secrets {

    private Secrets() {
    }

    static String random() {
        byte[] seed = new byte[32];
        new SecureRandom().nextBytes(seed);
        return HexFormat.of().formatHex(seed);
    }
}
