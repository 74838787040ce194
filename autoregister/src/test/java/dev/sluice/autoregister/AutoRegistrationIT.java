package dev.sluice.autoregister;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testkit.MockUpstream;
import dev.sluice.testkit.dist.DistFiles;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * {@code target/autoregister-test.war} (its {@code web.xml} does not mention Sluice; this
 * module's jar in {@code WEB-INF/lib}) on a server of its own, started once per class with
 * {@code -Dsluice.upstream=<mock>}, next to variants of the same WAR whose {@code web.xml} turns
 * auto-registration off, declares SluiceFilter itself, is {@code metadata-complete}, or leaves
 * the jar out by {@code <absolute-ordering/>}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
abstract class AutoRegistrationIT {
  static final Path WAR = Path.of("target", "autoregister-test.war");
  static final String REQUEST = "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":1024,"
      + "\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}";

  /** A started server: its root URI, its console so far, and how to stop it. */
  record Running(URI root, Supplier<String> console, AutoCloseable stop) {}

  MockUpstream mock;
  Running server;
  final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();

  /** A new base directory for the server; {@link #start} deploys what is in its {@code webapps/}. */
  abstract Path newBase();

  /** Starts the server on {@code base} with these system properties, ready when {@code /auto/} is. */
  abstract Running start(Path base, Map<String, String> systemProperties) throws Exception;

  /**
   * Whether the server runs web apps' {@code ServletContainerInitializer}s (then the
   * registration comes in that way, else through the fragment's listener).
   */
  abstract boolean runsInitializers();

  String expectedVia() {
    return runsInitializers() ? "ServletContainerInitializer" : "web-fragment listener";
  }

  @BeforeAll
  void deploy() throws Exception {
    mock = MockUpstream.start();
    Path base = newBase();
    Path webapps = base.resolve("webapps");
    DistFiles.copy(WAR, webapps.resolve("auto.war"));
    variant(webapps, "off", "off-web.xml");
    variant(webapps, "declared", "declared-web.xml");
    variant(webapps, "complete", "metadata-complete-web.xml");
    variant(webapps, "excluded", "excluded-web.xml");
    prepare(base);
    server = start(base, Map.of("sluice.upstream", mock.baseUri().toString()));
  }

  /** More for the base before the start; nothing by default. */
  void prepare(Path base) throws Exception {}

  @AfterAll
  void stop() throws Exception {
    if (server != null) server.stop().close();
    if (mock != null) mock.close();
  }

  @BeforeEach
  void forget() {
    mock.reset();
  }

  @Test
  void warWithoutSluiceInWebXml_relaysStreamsByteForByte_andCountTokens() throws Exception {
    for (String scenario : new String[] {"text", "thinking", "unicode"}) {
      HttpResponse<byte[]> relayed = post("/auto/v1/messages", REQUEST,
          "x-mock-scenario", scenario);
      assertThat(relayed.statusCode()).isEqualTo(200);
      assertThat(relayed.body()).as(scenario).isEqualTo(MockUpstream.transcript(scenario));
    }
    HttpResponse<byte[]> counted = post("/auto/v1/messages/count_tokens?beta=true", REQUEST);
    assertThat(new String(counted.body(), StandardCharsets.UTF_8)).contains("\"input_tokens\"");
    assertThat(mock.requests()).hasSize(4);
    assertThat(mock.requests().get(3).path()).isEqualTo("/v1/messages/count_tokens");
  }

  @Test
  void appPagesAndOtherPaths_untouched() throws Exception {
    HttpResponse<String> page = http.send(HttpRequest.newBuilder(
        URI.create(server.root() + "/auto/")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).contains("<h1>autoregister test app</h1>");
    HttpResponse<byte[]> near = post("/auto/v1/messagesX", REQUEST);
    assertThat(near.headers().firstValue("request-id")).isEmpty();
    assertThat(mock.requests()).isEmpty();
  }

  @Test
  void registeredOnce_byTheExpectedWayIn() {
    String console = server.console().get();
    assertThat(count(console, "Sluice relaying POST /auto/v1/messages/** to " + mock.baseUri()))
        .isEqualTo(1);
    assertThat(console).contains("Sluice auto-registered in web app '/auto' (by its "
        + expectedVia() + ") on /auto/v1/messages and /auto/v1/messages/*");
  }

  @Test
  void switchedOffByContextParam_notRelayed() throws Exception {
    assertNotRelayed("/off");
    assertThat(server.console().get())
        .contains("Sluice auto-registration is off (sluice.autoregister=false) in web app '/off'")
        .doesNotContain("Sluice relaying POST /off/");
  }

  @Test
  void sluiceFilterAlsoInWebXml_onlyThatOne() throws Exception {
    HttpResponse<byte[]> relayed = post("/declared/v1/messages", REQUEST);
    assertThat(relayed.statusCode()).isEqualTo(200);
    assertThat(relayed.body()).isEqualTo(MockUpstream.transcript("text"));
    String console = server.console().get();
    assertThat(count(console, "Sluice relaying POST /declared/v1/messages/**")).isEqualTo(1);
    assertThat(console).contains("Sluice auto-registration: web app '/declared' already "
        + "declares SluiceFilter as 'relay'; not registering another");
  }

  @Test
  void jarLeftOutByAbsoluteOrdering_notRelayed() throws Exception {
    assertNotRelayed("/excluded");
    assertThat(server.console().get()).doesNotContain("web app '/excluded'")
        .doesNotContain("Sluice relaying POST /excluded/");
  }

  /**
   * A {@code metadata-complete} {@code web.xml} turns fragments off: only an initializer gets the
   * filter in.
   */
  @Test
  void metadataCompleteWebXml_registeredOnlyWhereInitializersRun() throws Exception {
    if (!runsInitializers()) {
      assertNotRelayed("/complete");
      assertThat(server.console().get()).doesNotContain("web app '/complete'");
      return;
    }
    HttpResponse<byte[]> relayed = post("/complete/v1/messages", REQUEST);
    assertThat(relayed.statusCode()).isEqualTo(200);
    assertThat(relayed.body()).isEqualTo(MockUpstream.transcript("text"));
    assertThat(server.console().get()).contains("Sluice auto-registered in web app '/complete' "
        + "(by its ServletContainerInitializer)");
  }

  void assertNotRelayed(String context) throws Exception {
    HttpResponse<String> page = http.send(HttpRequest.newBuilder(
        URI.create(server.root() + context + "/")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(page.statusCode()).as("the app is deployed").isEqualTo(200);
    HttpResponse<byte[]> r = post(context + "/v1/messages", REQUEST);
    assertThat(r.statusCode()).isNotEqualTo(200);
    assertThat(r.headers().firstValue("request-id")).isEmpty();
    assertThat(mock.requests()).isEmpty();
  }

  /** Another WAR: the test app with {@code variants/<webXml>} as its {@code WEB-INF/web.xml}. */
  static void variant(Path webapps, String name, String webXml) throws URISyntaxException {
    Path dir = webapps.getParent().resolve("work").resolve("variant-" + name);
    DistFiles.deleteTree(dir);
    DistFiles.unzip(WAR, dir);
    DistFiles.copy(resource("variants/" + webXml), dir.resolve("WEB-INF/web.xml"));
    DistFiles.zip(dir, webapps.resolve(name + ".war"));
    DistFiles.deleteTree(dir);
  }

  static Path resource(String name) throws URISyntaxException {
    return Path.of(AutoRegistrationIT.class.getClassLoader().getResource(name).toURI());
  }

  HttpResponse<byte[]> post(String path, String body, String... headers)
      throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.root() + path))
        .timeout(Duration.ofSeconds(30))
        .header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body));
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  static int count(String text, String needle) {
    Matcher m = Pattern.compile(Pattern.quote(needle)).matcher(text);
    int n = 0;
    while (m.find()) n++;
    return n;
  }

  static void write(Path file, String text) throws IOException {
    Files.createDirectories(file.getParent());
    Files.writeString(file, text);
  }
}
