package dev.sluice.example;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import dev.sluice.SluiceFilter;
import jakarta.servlet.ServletConfig;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.Test;

/** The JSON the soak benchmark reads from an example app started with --diagnostics. */
class DiagnosticsServletTest {

  @Test
  void sumsTheOpenExchangesOfEverySluiceFilter_andCountsThreads() throws Exception {
    String json = get(Map.of(
        SluiceFilter.OPEN_EXCHANGES_ATTRIBUTE + "sluice", (IntSupplier) () -> 3,
        SluiceFilter.OPEN_EXCHANGES_ATTRIBUTE + "second", (IntSupplier) () -> 2,
        "unrelated", (IntSupplier) () -> 100), null);

    assertThat(json).contains("\"sluiceFilters\":2", "\"openExchanges\":5", "\"gc\":false")
        .containsPattern("\"threads\":[1-9]")
        .containsPattern("\"heapUsedBytes\":[1-9]")
        .contains("\"main\":"); // this test's own thread
  }

  @Test
  void withoutSluice_saysSoInsteadOfReportingNothingOpen() throws Exception {
    assertThat(get(Map.of(), "true")).contains("\"sluiceFilters\":0", "\"openExchanges\":0",
        "\"gc\":true");
  }

  @Test
  void threadGroups_dropTheTrailingNumber() {
    assertThat(DiagnosticsServlet.group("qtp1234567-42")).isEqualTo("qtp1234567");
    assertThat(DiagnosticsServlet.group("http-nio-127.0.0.1-auto-1-exec-12"))
        .isEqualTo("http-nio-127.0.0.1-auto-1-exec");
    assertThat(DiagnosticsServlet.group("HttpClient-1-SelectorManager"))
        .isEqualTo("HttpClient-1-SelectorManager");
    assertThat(DiagnosticsServlet.group("sluice-timer")).isEqualTo("sluice-timer");
  }

  private static String get(Map<String, Object> attributes, String gc) throws Exception {
    ServletContext context = mock(ServletContext.class);
    when(context.getAttributeNames())
        .thenAnswer(i -> Collections.enumeration(List.copyOf(attributes.keySet())));
    when(context.getAttribute(org.mockito.ArgumentMatchers.anyString()))
        .thenAnswer(i -> attributes.get((String) i.getArgument(0)));
    ServletConfig config = mock(ServletConfig.class);
    when(config.getServletContext()).thenReturn(context);
    HttpServletRequest request = mock(HttpServletRequest.class);
    when(request.getMethod()).thenReturn("GET");
    when(request.getParameter("gc")).thenReturn(gc);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    HttpServletResponse response = mock(HttpServletResponse.class);
    when(response.getOutputStream()).thenReturn(new ServletOutputStream() {
      @Override
      public boolean isReady() {
        return true;
      }

      @Override
      public void setWriteListener(WriteListener listener) {}

      @Override
      public void write(int b) {
        bytes.write(b);
      }
    });

    DiagnosticsServlet servlet = new DiagnosticsServlet();
    servlet.init(config);
    servlet.service(request, response);
    return bytes.toString(StandardCharsets.UTF_8);
  }
}
