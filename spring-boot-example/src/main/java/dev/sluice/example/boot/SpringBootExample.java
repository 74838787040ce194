package dev.sluice.example.boot;

import dev.sluice.example.ExampleMain;
import dev.sluice.example.Options;
import dev.sluice.example.RunningApp;
import jakarta.servlet.Servlet;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.support.GenericApplicationContext;

/**
 * An "existing" Spring Boot web app (its own controller at {@code /hello}, a welcome page) with
 * Sluice added the way a Boot user adds it: the {@code sluice-spring-boot-starter} dependency and
 * {@code sluice.*} properties. Nothing in this code mentions the filter.
 *
 * <p>Run {@code java -jar spring-boot-example.jar --help} for the command line.
 */
@SpringBootApplication
public class SpringBootExample {

  /** A started app. {@link #close()} stops it; it is safe to call more than once. */
  public interface Running extends RunningApp {
    /** The application context, for tests. */
    ConfigurableApplicationContext context();
  }

  /**
   * Starts the app on {@code 127.0.0.1}.
   *
   * @param port the port to bind, or 0 for an ephemeral one
   * @param upstream the Anthropic API (or a mock) that Sluice relays to: {@code sluice.upstream}
   * @param settings further Sluice settings, each becoming the property {@code sluice.<key>}
   *     ({@code "upstream"} among them wins over {@code upstream}: a failover list)
   *     (for example {@code "idle-timeout" -> "5m"}); like {@code --upstream}, they are Boot's
   *     default properties, so {@code application.yml}, {@code SLUICE_*} variables and {@code
   *     -Dsluice.*} override them
   * @param servlets servlets to mount beside the app's own, by path
   * @param sources further configuration classes (tests add beans this way)
   * @throws IllegalStateException when the app fails to start (port taken, invalid setting)
   */
  public static Running start(int port, URI upstream, Map<String, String> settings,
      Map<String, Servlet> servlets, Class<?>... sources) {
    Objects.requireNonNull(upstream, "upstream == null");
    Map<String, Object> properties = new LinkedHashMap<>();
    properties.put("server.address", "127.0.0.1");
    properties.put("server.port", port);
    properties.put("sluice.upstream", upstream.toString());
    settings.forEach((key, value) -> properties.put("sluice." + key, value)); // "upstream": a list
    SpringApplicationBuilder builder = new SpringApplicationBuilder(SpringBootExample.class)
        .main(SpringBootExample.class)
        .sources(sources)
        .properties(properties)
        // ExampleMain's shutdown hook stops the app (and the mock after it).
        .registerShutdownHook(false)
        .initializers(context -> servlets.forEach((path, servlet) ->
            ((GenericApplicationContext) context).registerBean(servlet.getClass().getName(),
                ServletRegistrationBean.class, () -> new ServletRegistrationBean<>(servlet, path))));
    ConfigurableApplicationContext context;
    try {
      context = builder.run();
    } catch (RuntimeException e) {
      // Boot has logged its whole report; the one-line error names what the user must fix.
      throw new IllegalStateException("Spring Boot failed to start on 127.0.0.1:" + port,
          reason(e));
    }
    int bound = ((WebServerApplicationContext) context).getWebServer().getPort();
    return new Running() {
      @Override
      public URI baseUri() {
        return URI.create("http://127.0.0.1:" + bound);
      }

      @Override
      public int port() {
        return bound;
      }

      @Override
      public ConfigurableApplicationContext context() {
        return context;
      }

      @Override
      public void close() {
        context.close();
      }

      @Override
      public String toString() {
        return "SpringBootExample" + baseUri();
      }
    };
  }

  /**
   * The cause a user acts on: a property that failed to bind (its message names the property),
   * else the innermost cause (an unknown hook name, a port in use), not the wrappers around it
   * ({@code Unable to start web server}).
   */
  static Throwable reason(Throwable e) {
    Throwable innermost = e;
    for (Throwable c = e; c != null; c = c.getCause()) {
      if (c instanceof BindException) {
        return c;
      }
      innermost = c;
    }
    return innermost;
  }

  /**
   * {@code java -jar spring-boot-example.jar [--port N] [--upstream URL] [--hooks a,b]
   * [--model-aliases a=m] [--diagnostics]}. Without {@code --upstream} a mock Anthropic API runs
   * in-process, so the example works offline. Without {@code --model-aliases} the example sets
   * {@code model-aliases} to {@value Options#DEFAULT_MODEL_ALIASES}; see {@link ExampleMain}.
   */
  public static void main(String[] args) throws InterruptedException {
    ExampleMain.main("spring-boot-example", args, SpringBootExample::start);
  }
}
