package dev.sluice.example.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testkit.contract.ContainerUnderTest;
import java.net.URI;
import java.util.Locale;
import java.util.Map;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.util.ClassUtils;

/** {@link SpringBootExample} on a free port, as the contract suites' container under test. */
final class BootApps {
  private BootApps() {}

  /** Whether this run has Boot's Tomcat (the failsafe executions leave one server out). */
  static boolean onTomcat() {
    return ClassUtils.isPresent("org.apache.catalina.startup.Tomcat",
        BootApps.class.getClassLoader());
  }

  static ContainerUnderTest container(URI upstream, Map<String, String> settings,
      Class<?>... sources) {
    return container(start(upstream, settings, sources));
  }

  static ContainerUnderTest container(SpringBootExample.Running app) {
    return ContainerUnderTest.of(app.baseUri(), "/hello", app::close);
  }

  /**
   * Starts the app, and checks it runs on the server this failsafe execution is for ({@code
   * -Dboot.server=tomcat|jetty}): the class path alone decides, and a mistake there would
   * otherwise test Tomcat twice.
   */
  static SpringBootExample.Running start(URI upstream, Map<String, String> settings,
      Class<?>... sources) {
    SpringBootExample.Running app = SpringBootExample.start(0, upstream, settings, Map.of(),
        sources);
    String expected = System.getProperty("boot.server", "");
    String server = ((WebServerApplicationContext) app.context()).getWebServer().getClass()
        .getSimpleName().toLowerCase(Locale.ROOT);
    if (!expected.isEmpty() && !server.startsWith(expected)) {
      app.close();
      assertThat(server).as("Boot's web server in the '" + expected + "' run").startsWith(expected);
    }
    return app;
  }
}
