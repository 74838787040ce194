package dev.sluice.plugintest;

import dev.sluice.SluiceConfig;
import dev.sluice.SluiceFilter;
import dev.sluice.hook.ExchangeRecord;
import dev.sluice.hook.Hook;
import dev.sluice.upstream.UpstreamRequest;
import jakarta.servlet.DispatcherType;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * Runs hooks in a real Sluice (the filter on an embedded Jetty, on a loopback port) against a
 * scripted upstream, for a plugin's tests: what the client got, what went upstream, and the
 * exchange record.
 *
 * <pre>{@code
 * try (HookHarness h = HookHarness.builder().hook(new MyGuardrail())
 *     .setting("blocked-words", "secret").build()) {
 *   HookHarness.Result r = h.post(Upstream.textStream("claude-sonnet-4-5", "Hi"),
 *       "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":64,\"stream\":true,"
 *       + "\"messages\":[{\"role\":\"user\",\"content\":\"a secret\"}]}");
 *   assertEquals(400, r.status());
 *   assertFalse(r.wentUpstream());
 * }
 * }</pre>
 *
 * <p>The hooks are configured with the settings given, as the filter's init-params would, and run
 * exactly as they would in production (override detection, ordering, credential redaction,
 * threads). The harness adds one completion hook of its own to capture the record; requests are
 * sent one at a time. Not thread-safe.
 */
public final class HookHarness implements AutoCloseable {
  private final Server server;
  private final URI base;
  private final ScriptedTransport transport;
  private final BlockingQueue<ExchangeRecord> records;
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();

