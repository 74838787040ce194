package dev.sluice.spring.boot;

import dev.sluice.SluiceConfig;
import dev.sluice.failover.RetryPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.BiConsumer;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.Errors;
import org.springframework.validation.Validator;

/**
 * Sluice's settings as Spring Boot properties under {@code sluice.*}, bound in Boot's own order
 * (command line, system properties, environment such as {@code SLUICE_UPSTREAM}, then {@code
 * application.yml}). A value of the wrong type, or one {@link SluiceConfig.Builder} refuses,
 * fails start with Boot's binding error naming the property, its value and where it came from
 * (the API key's value is never shown).
 *
 * <p>Settings a hook or transport reads itself ({@code sluice.model-aliases}, {@code
 * sluice.blocked-words}, {@code sluice.jdk-executor}...) are read from Boot's environment under
 * the same prefix; the common ones are declared here too, so that IDEs complete them.
 */
@ConfigurationProperties("sluice")
public class SluiceProperties implements Validator {
  private static final SluiceConfig DEFAULTS = SluiceConfig.builder().build();

  /** Whether the Sluice filter is registered at all. */
  private boolean enabled = true;

  /**
   * Where requests are relayed to: one base URL (the request's path from /v1/messages on and the
   * query are appended), or a list of entries 'URL[;priority=N][;weight=N][;api-key=env:NAME|
   * file:PATH]' (comma separated, or a YAML list), tried in priority order with failover.
   */
  private List<String> upstream = new ArrayList<>(List.of(DEFAULTS.upstream().toString()));

  /** Connecting to upstream. */
  private Duration connectTimeout = DEFAULTS.connectTimeout();

  /** Longest wait for request hooks that finish later, all together (then 504 timeout_error). */
  private Duration requestHookTimeout = DEFAULTS.requestHookTimeout();

  /** Longest wait for upstream's status and headers (then 504 timeout_error). */
  private Duration headersTimeout = DEFAULTS.headersTimeout();

  /** Longest upstream silence while Sluice waits for bytes. There is no total timeout. */
  private Duration idleTimeout = DEFAULTS.idleTimeout();

  /**
   * How long an event stream may stay silent before Sluice writes a ping event between events;
   * 0 turns the pings off.
   */
  private Duration keepaliveInterval = DEFAULTS.keepaliveInterval();

  /** Larger request bodies get 413 request_too_large. */
  private DataSize maxRequestBytes = DataSize.ofBytes(DEFAULTS.maxRequestBytes());

  /**
   * The server's own upstream key, replacing the clients' x-api-key and authorization: one key,
   * several separated by commas (used in turn among those not cooling down), 'file:PATH' or
   * 'env:NAME' (keys one a line). Empty lets clients' own credentials pass through. Never logged
   * or shown in errors.
   */
  private String apiKey = DEFAULTS.apiKey();

  /**
   * Hooks to enable, by name ('*' for every one): Hook beans of the application context and
   * hooks found with ServiceLoader. None when empty.
   */
  private List<String> hooks = new ArrayList<>(DEFAULTS.hooks());

  /** Most agentic follow-up requests per exchange. */
  private int maxFollowUps = DEFAULTS.maxFollowUps();

  /** A JSON pricing table overlaying the shipped one. */
  private String pricingFile = DEFAULTS.pricingFile();

  /** The upstream HTTP client: 'jdk', or the name of a transport jar on the class path ('jetty'). */
  private String transport = DEFAULTS.transport();

  /** For the model-alias hook: alias=model,alias2=model2. Read by the hook. */
  private String modelAliases = "";

  /**
   * Most attempts per exchange, the first included; 0 for automatic: 1 with one upstream and one
   * key, 3 with several entries or keys.
   */
  private int maxAttempts = DEFAULTS.retry().maxAttempts();

  /** No attempt starts later than this after the first one started. */
  private Duration retryBudget = DEFAULTS.retry().budget();

  /** Statuses worth another try (x-should-retry from upstream overrides them). */
  private List<Integer> retryStatuses =
      new ArrayList<>(DEFAULTS.retry().statuses().stream().sorted().toList());

  /** The first retry's delay on the same entry and key; doubles each time, with jitter. */
  private Duration retryBackoff = DEFAULTS.retry().backoff();

  /** The longest retry delay, and the longest cool-down without retry-after. */
  private Duration retryBackoffMax = DEFAULTS.retry().backoffMax();

  /** The longest cool-down of an entry or key, whatever retry-after asks for. */
  private Duration cooldownMax = DEFAULTS.retry().cooldownMax();

  /**
   * How long a 200 stream is held before its first content event, so that an overload inside it
   * can still be retried; 0 turns the gate off.
   */
  private Duration retryGate = DEFAULTS.retry().gate();

