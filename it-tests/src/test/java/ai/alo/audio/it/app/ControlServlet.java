package ai.alo.audio.it.app;

import ai.alo.audio.AloAudio;
import ai.alo.audio.AudioChannel;
import ai.alo.audio.cdi.AloAudioFactory;
import jakarta.inject.Inject;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Lets the test JVM drive the application: {@code /control?op=connect&channel=c}, {@code op=disconnect}, {@code
 * op=state}, {@code op=events}, {@code op=clear}, and {@code op=connect-named&name=n&channel=c} for a client made by
 * the {@link AloAudioFactory}. Answers in plain text; a failure answers 500 with the exception.
 */
@WebServlet("/control")
public class ControlServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    @Inject
    AloAudio audio;

    @Inject
    AloAudioFactory factory;

    @Inject
    EventLog log;

    private final Map<String, AloAudio> named = new ConcurrentHashMap<>();

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        response.setContentType("text/plain;charset=UTF-8");
        String op = request.getParameter("op");
        String channel = request.getParameter("channel");
        try {
            String answer;
            switch (op == null ? "" : op) {
                case "connect":
                    audio.connect(AudioChannel.pushToTalk(channel, channel)).get(15, TimeUnit.SECONDS);
                    answer = audio.state().name();
                    break;
                case "disconnect":
                    audio.disconnect();
                    answer = audio.state().name();
                    break;
                case "state":
                    answer = audio.state().name();
                    break;
                case "events":
                    answer = String.join("\n", log.lines());
                    break;
                case "clear":
                    log.clear();
                    answer = "cleared";
                    break;
                case "connect-named":
                    String name = request.getParameter("name");
                    AloAudio client = named.computeIfAbsent(name,
                            n -> factory.create(factory.configuration(n).build()));
                    client.connect(AudioChannel.pushToTalk(channel, channel)).get(15, TimeUnit.SECONDS);
                    answer = client.state().name();
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
        } catch (TimeoutException | RuntimeException e) {
            response.sendError(500, e.toString());
        }
    }
}
