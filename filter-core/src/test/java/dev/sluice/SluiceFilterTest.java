package dev.sluice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import dev.sluice.hook.Hook;
import dev.sluice.hook.HookSettings;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SluiceFilterTest {
  private SluiceFilter filter;

  @AfterEach
  void destroy() {
    if (filter != null) {
      filter.destroy();
    }
  }

  static FilterConfig config(Map<String, String> initParams, Map<String, String> contextParams) {
    ServletContext context = mock(ServletContext.class);
    when(context.getContextPath()).thenReturn("/app");
    when(context.getClassLoader()).thenReturn(SluiceFilterTest.class.getClassLoader());
    when(context.getInitParameter(org.mockito.ArgumentMatchers.anyString()))
        .thenAnswer(i -> contextParams.get((String) i.getArgument(0)));
    FilterConfig fc = mock(FilterConfig.class);
    when(fc.getServletContext()).thenReturn(context);
    when(fc.getInitParameterNames())
        .thenAnswer(i -> Collections.enumeration(initParams.keySet()));
    when(fc.getInitParameter(org.mockito.ArgumentMatchers.anyString()))
        .thenAnswer(i -> initParams.get((String) i.getArgument(0)));
    return fc;
  }

  @Test
  void invalidSetting_failsStartNamingTheSetting() {
    filter = new SluiceFilter();
    assertThatThrownBy(() -> filter.init(config(Map.of("idle-timeout", "soon"), Map.of())))
        .isInstanceOf(ServletException.class)
        .hasMessageContaining("'idle-timeout'")
        .hasMessageContaining("filter init-param idle-timeout");
  }

  /** The filter reads system properties before its init-params (a WAR re-pointed from outside). */
  @Test
  void systemProperty_winsOverTheInitParam_throughTheFilter() {
    System.setProperty("sluice.idle-timeout", "soon");
    try {
      filter = new SluiceFilter();
      assertThatThrownBy(() -> filter.init(config(Map.of("idle-timeout", "1s"), Map.of())))
          .isInstanceOf(ServletException.class)
          .hasMessageContaining("'idle-timeout'")
          .hasMessageContaining("system property sluice.idle-timeout");
    } finally {
      System.clearProperty("sluice.idle-timeout");
    }
  }

  @Test
  void unreadablePricingFile_failsStartNamingTheSetting() {
    filter = new SluiceFilter();
    assertThatThrownBy(() -> filter.init(config(
        Map.of("pricing-file", "/nonexistent/sluice-pricing.json"), Map.of())))
        .isInstanceOf(ServletException.class)
        .hasMessageContaining("'pricing-file'")
        .hasMessageContaining("/nonexistent/sluice-pricing.json");
  }

  @Test
  void pricingFileWithAMistake_failsStartNamingTheSettingAndTheModel(@TempDir Path dir)
      throws Exception {
    Path file = dir.resolve("pricing.json");
    Files.writeString(file, "{\"models\": {\"my-model\": {\"input\": 1}}}");
    filter = new SluiceFilter();
    assertThatThrownBy(() -> filter.init(config(Map.of("pricing-file", file.toString()),
        Map.of())))
        .isInstanceOf(ServletException.class)
        .hasMessageContaining("'pricing-file'")
        .hasMessageContaining("model my-model: \"output\" must be a number");
  }

  @Test
  void unknownHook_failsStart() {
    filter = new SluiceFilter();
    assertThatThrownBy(() -> filter.init(config(Map.of("hooks", "usage-log,typo"), Map.of())))
        .isInstanceOf(ServletException.class).hasMessageContaining("'typo'");
  }

  @Test
  void badHookSetting_failsStartThroughConfigure() {
    filter = new SluiceFilter();
    assertThatThrownBy(() -> filter.init(config(Map.of("hooks", "model-alias",
        "model-aliases", "no-equals-sign"), Map.of())))
        .isInstanceOf(ServletException.class).hasMessageContaining("'model-aliases'");
  }

  @Test
  void transportSetting_defaultsToJdk() throws Exception {
    filter = new SluiceFilter();
    filter.init(config(Map.of(), Map.of()));
    assertThat(filter.config().transport()).isEqualTo("jdk");
  }

  @Test
  void transportSetting_selectsADiscoveredProvider_withTheFiltersSettings() throws Exception {
    RecordingTransportProvider.CREATED.clear();
    filter = new SluiceFilter();
    filter.init(config(Map.of("transport", "recording", "connect-timeout", "3s",
        "recording-option", "on"), Map.of()));
    assertThat(RecordingTransportProvider.CREATED).hasSize(1);
    RecordingTransportProvider.Created created = RecordingTransportProvider.CREATED.get(0);
    assertThat(created.connectTimeout()).isEqualTo(java.time.Duration.ofSeconds(3));
    assertThat(created.ownSetting()).isEqualTo("on");
    filter.destroy();
    assertThat(created.transport().closed).as("closed by destroy").isTrue();
    filter = null;
  }

  @Test
  void unknownTransport_failsStartListingTheAvailableOnes() {
    filter = new SluiceFilter();
    assertThatThrownBy(() -> filter.init(config(Map.of("transport", "jety"), Map.of())))
        .isInstanceOf(ServletException.class)
        .hasMessageContaining("'transport'")
        .hasMessageContaining("'jety'")
        .hasMessageContaining("available: jdk, recording");
  }

  @Test
  void transportProviderRefusingItsSettings_failsStart() {
    filter = new SluiceFilter();
    assertThatThrownBy(() -> filter.init(config(Map.of("transport", "recording",
        "recording-fail", "true"), Map.of())))
        .isInstanceOf(ServletException.class).hasMessageContaining("'recording-fail'");
  }

  @Test
  void givenTransport_isUsedAndClosed_settingIgnored() throws Exception {
    java.util.Set<Thread> before = Thread.getAllStackTraces().keySet();
    RecordingTransportProvider.Transport given = new RecordingTransportProvider.Transport();
    SluiceFilter sluice = new SluiceFilter(SluiceConfig.builder().transport("no-such")
        .upstream(java.net.URI.create("http://127.0.0.1:9")).build(), given);
    try (EmbeddedJetty jetty = EmbeddedJetty.start(sluice)) {
      java.net.http.HttpResponse<byte[]> answer = java.net.http.HttpClient.newHttpClient().send(
          java.net.http.HttpRequest.newBuilder(java.net.URI.create(jetty.baseUri()
              + "/v1/messages")).POST(java.net.http.HttpRequest.BodyPublishers.ofString("{}"))
              .build(), java.net.http.HttpResponse.BodyHandlers.ofByteArray());
      assertThat(answer.body()).isEqualTo(RecordingTransportProvider.BODY);
      assertThat(given.requests).hasSize(1);
      assertThat(given.requests.get(0).uri().toString())
          .isEqualTo("http://127.0.0.1:9/v1/messages");
    }
    assertThat(given.closed).isTrue();
    // Tomcat checks for threads a web app left running right after destroy(): stopping them is
    // not enough, they must have ended. (A guard only: here the race is rarely lost; tomcat-
    // example's TomcatExampleIT.stop_leavesNoThreadOfTheWebAppRunning is the real check.)
    assertThat(Thread.getAllStackTraces().keySet()).filteredOn(t -> !before.contains(t))
        .noneMatch(t -> t.getName().startsWith("sluice-") && t.isAlive());
  }

  @Test
  void contextParams_configureAWebXmlFilter() throws Exception {
    filter = new SluiceFilter();
    filter.init(config(Map.of("upstream", "http://127.0.0.1:9"),
        Map.of("sluice.max-request-bytes", "1KiB", "sluice.upstream", "http://ignored:1")));
    assertThat(filter.config().maxRequestBytes()).isEqualTo(1024);
    assertThat(filter.config().upstream().toString()).isEqualTo("http://127.0.0.1:9");
  }

  @Test
  void otherPaths_passDownTheChain_untouched() throws Exception {
    filter = new SluiceFilter();
    filter.init(config(Map.of(), Map.of()));
    for (String uri : new String[] {"/app/", "/app/v1/messagesX", "/app/v1/other",
        "/app/hello/v1/messages"}) {
      HttpServletRequest request = mock(HttpServletRequest.class);
      HttpServletResponse response = mock(HttpServletResponse.class);
      when(request.getRequestURI()).thenReturn(uri);
      when(request.getContextPath()).thenReturn("/app");
      when(request.getMethod()).thenReturn("POST");
      FilterChain chain = mock(FilterChain.class);
      filter.doFilter(request, response, chain);
      verify(chain).doFilter(request, response);
      verify(request, never()).startAsync();
      verify(response, never()).setStatus(org.mockito.ArgumentMatchers.anyInt());
    }
  }

  /** A plugin's failure in configure() fails start with a message that names the plugin. */
  @Test
  void hookFailingToConfigure_failsStartNamingThePlugin() {
    Hook broken = new Hook() {
      @Override
      public String name() {
        return "broken-auth";
      }

      @Override
      public void configure(HookSettings settings) {
        throw new NullPointerException();
      }
    };
    filter = new SluiceFilter(SluiceConfig.builder().build(), List.of(broken));
    assertThatThrownBy(() -> filter.init(config(Map.of(), Map.of())))
        .isInstanceOf(ServletException.class)
        .hasMessageContaining("Hook 'broken-auth'").hasMessageContaining("failed to configure");
  }
}