  /** The most bytes held before a 200 stream's first content event. */
  private DataSize retryGateBytes = DataSize.ofBytes(DEFAULTS.retry().gateBytes());

  /** The health indicator's upstream check. */
  private final Health health = new Health();

  public boolean isEnabled() {
    return enabled;
  }

  public void setEnabled(boolean enabled) {
    this.enabled = enabled;
  }

  public List<String> getUpstream() {
    return upstream;
  }

  public void setUpstream(List<String> upstream) {
    this.upstream = new ArrayList<>(
        upstream.stream().map(String::trim).filter(s -> !s.isEmpty()).toList());
  }

  public Duration getRequestHookTimeout() {
    return requestHookTimeout;
  }

  public void setRequestHookTimeout(Duration requestHookTimeout) {
    this.requestHookTimeout = requestHookTimeout;
  }

  public Duration getConnectTimeout() {
    return connectTimeout;
  }

  public void setConnectTimeout(Duration connectTimeout) {
    this.connectTimeout = connectTimeout;
  }

  public Duration getHeadersTimeout() {
    return headersTimeout;
  }

  public void setHeadersTimeout(Duration headersTimeout) {
    this.headersTimeout = headersTimeout;
  }

  public Duration getIdleTimeout() {
    return idleTimeout;
  }

  public void setIdleTimeout(Duration idleTimeout) {
    this.idleTimeout = idleTimeout;
  }

  public Duration getKeepaliveInterval() {
    return keepaliveInterval;
  }

  public void setKeepaliveInterval(Duration keepaliveInterval) {
    this.keepaliveInterval = keepaliveInterval;
  }

  public DataSize getMaxRequestBytes() {
    return maxRequestBytes;
  }

  public void setMaxRequestBytes(DataSize maxRequestBytes) {
    this.maxRequestBytes = maxRequestBytes;
  }

  public String getApiKey() {
    return apiKey;
  }

  public void setApiKey(String apiKey) {
    this.apiKey = apiKey == null ? "" : apiKey;
  }

  public List<String> getHooks() {
    return hooks;
  }

  public void setHooks(List<String> hooks) {
    this.hooks = new ArrayList<>(
        hooks.stream().map(String::trim).filter(s -> !s.isEmpty()).toList());
  }

  public int getMaxFollowUps() {
    return maxFollowUps;
  }

  public void setMaxFollowUps(int maxFollowUps) {
    this.maxFollowUps = maxFollowUps;
  }

  public String getPricingFile() {
    return pricingFile;
  }

  public void setPricingFile(String pricingFile) {
    this.pricingFile = pricingFile;
  }

  public String getTransport() {
    return transport;
  }

  public void setTransport(String transport) {
    this.transport = transport;
  }

  public String getModelAliases() {
    return modelAliases;
  }

  public void setModelAliases(String modelAliases) {
    this.modelAliases = modelAliases;
  }

  public int getMaxAttempts() {
    return maxAttempts;
  }

  public void setMaxAttempts(int maxAttempts) {
    this.maxAttempts = maxAttempts;
  }

  public Duration getRetryBudget() {
    return retryBudget;
  }

  public void setRetryBudget(Duration retryBudget) {
    this.retryBudget = retryBudget;
  }

  public List<Integer> getRetryStatuses() {
    return retryStatuses;
  }

  public void setRetryStatuses(List<Integer> retryStatuses) {
    this.retryStatuses = retryStatuses;
  }

  public Duration getRetryBackoff() {
    return retryBackoff;
  }

  public void setRetryBackoff(Duration retryBackoff) {
    this.retryBackoff = retryBackoff;
  }

  public Duration getRetryBackoffMax() {
    return retryBackoffMax;
  }

  public void setRetryBackoffMax(Duration retryBackoffMax) {
    this.retryBackoffMax = retryBackoffMax;
  }

  public Duration getCooldownMax() {
    return cooldownMax;
  }

  public void setCooldownMax(Duration cooldownMax) {
    this.cooldownMax = cooldownMax;
  }

  public Duration getRetryGate() {
    return retryGate;
  }

  public void setRetryGate(Duration retryGate) {
    this.retryGate = retryGate;
  }

  public DataSize getRetryGateBytes() {
    return retryGateBytes;
  }

  public void setRetryGateBytes(DataSize retryGateBytes) {
    this.retryGateBytes = retryGateBytes;
  }

  public Health getHealth() {
    return health;
  }

  /** The filter's configuration; valid once Boot has bound and {@link #validate validated} it. */
  public SluiceConfig toConfig() {
    return build((field, e) -> {
      throw e;
    });
  }

  @Override
  public boolean supports(Class<?> type) {
    return type == SluiceProperties.class;
  }

