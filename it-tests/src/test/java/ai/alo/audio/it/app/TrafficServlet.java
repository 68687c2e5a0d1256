package ai.alo.audio.it.app;

import jakarta.inject.Inject;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * For the class-loader test: {@code /traffic?op=arm-reconnect} makes {@link Reconnector} reconnect the next lost
 * connection from an {@code @ObservesAsync} observer; {@code op=pin} keeps this application's class loader reachable
 * (see {@link LoaderBeacon#pin()}). Answers in plain text.
 *
 * <p>The application deliberately submits nothing to the server's managed executor itself: on Payara a pool thread
 * that a submission creates keeps the access control context of the submitting stack, so the application's own
 * submission could keep its class loader alive, and the test would then measure the application instead of the
 * module.
 */
@WebServlet("/traffic")
public class TrafficServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    @Inject
    Reconnector reconnector;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        response.setContentType("text/plain;charset=UTF-8");
        String op = request.getParameter("op");
        if ("arm-reconnect".equals(op)) {
            reconnector.arm();
            response.getWriter().print("armed");
        } else if ("pin".equals(op)) {
            LoaderBeacon.pin();
            response.getWriter().print("pinned");
        } else {
            response.sendError(400, "unknown op " + op);
        }
    }
}
