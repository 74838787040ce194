package dev.sluice;

import dev.sluice.cost.Pricing;
import dev.sluice.failover.Failover;
import dev.sluice.hook.Hook;
import dev.sluice.hook.HookSettings;
import dev.sluice.upstream.UpstreamTransport;
import dev.sluice.upstream.UpstreamTransportProvider;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.IntSupplier;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Relays {@code POST /v1/messages} and every path under it (relative to the context path) to the
 * upstream Anthropic API, streaming the response back byte for byte; every other request passes
 * down the chain untouched. Register it with {@code <async-supported>true</async-supported>}.
 *
 * <p>Settings (see {@link SluiceConfig} for defaults) are read from, in order: system property
 * {@code sluice.<setting>}, environment variable {@code SLUICE_<SETTING>}, this filter's
 * init-param {@code <setting>}, the context init-param {@code sluice.<setting>}. An invalid value
 * fails {@link #init} with a message naming the setting.
 */
public final class SluiceFilter implements Filter {
  /**
   * Prefix of the servlet context attribute each Sluice filter publishes from {@link #init} to
   * {@link #destroy}: {@code dev.sluice.openExchanges/<filter-name>}, an {@link IntSupplier} of
   * {@link #openExchanges()}. It lets a diagnostics page or a leak check in the same web app read
   * the count without holding the filter instance (containers do not hand it out).
   */
  public static final String OPEN_EXCHANGES_ATTRIBUTE = "dev.sluice.openExchanges/";

  private static final Logger LOG = LoggerFactory.getLogger(SluiceFilter.class);
  private static final String PREFIX = "/v1/messages";
  private static final Duration STOP_WAIT = Duration.ofSeconds(10);

  private final SluiceConfig given;
  private final List<Hook> givenHooks;
  private final UpstreamTransport givenTransport;
  /** Set by {@link #create} only: hooks that join the discovered ones, and the settings source. */
  private List<Hook> extraHooks = List.of();
  private HookSettings givenSettings;
  private Relay relay;
  private volatile URI messagesTarget; // of relay's upstream; null until the first request
  private ServletContext context;
  private String attribute;

  /** For {@code web.xml}: settings come from the filter's configuration, hooks from plugins. */
  public SluiceFilter() {
    this.given = null;
    this.givenHooks = null;
    this.givenTransport = null;
  }

  /** For programmatic registration ({@code ServletContext.addFilter(name, filter)}). */
  public SluiceFilter(SluiceConfig config) {
    this.given = Objects.requireNonNull(config, "config == null");
    this.givenHooks = null;
    this.givenTransport = null;
  }

  /**
   * For frameworks and tests: exactly these hooks are enabled (no discovery, no allow-list);
   * they are still configured with the filter's settings.
   */
  public SluiceFilter(SluiceConfig config, List<Hook> hooks) {
    this.given = Objects.requireNonNull(config, "config == null");
    this.givenHooks = List.copyOf(Objects.requireNonNull(hooks, "hooks == null"));
    this.givenTransport = null;
  }

  /**
   * For embedders and tests: hooks are discovered and enabled by {@link SluiceConfig#hooks()} as
   * for {@code web.xml}, and upstream requests go through {@code transport} instead of the one the
   * {@code transport} setting names. The filter closes the transport in {@link #destroy()}.
   */
  public SluiceFilter(SluiceConfig config, UpstreamTransport transport) {
    this.given = Objects.requireNonNull(config, "config == null");
    this.givenHooks = null;
    this.givenTransport = Objects.requireNonNull(transport, "transport == null");
  }

  /**
   * For embedders and tests: exactly these hooks, and this transport (closed by
   * {@link #destroy()}).
   */
  public SluiceFilter(SluiceConfig config, List<Hook> hooks, UpstreamTransport transport) {
    this.given = Objects.requireNonNull(config, "config == null");
    this.givenHooks = List.copyOf(Objects.requireNonNull(hooks, "hooks == null"));
    this.givenTransport = Objects.requireNonNull(transport, "transport == null");
  }

  /**
   * For frameworks that resolve settings themselves and hold hook instances (the Spring Boot
   * starter). {@code hooks} join those {@link java.util.ServiceLoader} finds, and the {@code hooks}
   * setting of {@code config} enables them by name under the same rules as for {@code web.xml}
   * (none when it is empty, {@code *} for all, an unknown name fails start); an instance wins
   * over a discovered hook of the same name. Hooks and the transport read their own settings
   * ({@code model-aliases}...) from {@code settings} alone, not from system properties,
   * environment or init-params, so the framework's precedence is the only one.
   *
   * @throws IllegalArgumentException when {@code hooks} names a hook that neither {@code hooks}
   *     nor ServiceLoader (through the thread's context class loader) provides: a framework
   *     fails while it builds its context, not later in the container's start, where the cause
   *     may only be logged
   */
  public static SluiceFilter create(SluiceConfig config, List<Hook> hooks,
      HookSettings settings) {
    SluiceFilter filter = new SluiceFilter(config);
    filter.extraHooks = List.copyOf(Objects.requireNonNull(hooks, "hooks == null"));
    HookRegistry.load(Thread.currentThread().getContextClassLoader(), config.hooks(),
        filter.extraHooks);
    filter.givenSettings = Objects.requireNonNull(settings, "settings == null");
    return filter;
  }

  @Override
  public void init(FilterConfig filterConfig) throws ServletException {
    Settings settings = givenSettings != null
        ? new Settings(List.of(Settings.named(s -> "setting " + s, givenSettings::get)))
        : settings(filterConfig);
    SluiceConfig config;
    HookRegistry hooks;
    Pricing pricing;
    UpstreamTransport transport;
    Disconnects disconnects;
    try {
      config = given != null ? given : read(filterConfig, settings);
      ClassLoader loader = filterConfig.getServletContext().getClassLoader();
      hooks = givenHooks != null ? HookRegistry.of(givenHooks)
          : HookRegistry.load(loader, config.hooks(), extraHooks);
      if (config.legacyPipeline()) {
        hooks = hooks.legacy();
      }
      SluiceConfig effective = config;
      pricing = pricing(config);
      // Hooks see the effective upstream, also when the config was given in code.
      hooks.configure(name -> name.equals("upstream") ? effective.upstream().toString()
          : settings.get(name), pricing); // one table for the records and the hooks
      transport = givenTransport != null ? givenTransport
          : Transports.create(config.transport(), loader, transportSettings(config, settings));
      disconnects = Disconnects.load(loader, filterConfig.getServletContext(),
          settings.get(Disconnects.SETTING));
    } catch (IllegalArgumentException e) {
      throw new ServletException(e.getMessage(), e);
    }
    ScheduledExecutorService timer = newTimer();
    boolean failover = Failover.acts(config.upstreams(), config.apiKeys(), config.retry());
    if (failover) { // otherwise no decorator at all: the relay's path is unchanged
      transport = Failover.decorate(transport, config.upstream(), config.upstreams(),
          config.apiKeys(), config.retry(), timer);
    }
    relay = new Relay(config, transport, timer, hooks, pricing,
        hooks.needsPipeline() ? Threads.completions() : null, disconnects);
    messagesTarget = null;
    context = filterConfig.getServletContext();
    attribute = OPEN_EXCHANGES_ATTRIBUTE + filterConfig.getFilterName();
    context.setAttribute(attribute, (IntSupplier) this::openExchanges);
    LOG.info("Sluice relaying POST {}{}/** to {} ({}); transport: {}; hooks: {};"
        + " client disconnects seen: {}", context.getContextPath(), PREFIX,
        failover ? config.upstreams().stream()
            .map(dev.sluice.failover.UpstreamEntry::host)
            .collect(java.util.stream.Collectors.joining(", ")) + " with failover"
            : config.upstream(), config,
        givenTransport != null ? transport.getClass().getName() + " (given)" : config.transport(),
        hooks, disconnects);
  }

  private static UpstreamTransportProvider.Settings transportSettings(SluiceConfig config,
      Settings settings) {
    return new UpstreamTransportProvider.Settings() {
      @Override
      public Duration connectTimeout() {
        return config.connectTimeout();
      }

      @Override
      public String get(String name) {
        return settings.get(name);
      }
    };
  }

  private static Pricing pricing(SluiceConfig config) {
    try {
      return Pricing.load(config.pricingFile());
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("Invalid Sluice setting 'pricing-file': cannot use "
          + config.pricingFile() + ": " + e.getMessage(), e);
    }
  }

  private static Settings settings(FilterConfig fc) {
    return new Settings(List.of(
        Settings.systemProperties(),
        Settings.environment(System.getenv()),
        Settings.named(s -> "filter init-param " + s, fc::getInitParameter),
        Settings.named(s -> "context init-param sluice." + s,
            s -> fc.getServletContext().getInitParameter("sluice." + s))));
  }

  static SluiceConfig read(FilterConfig fc, Settings settings) {
    for (String name : Collections.list(fc.getInitParameterNames())) {
      if (!Settings.NAMES.contains(name)) {
        LOG.info("Sluice init-param '{}' is not a core setting; hooks may read it", name);
      }
    }
    return settings.read();
  }

  /**
   * Exchanges this filter started and has not completed yet (0 before {@link #init}). Once every
   * client request has ended, whatever way it ended, this is back to 0; an exchange that never
   * completes its async cycle stays counted. One atomic increment and one decrement per exchange.
   */
  public int openExchanges() {
    Relay r = relay;
    return r == null ? 0 : r.open().get();
  }

  /**
   * Each upstream entry's cool-downs as of now, in the order of {@link SluiceConfig#upstreams()}:
   * a read-only snapshot for health pages (empty before {@link #init}). Without failover nothing
   * cools down.
   */
  public List<dev.sluice.failover.UpstreamStatus> upstreamStatus() {
    Relay r = relay;
    return r == null ? List.of() : Failover.status(r.transport(), r.config().upstreams(),
        r.config().apiKeys());
  }

  /** The effective configuration; valid after {@link #init}. */
  public SluiceConfig config() {
    return relay.config();
  }

  @Override
  public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
      throws IOException, ServletException {
    if (!(req instanceof HttpServletRequest) || !(res instanceof HttpServletResponse)) {
      chain.doFilter(req, res);
      return;
    }
    HttpServletRequest request = (HttpServletRequest) req;
    HttpServletResponse response = (HttpServletResponse) res;
    String path = request.getRequestURI().substring(request.getContextPath().length());
    if (!isOurs(path) && !isOurs(decodedPath(request))) {
      chain.doFilter(req, res);
      return;
    }
    if (!request.getMethod().equals("POST")) {
      reject(response, 405, "Method " + request.getMethod() + " is not allowed on " + path
          + "; use POST");
      return;
    }
    String query = request.getQueryString();
    URI target = query == null && path.equals(PREFIX) ? messagesTarget()
        : target(relay.config().upstream(), path, query);
    if (target == null) {
      reject(response, 400, "Invalid request path");
      return;
    }
    new Exchange(relay, request, response, target, path).start();
  }

  /**
   * Whether Sluice answers for {@code path}: {@code /v1/messages} and what is under it, also in a
   * form a container might read that way ({@code /v1/messages;x}, {@code /v1/messages%2F..}). Such
   * a request is relayed only with a clean path (see {@link #target}) and otherwise refused with
   * 400: it never reaches the app's own servlets.
   */
  private static boolean isOurs(String path) {
    return path.startsWith(PREFIX) && (path.length() == PREFIX.length()
        || "/;%\\".indexOf(path.charAt(PREFIX.length())) >= 0);
  }

  /**
   * The path as the container decoded and normalised it, so that a request the container maps
   * under {@code /v1/messages} ({@code /x/../v1/messages}) is never handed to the app either.
   */
  private static String decodedPath(HttpServletRequest request) {
    String servletPath = request.getServletPath() == null ? "" : request.getServletPath();
    String info = request.getPathInfo();
    if (info == null || info.isEmpty()) {
      return servletPath; // the usual case ("/" or "*.ext" mappings): nothing to concatenate
    }
    return servletPath.isEmpty() ? info : servletPath + info;
  }

  /**
   * {@code /v1/messages}, then segments of unreserved characters ({@code A-Z a-z 0-9 - . _ ~}) not
   * starting with a dot: no percent-encoding, no dot-segments, no empty segments, no {@code ;}
   * parameters, no backslashes. Every Anthropic path under {@code /v1/messages} has this shape.
   */
  private static final Pattern CLEAN_PATH =
      Pattern.compile("/v1/messages(/[A-Za-z0-9_~-][A-Za-z0-9._~-]*)*");

  /**
   * Upstream base + the raw path, or null when the path is not clean. A clean path reads the same
   * raw, decoded and normalised, so what was checked is exactly what upstream will resolve:
   * nothing can decode to {@code ..} there, or anywhere after. The host is the configured one,
   * whatever the request line, {@code Host} or {@code X-Forwarded-*} say.
   */
  /** {@code target(upstream, "/v1/messages", null)}, the usual request's, made once. */
  private URI messagesTarget() {
    URI t = messagesTarget;
    if (t == null) {
      t = target(relay.config().upstream(), PREFIX, null);
      messagesTarget = t; // racy but idempotent: every thread computes the same URI
    }
    return t;
  }

  static URI target(URI upstream, String rawPath, String query) {
    if (!CLEAN_PATH.matcher(rawPath).matches()) {
      return null;
    }
    try {
      URI target = URI.create(upstream + rawPath + (query == null ? "" : "?" + query));
      return target.getRawFragment() == null ? target : null;
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static void reject(HttpServletResponse response, int status, String message)
      throws IOException {
    response.getOutputStream().write(Errors.prepare(response, status, message));
  }

  @Override
  public void destroy() {
    if (context != null) {
      context.removeAttribute(attribute);
    }
    if (relay != null) {
      relay.timer().shutdownNow();
      relay.transport().close();
      if (relay.completions() != null) {
        relay.completions().shutdown(); // queued records still reach their hooks
      }
      // A container that checks for leaks on undeploy (Tomcat) looks right after destroy(): the
      // filter's threads must be gone by then, not merely told to stop.
      Threads.await(relay.timer(), STOP_WAIT);
      if (relay.completions() != null) {
        Threads.await(relay.completions(), STOP_WAIT);
      }
    }
  }

  private static ScheduledExecutorService newTimer() {
    return Threads.timer();
  }
}
