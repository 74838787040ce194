package dev.sluice.example.boot;

import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The app's own endpoint, standing in for whatever the app already serves. It knows nothing of
 * Sluice: requests that are not for {@code /v1/messages} reach it untouched.
 */
@RestController
final class HelloController {

  @GetMapping(path = "/hello", produces = MediaType.APPLICATION_JSON_VALUE)
  String hello() {
    return "{\"app\":\"spring-boot-example\",\"method\":\"GET\",\"message\":\"hello\"}";
  }

  /** Answers with the number of body bytes it read, so tests can tell the app saw the body. */
  @PostMapping(path = "/hello", produces = MediaType.APPLICATION_JSON_VALUE)
  String echo(HttpServletRequest request) throws IOException {
    long bytes;
    try (InputStream in = request.getInputStream()) {
      bytes = in.transferTo(OutputStream.nullOutputStream());
    }
    return "{\"app\":\"spring-boot-example\",\"method\":\"POST\",\"bytes\":" + bytes + "}";
  }
}