  private HookHarness(Server server, URI base, ScriptedTransport transport,
      BlockingQueue<ExchangeRecord> records) {
    this.server = server;
    this.base = base;
    this.transport = transport;
    this.records = records;
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * POSTs {@code requestBody} to {@code /v1/messages} (with {@code anthropic-version} and a
   * placeholder {@code x-api-key}, plus {@code headers} as name/value pairs) and returns once the
   * response has ended and the record is in. {@code answers} are upstream's answers to the
   * upstream requests this exchange makes, in order (more than one only for follow-up hooks).
   */
  public Result post(Upstream answer, String requestBody, String... headers) {
    return post(List.of(answer), "/v1/messages", requestBody, headers);
  }

  /** The same for another path under {@code /v1/messages} and several upstream answers. */
  public Result post(List<Upstream> answers, String path, String requestBody, String... headers) {
    if (headers.length % 2 != 0) {
      throw new IllegalArgumentException("headers come as name/value pairs");
    }
    transport.answerNextWith(answers);
    transport.sent.clear();
    records.clear();
    HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path))
        .timeout(Duration.ofSeconds(30))
        .header("content-type", "application/json")
        .header("anthropic-version", "2023-06-01")
        .POST(HttpRequest.BodyPublishers.ofString(requestBody));
    boolean key = false;
    for (int i = 0; i < headers.length; i += 2) {
      b.setHeader(headers[i], headers[i + 1]);
      key |= headers[i].equalsIgnoreCase("x-api-key");
    }
    if (!key) {
      b.header("x-api-key", "sk-ant-harness");
    }
    try {
      HttpResponse<byte[]> r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
      ExchangeRecord record = records.poll(10, TimeUnit.SECONDS);
      if (record == null) {
        throw new IllegalStateException("no exchange record within 10 s");
      }
      return new Result(r.statusCode(), r.headers().map(), r.body(), record,
          List.copyOf(transport.sent));
    } catch (IOException e) {
      throw new IllegalStateException("the harness's request failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  @Override
  public void close() {
    try {
      server.stop();
    } catch (Exception e) {
      throw new IllegalStateException("stopping the harness's Jetty failed", e);
    } finally {
      transport.close();
    }
  }

  /** What one exchange produced. */
  public static final class Result {
    private final int status;
    private final Map<String, List<String>> headers;
    private final byte[] body;
    private final ExchangeRecord record;
    private final List<UpstreamRequest> upstream;

    Result(int status, Map<String, List<String>> headers, byte[] body, ExchangeRecord record,
        List<UpstreamRequest> upstream) {
      this.status = status;
      this.headers = headers;
      this.body = body;
      this.record = record;
      this.upstream = upstream;
    }

    /** The status the client got. */
    public int status() {
      return status;
    }

    /** The first value of response header {@code name} (any case), or null. */
    public String header(String name) {
      for (Map.Entry<String, List<String>> e : headers.entrySet()) {
        if (e.getKey().equalsIgnoreCase(name) && !e.getValue().isEmpty()) {
          return e.getValue().get(0);
        }
      }
      return null;
    }

    /** The bytes the client got. */
    public byte[] body() {
      return body.clone();
    }

    public String bodyText() {
      return new String(body, java.nio.charset.StandardCharsets.UTF_8);
    }

    /** What {@code onComplete} hooks were given. */
    public ExchangeRecord record() {
      return record;
    }

    /** Whether any request reached upstream (a rejected request never does). */
    public boolean wentUpstream() {
      return !upstream.isEmpty();
    }

    /** The upstream requests, in order: the first is the client's, after the request hooks. */
    public List<UpstreamRequest> upstreamRequests() {
      return upstream;
    }

    /** The body of the first upstream request, as sent. */
    public String upstreamBody() {
      UpstreamRequest first = first();
      return new String(first.body(), 0, first.bodyLength(),
          java.nio.charset.StandardCharsets.UTF_8);
    }

    /** A header of the first upstream request (any case; the last value), or null. */
    public String upstreamHeader(String name) {
      String value = null;
      for (Map.Entry<String, String> h : first().headers()) {
        if (h.getKey().equalsIgnoreCase(name)) {
          value = h.getValue();
        }
      }
      return value;
    }

    private UpstreamRequest first() {
      if (upstream.isEmpty()) {
        throw new IllegalStateException("nothing went upstream (status " + status + ")");
      }
      return upstream.get(0);
    }
  }

  /** Hooks, their settings and Sluice's own settings; {@link #build()} starts the server. */
  public static final class Builder {
    private final List<Hook> hooks = new ArrayList<>();
    private final Map<String, String> settings = new LinkedHashMap<>();
    private SluiceConfig.Builder config = SluiceConfig.builder()
        .upstream(URI.create("http://127.0.0.1:9"));

    private Builder() {}

    public Builder hook(Hook hook) {
      hooks.add(Objects.requireNonNull(hook, "hook == null"));
      return this;
    }

    /** A setting the hooks' {@code configure} sees, as a filter init-param would give it. */
    public Builder setting(String name, String value) {
      settings.put(Objects.requireNonNull(name, "name == null"),
          Objects.requireNonNull(value, "value == null"));
      return this;
    }

    /** Sluice's own settings (timeouts, follow-ups, api-key); its upstream is the script. */
    public Builder config(SluiceConfig.Builder config) {
      this.config = Objects.requireNonNull(config, "config == null");
      return this;
    }

    public HookHarness build() {
      BlockingQueue<ExchangeRecord> records = new LinkedBlockingQueue<>();
      List<Hook> all = new ArrayList<>(hooks);
      all.add(new RecordTaker(records));
      ScriptedTransport transport = new ScriptedTransport();
      Server server = new Server();
      ServerConnector connector = new ServerConnector(server);
      connector.setHost("127.0.0.1");
      connector.setPort(0);
      server.addConnector(connector);
      ServletContextHandler context = new ServletContextHandler("/");
      FilterHolder holder = new FilterHolder(new SluiceFilter(config.build(), all, transport));
      holder.setAsyncSupported(true);
      settings.forEach(holder::setInitParameter);
      context.addFilter(holder, "/*", EnumSet.of(DispatcherType.REQUEST));
      server.setHandler(context);
      try {
        server.start();
      } catch (Exception e) {
        transport.close();
        throw new IllegalStateException("the harness could not start Sluice: " + e.getMessage(),
            e);
      }
      return new HookHarness(server, URI.create("http://127.0.0.1:" + connector.getLocalPort()
          + "/"), transport, records);
    }
  }

  /** Takes the record for {@link Result#record()}; the last hook to complete. */
  private static final class RecordTaker implements Hook {
    private final BlockingQueue<ExchangeRecord> records;

    RecordTaker(BlockingQueue<ExchangeRecord> records) {
      this.records = records;
    }

    @Override
    public String name() {
      return "zz-harness-record";
    }

    @Override
    public int priority() {
      return Integer.MAX_VALUE;
    }

    @Override
    public void onComplete(ExchangeRecord record) {
      records.add(record);
    }
  }
}
