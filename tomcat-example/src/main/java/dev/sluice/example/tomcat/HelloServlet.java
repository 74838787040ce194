package dev.sluice.example.tomcat;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The example app's own servlet, standing in for whatever the app already serves. It knows nothing
 * of Sluice: requests that are not for {@code /v1/messages} reach it untouched.
 */
public final class HelloServlet extends HttpServlet {
  private static final long serialVersionUID = 1L;

  @Override
  protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    reply(resp, "{\"app\":\"tomcat-example\",\"method\":\"GET\",\"message\":\"hello\"}");
  }

  /** Answers with the number of body bytes it read, so tests can tell the app saw the body. */
  @Override
  protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    long bytes;
    try (InputStream in = req.getInputStream()) {
      bytes = in.transferTo(OutputStream.nullOutputStream());
    }
    reply(resp, "{\"app\":\"tomcat-example\",\"method\":\"POST\",\"bytes\":" + bytes + "}");
  }

  private static void reply(HttpServletResponse resp, String json) throws IOException {
    resp.setContentType("application/json");
    resp.setCharacterEncoding("UTF-8");
    resp.getOutputStream().write(json.getBytes(StandardCharsets.UTF_8));
  }
}