  /**
   * Checks every value with {@link SluiceConfig.Builder}, so that Boot fails start listing each
   * bad property with its value, origin and reason. The API key's error, and an upstream
   * entry's that names where its keys are, are reported without the property's value.
   */
  @Override
  public void validate(Object target, Errors errors) {
    SluiceProperties p = (SluiceProperties) target;
    p.build((field, e) -> {
      if (field.equals("apiKey") || field.equals("upstream")
          && p.upstream.stream().anyMatch(u -> u.contains("api-key="))) {
        String name = field.equals("apiKey") ? "sluice.api-key" : "sluice.upstream";
        errors.reject(name, "Invalid Sluice setting '" + name + "' (value not shown): "
            + e.getMessage());
      } else {
        errors.rejectValue(field, "sluice.invalid", e.getMessage());
      }
    });
  }

  private SluiceConfig build(BiConsumer<String, RuntimeException> invalid) {
    check("health.timeout", () -> require(!health.timeout.isNegative()
        && !health.timeout.isZero(), "must be positive: " + health.timeout), invalid);
    check("health.cacheTtl", () -> require(!health.cacheTtl.isNegative(),
        "must not be negative: " + health.cacheTtl), invalid);

    SluiceConfig.Builder b = SluiceConfig.builder();
    if (!upstream.isEmpty()) { // blank is unset, as in Sluice's own reading
      check("upstream", () -> b.upstreams(String.join(",", upstream)), invalid);
    }
    check("connectTimeout", () -> b.connectTimeout(connectTimeout), invalid);
    check("requestHookTimeout", () -> b.requestHookTimeout(requestHookTimeout), invalid);
    check("headersTimeout", () -> b.headersTimeout(headersTimeout), invalid);
    check("idleTimeout", () -> b.idleTimeout(idleTimeout), invalid);
    check("keepaliveInterval", () -> b.keepaliveInterval(keepaliveInterval), invalid);
    check("maxRequestBytes", () -> b.maxRequestBytes(maxRequestBytes.toBytes()), invalid);
    check("apiKey", () -> b.apiKeys(apiKey), invalid);
    check("hooks", () -> b.hooks(hooks), invalid);
    check("maxFollowUps", () -> b.maxFollowUps(maxFollowUps), invalid);
    check("pricingFile", () -> b.pricingFile(pricingFile), invalid);
    check("transport", () -> b.transport(transport), invalid);
    RetryPolicy[] r = {RetryPolicy.DEFAULT};
    check("maxAttempts", () -> r[0] = r[0].withMaxAttempts(maxAttempts), invalid);
    check("retryBudget", () -> r[0] = r[0].withBudget(retryBudget), invalid);
    check("retryStatuses", () -> {
      require(retryStatuses.stream().allMatch(c -> c != null && c >= 100 && c <= 599),
          "must be HTTP statuses (100 to 599): " + retryStatuses);
      r[0] = r[0].withStatuses(Set.copyOf(retryStatuses));
    }, invalid);
    check("retryBackoff", () -> r[0] = r[0].withBackoff(retryBackoff, r[0].backoffMax()),
        invalid);
    check("retryBackoffMax", () -> r[0] = r[0].withBackoff(r[0].backoff(), retryBackoffMax),
        invalid);
    check("cooldownMax", () -> r[0] = r[0].withCooldownMax(cooldownMax), invalid);
    check("retryGate", () -> r[0] = r[0].withGate(retryGate, r[0].gateBytes()), invalid);
    check("retryGateBytes", () -> r[0] = r[0].withGate(r[0].gate(), retryGateBytes.toBytes()),
        invalid);
    b.retry(r[0]);
    return b.build();
  }

  private static void require(boolean valid, String reason) {
    if (!valid) {
      throw new IllegalArgumentException(reason);
    }
  }

  private static void check(String field, Runnable set,
      BiConsumer<String, RuntimeException> invalid) {
    try {
      set.run();
    } catch (IllegalArgumentException | NullPointerException e) {
      invalid.accept(field, e);
    }
  }

  /** {@code sluice.health.*}: the actuator health indicator's upstream check. */
  public static class Health {
    /** Longest wait for the TCP connection to upstream. */
    private Duration timeout = Duration.ofSeconds(1);

    /** How long one check's answer is reused, so a busy health endpoint costs one connect. */
    private Duration cacheTtl = Duration.ofSeconds(10);

    public Duration getTimeout() {
      return timeout;
    }

    public void setTimeout(Duration timeout) {
      this.timeout = timeout;
    }

    public Duration getCacheTtl() {
      return cacheTtl;
    }

    public void setCacheTtl(Duration cacheTtl) {
      this.cacheTtl = cacheTtl;
    }
  }
}
