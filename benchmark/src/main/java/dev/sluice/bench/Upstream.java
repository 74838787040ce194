package dev.sluice.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What every target relays to: the cheapest source of the mock's bytes. The burst shape (the
 * mock's {@code paced} response of N deltas asked for in one write, {@code x-mock-chunk-bytes})
 * is fetched from the mock once and written to a file; when nginx is installed, an nginx
 * "front" serves that file itself for requests of exactly that shape (a static file: the
 * cheapest server there is) and passes every other request (paced, long, warm-ups of other
 * sizes) to the mock. It also listens with TLS, on a certificate made at run time with
 * {@code openssl}, for the {@code *-tls} targets. Without nginx the mock is the upstream, asked
 * to write the burst response in one go; it costs more CPU per request than nginx, which the
 * client-bound check then tends to flag.
 */
final class Upstream implements AutoCloseable {
  /** The burst requests ask the mock (or the front) for the whole response in one write. */
  static final String ONE_WRITE = "x-mock-chunk-bytes: 1048576";
  static final String TRUST_PASSWORD = "changeit";

  final URI http;
  final URI https; // null without nginx and openssl
  final InetSocketAddress httpAddress;
  final InetSocketAddress httpsAddress;
  final Path body;
  final Path trustStore; // null without TLS
  final String kind;
  private final URI mock;
  private final Targets.ProcessRunning nginx; // null: the mock itself

  private Upstream(URI mock, URI http, URI https, Path body, Path trustStore, String kind,
      Targets.ProcessRunning nginx) {
    this.mock = mock;
    this.http = http;
    this.https = https;
    this.httpAddress = new InetSocketAddress("127.0.0.1", http.getPort());
    this.httpsAddress = https == null ? null : new InetSocketAddress("127.0.0.1", https.getPort());
    this.body = body;
    this.trustStore = trustStore;
    this.kind = kind;
    this.nginx = nginx;
  }

  /** The mock alone as the upstream (the soak: its faults need the mock). */
  static Upstream mockOnly(URI mock) {
    return new Upstream(mock, mock, null, null, null, "the mock", null);
  }

  URI mockUri() {
    return mock;
  }

  List<Long> pids() {
    return nginx == null ? List.of() : nginx.pids();
  }

  /** The request headers of the burst shape with {@code deltas} deltas. */
  static List<String> burstHeaders(int deltas) {
    return List.of("x-mock-scenario: paced", "x-mock-deltas: " + deltas, ONE_WRITE);
  }

