package dev.sluice.spring.boot;

import dev.sluice.SluiceConfig;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
   * Base URL requests are relayed to; the request's path from /v1/messages on and the query are
   * appended.
   */
  private URI upstream = DEFAULTS.upstream();

  /** Connecting to upstream. */
  private Duration connectTimeout = DEFAULTS.connectTimeout();

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
   * The server's own upstream key, replacing the clients' x-api-key and authorization; empty
   * lets clients' own credentials pass through. Never logged.
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

  /** The health indicator's upstream check. */
  private final Health health = new Health();

  public boolean isEnabled() {
    return enabled;
  }

  public void setEnabled(boolean enabled) {
    this.enabled = enabled;
  }

  public URI getUpstream() {
    return upstream;
  }

  public void setUpstream(URI upstream) {
    this.upstream = upstream;
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
   * bad property with its value, origin and reason. The API key's error is reported without
   * the property's value.
   */
  @Override
  public void validate(Object target, Errors errors) {
    ((SluiceProperties) target).build((field, e) -> {
      if (field.equals("apiKey")) {
        errors.reject("sluice.api-key", "Invalid Sluice setting 'sluice.api-key' (value not shown): "
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
    check("upstream", () -> b.upstream(upstream), invalid);
    check("connectTimeout", () -> b.connectTimeout(connectTimeout), invalid);
    check("headersTimeout", () -> b.headersTimeout(headersTimeout), invalid);
    check("idleTimeout", () -> b.idleTimeout(idleTimeout), invalid);
    check("keepaliveInterval", () -> b.keepaliveInterval(keepaliveInterval), invalid);
    check("maxRequestBytes", () -> b.maxRequestBytes(maxRequestBytes.toBytes()), invalid);
    check("apiKey", () -> b.apiKey(apiKey), invalid);
    check("hooks", () -> b.hooks(hooks), invalid);
    check("maxFollowUps", () -> b.maxFollowUps(maxFollowUps), invalid);
    check("pricingFile", () -> b.pricingFile(pricingFile), invalid);
    check("transport", () -> b.transport(transport), invalid);
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
