package dev.sluice.example.tomcat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testkit.MockUpstream;
import dev.sluice.testkit.RecordedRequest;
import dev.sluice.testkit.dist.DistFiles;
import dev.sluice.testkit.dist.TomcatDistribution;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * The other way to deploy Sluice on a stock Tomcat 11: filter-core and its dependencies in
 * Tomcat's {@code lib/} (the common class loader, shared by every app), and an app that only
 * declares the filter in its {@code web.xml}, with a hook plugin jar ({@code sample-plugin}) in
 * its own {@code WEB-INF/lib}. The plugin is visible only to the app's class loader, so it is
 * found only because Sluice hands {@code ServletContext.getClassLoader()} to ServiceLoader.
 *
 * <p>Settings come from a context descriptor, {@code conf/Catalina/localhost/llm.xml} with
 * {@code <Parameter name="sluice.<setting>">}s (no JVM flags), and the connector's {@code
 * asyncTimeout} is cut to 1 s to show, in seconds, that Sluice overrides it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RealTomcatSharedLibIT {
  static final String CONTEXT = "/llm";
  static final String STREAM_BODY = TomcatExampleIT.STREAM_BODY;

  MockUpstream mock;
  TomcatDistribution tomcat;
  Path base;
  Path app;
  URI baseUri;
  final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeAll
  void deploy() throws Exception {
    mock = MockUpstream.start();
    base = TomcatDistribution.newBase("shared-lib");
    app = base.resolve("apps").resolve("llm");
    DistFiles.copyTree(resource("shared-lib-app"), app);
    // The jars come from the WAR the build made: everything in its WEB-INF/lib goes to Tomcat's
    // lib/, except the plugin, which goes to the app's WEB-INF/lib.
    try (ZipFile war = new ZipFile(RealTomcatRelayContractIT.WAR.toFile())) {
      for (ZipEntry e : war.stream().toList()) {
        String name = e.getName();
        if (!name.startsWith("WEB-INF/lib/") || !name.endsWith(".jar")) continue;
        String jar = name.substring("WEB-INF/lib/".length());
        Path to = jar.startsWith("sample-plugin-")
            ? app.resolve("WEB-INF/lib").resolve(jar) : base.resolve("lib").resolve(jar);
        Files.createDirectories(to.getParent());
        try (InputStream in = war.getInputStream(e)) {
          Files.copy(in, to, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
    Path descriptor = base.resolve("conf/Catalina/localhost/llm.xml");
    Files.createDirectories(descriptor.getParent());
    Files.writeString(descriptor, String.join("\n",
        "<Context docBase=\"" + app + "\">",
        "  <Parameter name=\"sluice.upstream\" value=\"" + mock.baseUri() + "\" override=\"false\"/>",
        "  <Parameter name=\"sluice.hooks\" value=\"blocked-words\" override=\"false\"/>",
        "</Context>",
        ""));
    tomcat = TomcatDistribution.start(base, Map.of(), "asyncTimeout=\"1000\"", CONTEXT + "/");
    baseUri = URI.create(tomcat.root() + CONTEXT);
  }

  @AfterAll
  void stop() {
    if (tomcat != null) tomcat.close();
    if (mock != null) mock.close();
  }

  @BeforeEach
  void forget() {
    mock.reset();
  }

  @Test
  void layout_filterInTomcatsLib_onlyThePluginInTheApp() {
    assertThat(DistFiles.list(app.resolve("WEB-INF/lib"))).matches("sample-plugin-[^,]+\\.jar");
    assertThat(DistFiles.list(base.resolve("lib")))
        .contains("filter-core-", "jackson-databind-", "slf4j-api-", "slf4j-jdk14-")
        .doesNotContain("sample-plugin");
    assertThat(tomcat.console())
        .contains("Sluice relaying POST " + CONTEXT + "/v1/messages/** to " + mock.baseUri())
        .contains("blocked-words");
  }

  @Test
  void pluginFromTheAppsWebInfLib_blocksTheRequest() throws Exception {
    String body = STREAM_BODY.replace("Hi", "please say forbidden-word");
    HttpResponse<String> r = http.send(post(body), HttpResponse.BodyHandlers.ofString());

    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.headers().firstValue("content-type")).hasValueSatisfying(
        t -> assertThat(t).startsWith("application/json"));
    assertThat(r.body())
        .startsWith("{\"type\":\"error\",\"error\":{\"type\":\"invalid_request_error\",")
        .contains("Request blocked by policy: it contains 'forbidden-word'");
    assertThat(mock.requests()).as("never reached upstream").isEmpty();
  }

  @Test
  void ordinaryRequest_streamsByteForByte() throws Exception {
    HttpResponse<byte[]> direct = http.send(TomcatExampleIT.post(mock.baseUri(), "/v1/messages",
        STREAM_BODY, "x-mock-scenario", "thinking"), HttpResponse.BodyHandlers.ofByteArray());
    HttpResponse<byte[]> relayed = http.send(post(STREAM_BODY, "x-mock-scenario", "thinking"),
        HttpResponse.BodyHandlers.ofByteArray());

    assertThat(relayed.statusCode()).isEqualTo(200);
    assertThat(new String(relayed.body(), StandardCharsets.UTF_8))
        .endsWith("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n");
    assertThat(relayed.body()).isEqualTo(direct.body());
    RecordedRequest seen = mock.takeRequest(Duration.ofSeconds(5));
    assertThat(seen.path()).isEqualTo("/v1/messages");
    assertThat(seen.body()).isEqualTo(STREAM_BODY.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void streamSilentPastTheConnectorsAsyncTimeout_isNotCut() throws Exception {
    HttpResponse<String> r = http.send(post(STREAM_BODY, "x-mock-scenario", "paced",
        "x-mock-deltas", "3", "x-mock-first-delay-ms", "2500"),
        HttpResponse.BodyHandlers.ofString());

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).doesNotContain("event: error")
        .endsWith("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n");
  }

  @Test
  void otherRequests_passToTheApp() throws Exception {
    HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create(baseUri + "/"))
        .build(), HttpResponse.BodyHandlers.ofString());

    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).contains("llm gateway app");
    assertThat(mock.requests()).isEmpty();
  }

  HttpRequest post(String body, String... headers) {
    return TomcatExampleIT.post(baseUri, "/v1/messages", body, headers);
  }

  static Path resource(String name) throws URISyntaxException {
    return Path.of(RealTomcatSharedLibIT.class.getClassLoader().getResource(name).toURI());
  }
}