  static Upstream start(Targets.ProcessRunning mock, int burstDeltas, Path tmp, Path logs)
      throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("upstream"));
    Path body = dir.resolve("burst-" + burstDeltas + ".sse");
    Files.write(body, fetch(mock.uri(), burstDeltas));
    String binary = Targets.findOnPath("nginx");
    if (binary == null) {
      return new Upstream(mock.uri(), mock.uri(), null, body, null,
          "the mock (no nginx installed), one write per response", null);
    }
    Path trust = null;
    List<String> tls = List.of();
    int tlsPort = 0;
    if (Targets.findOnPath("openssl") != null) {
      try {
        trust = certificate(dir);
        tlsPort = Targets.freePort();
        tls = List.of(
            "    listen 127.0.0.1:" + tlsPort + " ssl backlog=4096;",
            "    ssl_certificate " + dir.resolve("cert.pem") + ";",
            "    ssl_certificate_key " + dir.resolve("key.pem") + ";",
            "    ssl_session_cache shared:SSL:10m;");
      } catch (IOException e) {
        trust = null;
      }
    }
    int port = Targets.freePort();
    List<String> conf = new ArrayList<>(Targets.nginxHead(dir));
    conf.addAll(List.of(
        "  types {}",
        "  default_type text/event-stream;",
        "  etag off;",
        // the burst shape, exactly: served from the file; anything else goes to the mock
        "  map \"$http_x_mock_deltas:$http_x_mock_chunk_bytes:$http_x_mock_delay_ms\" $canned {",
        "    \"" + burstDeltas + ":1048576:\" 1;",
        "    default 0;",
        "  }",
        "  upstream mock {",
        "    server 127.0.0.1:" + mock.address().getPort() + ";",
        "    keepalive 1024;",
        "    keepalive_requests 1000000;",
        "  }",
        "  server {",
        "    listen 127.0.0.1:" + port + " backlog=4096;"));
    conf.addAll(tls);
    conf.addAll(List.of(
        "    location = /v1/messages {",
        "      if ($canned) { rewrite ^ /_canned last; }",
        "      proxy_pass http://mock;",
        "      proxy_http_version 1.1;",
        "      proxy_set_header Connection \"\";",
        "      proxy_buffering off;",
        "      proxy_request_buffering off;",
        "      proxy_read_timeout 600s;",
        "    }",
        "    location / {",
        "      proxy_pass http://mock;",
        "      proxy_http_version 1.1;",
        "      proxy_set_header Connection \"\";",
        "      proxy_buffering off;",
        "      proxy_read_timeout 600s;",
        "    }",
        // A POST to a static file is a 405; error_page turns it into a GET of the file.
        "    location = /_canned {",
        "      internal;",
        "      alias " + body + ";",
        "      error_page 405 =200 /_canned;",
        "    }",
        "  }",
        "}",
        ""));
    Files.writeString(dir.resolve("nginx.conf"), String.join("\n", conf));
    List<String> cmd = List.of(binary, "-p", dir.toString(), "-e",
        dir.resolve("error.log").toString(), "-c", dir.resolve("nginx.conf").toString(),
        "-g", "daemon off;");
    Targets.Plan plan = new Targets.Plan("upstream-nginx", cmd,
        java.util.Map.of("NGINX_PORT", Integer.toString(port)), dir, null, "static front");
    Targets.ProcessRunning running = (Targets.ProcessRunning) Targets.start(plan, null, logs);
    URI http = URI.create("http://127.0.0.1:" + port);
    URI https = trust == null ? null : URI.create("https://127.0.0.1:" + tlsPort);
    Upstream u = new Upstream(mock.uri(), http, https, body, trust,
        "nginx serving the burst response from a file (other shapes proxied to the mock)"
            + (https == null ? "" : "; also TLS"), running);
    byte[] check = fetch(http, burstDeltas);
    if (!java.util.Arrays.equals(check, Files.readAllBytes(body))) {
      u.close();
      throw new IOException("nginx front does not serve the mock's bytes; see " + dir);
    }
    return u;
  }

  /** The burst response as the mock (or the front) sends it. */
  static byte[] fetch(URI base, int deltas) throws IOException {
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5)).build();
    HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve("/v1/messages"))
        .timeout(Duration.ofSeconds(20))
        .header("content-type", "application/json")
        .header("anthropic-version", "2023-06-01")
        .header("x-api-key", "sk-ant-benchmark")
        .POST(HttpRequest.BodyPublishers.ofString(Bench.BODY));
    for (String h : burstHeaders(deltas)) {
      int colon = h.indexOf(':');
      b.header(h.substring(0, colon), h.substring(colon + 1).trim());
    }
    try {
      HttpResponse<byte[]> r = client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
      if (r.statusCode() != 200) {
        throw new IOException("upstream answered " + r.statusCode() + " to the burst request");
      }
      return r.body();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  /** A self-signed certificate for 127.0.0.1 (openssl), and a PKCS12 trust store holding it. */
  private static Path certificate(Path dir) throws IOException {
    run(dir, "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
        "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
        "-keyout", dir.resolve("key.pem").toString(), "-out", dir.resolve("cert.pem").toString());
    Path trust = dir.resolve("trust.p12");
    Files.deleteIfExists(trust);
    String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
    run(dir, keytool, "-importcert", "-noprompt", "-alias", "upstream", "-file",
        dir.resolve("cert.pem").toString(), "-keystore", trust.toString(), "-storetype",
        "PKCS12", "-storepass", TRUST_PASSWORD);
    return trust;
  }

  private static void run(Path dir, String... cmd) throws IOException {
    Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
        .redirectOutput(dir.resolve("tls-setup.log").toFile()).start();
    try {
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        p.destroyForcibly();
        throw new IOException(cmd[0] + " failed; see " + dir.resolve("tls-setup.log"));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  /** JVM options that make a Java target trust the front's certificate. */
  List<String> trustOptions() {
    return trustStore == null ? List.of() : List.of("-Djavax.net.ssl.trustStore=" + trustStore,
        "-Djavax.net.ssl.trustStorePassword=" + TRUST_PASSWORD,
        "-Djavax.net.ssl.trustStoreType=PKCS12");
  }

  @Override
  public void close() {
    if (nginx != null) {
      nginx.close();
    }
  }
}
