package ai.alo.audio.impl.rtc;

import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Main class of the child JVMs of {@link NativeMediaLoadTest}. Prints {@code key=value} lines for the parent to check.
 * Modes: {@code ours} loads through {@link NativeMedia} (twice) and then tries {@link RtcEngine#create}; {@code raw}
 * touches webrtc-java directly, as code without {@code NativeMedia} would (the control that shows the leftover copy).
 */
public final class NativeMediaProbe {

    private NativeMediaProbe() {
    }

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        Path tmpdir = Path.of(System.getProperty("java.io.tmpdir"));
        if (mode.equals("raw")) {
            try {
                Class.forName("dev.onvoid.webrtc.logging.Logging");
                System.out.println("raw.loaded=true");
            } catch (Throwable t) {
                System.out.println("raw.loaded=false");
                System.out.println("raw.error=" + oneLine(t.toString()));
            }
        } else {
            NativeMedia.Status first = NativeMedia.load();
            NativeMedia.Status second = NativeMedia.load();
            System.out.println("available=" + first.available());
            System.out.println("problem=" + oneLine(String.valueOf(first.problem())));
            System.out.println("cause=" + (first.cause() == null ? "none" : first.cause().getClass().getName()));
            System.out.println("sameStatus=" + (first == second));
            try {
                RtcEngine engine = RtcEngine.create(RtcEngine.Options.defaults());
                System.out.println("engine=started");
                engine.close();
            } catch (RtcUnavailableException e) {
                System.out.println("engine=unavailable");
                System.out.println("engineMessage=" + oneLine(e.getMessage()));
            }
            System.out.println("attempts=" + NativeMedia.attempts());
        }
        System.out.println("leftovers=" + copies(tmpdir));
    }

    private static List<String> copies(Path dir) throws Exception {
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path p : entries) {
                if (p.getFileName().toString().startsWith("libwebrtc-java")) {
                    names.add(p.getFileName() + ":" + Files.size(p));
                }
            }
        }
        return names;
    }

    private static String oneLine(String s) {
        return s.replace('\n', ' ').replace('\r', ' ');
    }
}
