package dev.sluice;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The effective settings of one {@link SluiceFilter}. Immutable; build it with {@link #builder()}.
 *
 * <p>In a web app the filter reads these from its configuration (see {@link SluiceFilter}); the
 * builder is for frameworks and tests that register the filter programmatically.
 */
public final class SluiceConfig {
  /** Anthropic's public API. */
  public static final URI DEFAULT_UPSTREAM = URI.create("https://api.anthropic.com");

  private final URI upstream;
  private final Duration connectTimeout;
  private final Duration headersTimeout;
  private final Duration requestHookTimeout;
  private final Duration idleTimeout;
  private final long maxRequestBytes;
  private final String apiKey;
  private final List<String> hooks;
  private final int maxFollowUps;
  private final String pricingFile;
  private final boolean legacyPipeline;
  private final Duration keepaliveInterval;
  private final String transport;

  private SluiceConfig(Builder b) {
    this.upstream = b.upstream;
    this.connectTimeout = b.connectTimeout;
    this.headersTimeout = b.headersTimeout;
    this.requestHookTimeout = b.requestHookTimeout;
    this.idleTimeout = b.idleTimeout;
    this.maxRequestBytes = b.maxRequestBytes;
    this.apiKey = b.apiKey;
    this.hooks = List.copyOf(b.hooks);
    this.maxFollowUps = b.maxFollowUps;
    this.pricingFile = b.pricingFile;
    this.legacyPipeline = b.legacyPipeline;
    this.keepaliveInterval = b.keepaliveInterval;
    this.transport = b.transport;
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    return new Builder(this);
  }

  /** Base URL requests are relayed to; the request's path from {@code /v1/messages} on is appended. */
  public URI upstream() {
    return upstream;
  }

  public Duration connectTimeout() {
    return connectTimeout;
  }

  /** Longest wait for the upstream status line and headers. */
  public Duration headersTimeout() {
    return headersTimeout;
  }

  /**
   * Longest wait for request hooks that finish later ({@code Hook.onRequestAsync}), all of them
   * together, before the request goes upstream: past it the request fails closed with a 504
   * {@code timeout_error} (or goes on without the late hook's change when it is fail-open).
   */
  public Duration requestHookTimeout() {
    return requestHookTimeout;
  }

  /** Longest upstream silence while the filter is waiting for bytes. There is no total timeout. */
  public Duration idleTimeout() {
    return idleTimeout;
  }

  public long maxRequestBytes() {
    return maxRequestBytes;
  }

  /** The server's own upstream key, replacing inbound credentials; empty when clients bring theirs. */
  public String apiKey() {
    return apiKey;
  }

  /** Names of the hooks to enable; empty enables none. */
  public List<String> hooks() {
    return hooks;
  }

  /** Most follow-up requests agentic hooks may add to one exchange. */
  public int maxFollowUps() {
    return maxFollowUps;
  }

  /** A JSON pricing table overlaying the shipped one; empty for the shipped one only. */
  public String pricingFile() {
    return pricingFile;
  }

  /**
   * How long an event stream may stay silent (upstream quiet, nothing written) before Sluice
   * writes a {@code ping} event between events; zero turns it off.
   */
  public Duration keepaliveInterval() {
    return keepaliveInterval;
  }

  /**
   * The upstream transport by name: {@code jdk} (the default, the JDK's {@code HttpClient}, no
   * dependency) or one a transport jar provides, such as {@code jetty} ({@code
   * sluice-transport-jetty}, Jetty's {@code HttpClient}). A name no jar provides fails start,
   * listing the available ones. Ignored when the filter was given a transport instance.
   *
   * @see dev.sluice.upstream.UpstreamTransportProvider
   */
  public String transport() {
    return transport;
  }

  /**
   * Benchmark only: turns every fast path off (every request parsed and re-serialized, every
   * event parsed and dispatched to every hook, per-delta assembly). Same bytes, just slower.
   */
  public boolean legacyPipeline() {
    return legacyPipeline;
  }

  /** Never includes the API key, only whether one is set. */
  @Override
  public String toString() {
    return "upstream=" + upstream
        + ", connect-timeout=" + Settings.format(connectTimeout)
        + ", headers-timeout=" + Settings.format(headersTimeout)
        + ", request-hook-timeout=" + Settings.format(requestHookTimeout)
        + ", idle-timeout=" + Settings.format(idleTimeout)
        + ", max-request-bytes=" + maxRequestBytes
        + ", api-key=" + (apiKey.isEmpty() ? "(client's own)" : "(set, redacted)")
        + ", hooks=" + (hooks.isEmpty() ? "(none)" : String.join(",", hooks))
        + ", keepalive-interval=" + (keepaliveInterval.isZero() ? "off"
            : Settings.format(keepaliveInterval))
        + ", max-follow-ups=" + maxFollowUps
        + ", transport=" + transport
        + (pricingFile.isEmpty() ? "" : ", pricing-file=" + pricingFile)
        + (legacyPipeline ? ", legacy-pipeline=true" : "");
  }

  /** Builds a {@link SluiceConfig}; every setting starts at its documented default. */
  public static final class Builder {
    private URI upstream = DEFAULT_UPSTREAM;
    private Duration connectTimeout = Duration.ofSeconds(10);
    private Duration headersTimeout = Duration.ofMinutes(10);
    private Duration requestHookTimeout = Duration.ofSeconds(10);
    private Duration idleTimeout = Duration.ofMinutes(5);
    private long maxRequestBytes = 32L * 1024 * 1024;
    private String apiKey = "";
    private List<String> hooks = List.of();
    private int maxFollowUps = 3;
    private String pricingFile = "";
    private boolean legacyPipeline;
    private Duration keepaliveInterval = Duration.ofSeconds(15);
    private String transport = "jdk";

    Builder() {}

    Builder(SluiceConfig c) {
      upstream = c.upstream;
      connectTimeout = c.connectTimeout;
      headersTimeout = c.headersTimeout;
      requestHookTimeout = c.requestHookTimeout;
      idleTimeout = c.idleTimeout;
      maxRequestBytes = c.maxRequestBytes;
      apiKey = c.apiKey;
      hooks = c.hooks;
      maxFollowUps = c.maxFollowUps;
      pricingFile = c.pricingFile;
      legacyPipeline = c.legacyPipeline;
      keepaliveInterval = c.keepaliveInterval;
      transport = c.transport;
    }

    /** An absolute http or https URL; a trailing slash is ignored. */
    public Builder upstream(URI upstream) {
      Objects.requireNonNull(upstream, "upstream == null");
      String scheme = upstream.getScheme();
      if (!"http".equalsIgnoreCase(scheme) && !"https".equalsIgnoreCase(scheme)
          || upstream.getHost() == null) {
        throw new IllegalArgumentException("must be an absolute http or https URL: " + upstream);
      }
      if (upstream.getQuery() != null || upstream.getFragment() != null) {
        throw new IllegalArgumentException("must not have a query or fragment: " + upstream);
      }
      String s = upstream.toString();
      this.upstream = s.endsWith("/") ? URI.create(s.substring(0, s.length() - 1)) : upstream;
      return this;
    }

    public Builder connectTimeout(Duration d) {
      this.connectTimeout = positive(d);
      return this;
    }

    public Builder headersTimeout(Duration d) {
      this.headersTimeout = positive(d);
      return this;
    }

    public Builder requestHookTimeout(Duration d) {
      this.requestHookTimeout = positive(d);
      return this;
    }

    public Builder idleTimeout(Duration d) {
      this.idleTimeout = positive(d);
      return this;
    }

    public Builder maxRequestBytes(long max) {
      if (max < 1 || max > Integer.MAX_VALUE - 8) {
        throw new IllegalArgumentException("must be between 1 and " + (Integer.MAX_VALUE - 8));
      }
      this.maxRequestBytes = max;
      return this;
    }

    /** Empty for none: clients' own {@code x-api-key} or {@code authorization} pass through. */
    public Builder apiKey(String apiKey) {
      String key = Objects.requireNonNull(apiKey, "apiKey == null").trim();
      if (key.chars().anyMatch(c -> c == '\r' || c == '\n' || c == 0)) {
        throw new IllegalArgumentException("must not contain CR, LF or NUL"); // never the value
      }
      this.apiKey = key;
      return this;
    }

    public Builder hooks(List<String> hooks) {
      this.hooks = List.copyOf(Objects.requireNonNull(hooks, "hooks == null"));
      return this;
    }

    public Builder maxFollowUps(int max) {
      if (max < 0 || max > 100) {
        throw new IllegalArgumentException("must be between 0 and 100");
      }
      this.maxFollowUps = max;
      return this;
    }

    public Builder pricingFile(String path) {
      this.pricingFile = Objects.requireNonNull(path, "path == null").trim();
      return this;
    }

    /** Zero turns keep-alive pings off. */
    public Builder keepaliveInterval(Duration d) {
      Objects.requireNonNull(d, "duration == null");
      if (d.isNegative()) {
        throw new IllegalArgumentException("must not be negative: " + d);
      }
      this.keepaliveInterval = d;
      return this;
    }

    /** A transport name; see {@link SluiceConfig#transport()}. */
    public Builder transport(String name) {
      Objects.requireNonNull(name, "name == null");
      String n = name.trim();
      if (n.isEmpty() || !n.chars().allMatch(c -> c > ' ' && c != ',')) {
        throw new IllegalArgumentException("must be one transport name, like jdk or jetty");
      }
      this.transport = n;
      return this;
    }

    /** Benchmark only; see {@link SluiceConfig#legacyPipeline()}. */
    public Builder legacyPipeline(boolean legacy) {
      this.legacyPipeline = legacy;
      return this;
    }

    public SluiceConfig build() {
      return new SluiceConfig(this);
    }

    private static Duration positive(Duration d) {
      Objects.requireNonNull(d, "duration == null");
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException("must be positive: " + d);
      }
      return d;
    }
  }
}
