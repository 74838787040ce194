package dev.sluice.example.tomcat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.example.DiagnosticsServlet;
import dev.sluice.testkit.MockUpstream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The --diagnostics servlet is mounted on Tomcat and sees the Sluice filter of web.xml. */
class DiagnosticsIT {

  @Test
  void mountedServlet_seesTheSluiceFilter_andOnlyWhenMounted() throws Exception {
    try (MockUpstream mock = MockUpstream.start();
        TomcatExample.Running plain = TomcatExample.start(0, mock.baseUri(), Map.of());
        TomcatExample.Running diagnosed = TomcatExample.start(0, mock.baseUri(), Map.of(),
            Map.of(DiagnosticsServlet.PATH, new DiagnosticsServlet()))) {
      HttpResponse<String> on = get(diagnosed.baseUri());
      assertThat(on.statusCode()).isEqualTo(200);
      assertThat(on.body()).contains("\"sluiceFilters\":1", "\"openExchanges\":0");
      assertThat(get(plain.baseUri()).statusCode()).isEqualTo(404);
    }
  }

  private static HttpResponse<String> get(URI base) throws Exception {
    return HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(base.resolve(DiagnosticsServlet.PATH)).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
