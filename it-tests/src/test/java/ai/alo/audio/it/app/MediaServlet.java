package ai.alo.audio.it.app;

import ai.alo.audio.AloAudio;
import ai.alo.audio.AudioChannel;
import ai.alo.audio.cdi.AloAudioFactory;
import ai.alo.audio.media.AudioDevices;
import jakarta.inject.Inject;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Base64;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The media application's control, driven by the test JVM ({@code MediaIT}); answers in plain text, a failure with
 * HTTP 500 and the exception:
 * <ul>
 *   <li>{@code /media?op=connect&channel=c&hz=440}: adds the devices the configuration names, once (the tone input
 *       {@code app-tone} at {@code hz} and the PCM output {@code app-ears}, {@link MediaEars}), on the application's
 *       runtime ({@link AloAudioFactory#devices()}); then the injected default client joins the full-duplex channel
 *       {@code c} with media. Answers the state.</li>
 *   <li>{@code op=heard}: {@code frames=<n> lost=<n>} on the first line, then the last second heard as base64 PCM
 *       (48 kHz mono 16-bit little-endian).</li>
 *   <li>{@code op=reset}: forgets what was heard.</li>
 *   <li>{@code op=disconnect}: disconnects; answers the state.</li>
 *   <li>{@code op=process}: the server JVM's process id and its {@code java.io.tmpdir}, one per line.</li>
 *   <li>{@code op=native-loader}: the class loader of webrtc-java's classes as this application sees them, then the
 *       application's own class loader, one per line.</li>
 * </ul>
 */
@WebServlet("/media")
public class MediaServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;
    /** The configured input (alo.audio.audio-input-device-id) and output. */
    private static final String INPUT = "app-tone";
    private static final String OUTPUT = "app-ears";

    @Inject
    AloAudio audio;

    @Inject
    AloAudioFactory factory;

    @Inject
    MediaEars ears;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        response.setContentType("text/plain;charset=UTF-8");
        String op = String.valueOf(request.getParameter("op"));
        try {
            String answer;
            switch (op) {
                case "connect":
                    addDevices(Double.parseDouble(request.getParameter("hz")));
                    String channel = request.getParameter("channel");
                    audio.connect(AudioChannel.fullDuplex(channel, channel)).get(30, TimeUnit.SECONDS);
                    answer = audio.state().name();
                    break;
                case "heard":
                    answer = "frames=" + ears.frames() + " lost=" + ears.lost() + "\n"
                            + Base64.getEncoder().encodeToString(ears.lastSecond());
                    break;
                case "reset":
                    ears.reset();
                    answer = "reset";
                    break;
                case "disconnect":
                    audio.disconnect();
                    answer = audio.state().name();
                    break;
                case "process":
                    answer = ProcessHandle.current().pid() + "\n" + System.getProperty("java.io.tmpdir");
                    break;
                case "native-loader":
                    answer = describe(Class.forName("dev.onvoid.webrtc.PeerConnectionFactory", false,
                            MediaServlet.class.getClassLoader()).getClassLoader()) + "\n"
                            + describe(MediaServlet.class.getClassLoader());
                    break;
                default:
                    response.sendError(400, "unknown op " + op);
                    return;
            }
            response.getWriter().print(answer);
        } catch (ExecutionException e) {
            response.sendError(500, String.valueOf(e.getCause()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            response.sendError(500, e.toString());
        } catch (TimeoutException | ReflectiveOperationException | RuntimeException e) {
            response.sendError(500, e.toString());
        }
    }

    /** A class loader in one line: its class, identity and the first line of its description. */
    private static String describe(ClassLoader loader) {
        if (loader == null) {
            return "bootstrap";
        }
        String text = String.valueOf(loader).strip();
        int nl = text.indexOf('\n');
        return loader.getClass().getName() + "@" + Integer.toHexString(System.identityHashCode(loader)) + " "
                + (nl < 0 ? text : text.substring(0, nl));
    }

    /** Adds the configured devices to the application's runtime unless they are there. */
    private void addDevices(double hz) {
        AudioDevices devices = factory.devices();
        synchronized (MediaServlet.class) {
            if (!devices.list().audioInputs().containsKey(INPUT)) {
                devices.addToneInput(INPUT, "Application tone " + hz + " Hz", hz, 0.5);
            }
            if (!devices.list().audioOutputs().containsKey(OUTPUT)) {
                devices.addPcmOutput(OUTPUT, "What the application hears", ears);
            }
        }
    }
}
