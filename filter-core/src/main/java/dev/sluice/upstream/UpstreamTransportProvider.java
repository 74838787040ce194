package dev.sluice.upstream;

import java.time.Duration;

/**
 * Makes an {@link UpstreamTransport} that the {@code transport} setting can name. Providers are
 * found with {@link java.util.ServiceLoader} through the web app's class loader (register the
 * class in {@code META-INF/services/dev.sluice.upstream.UpstreamTransportProvider}), so a
 * transport jar works from {@code WEB-INF/lib} as well as from the container's shared
 * {@code lib/} next to {@code filter-core}. The built-in {@code jetty} (the
 * default) and {@code jdk} transports need no provider.
 *
 * <p>A provider is instantiated, and {@link #create} called, once per filter, on the thread that
 * runs {@code Filter.init} (a container thread); {@code create} may block briefly (starting a
 * client) but must not do network I/O. The filter closes the transport in
 * {@code Filter.destroy}. A provider that fails to load is logged and skipped.
 */
public interface UpstreamTransportProvider {

  /** The name the {@code transport} setting selects this provider by, such as {@code jetty}. */
  String name();

  /**
   * A new transport for one filter. Throw {@link IllegalArgumentException} for an invalid
   * setting; the filter then fails {@code init} with that message.
   */
  UpstreamTransport create(Settings settings);

  /** What a transport may read from the filter's configuration. */
  interface Settings {
    /** The {@code connect-timeout} setting: longest wait for a connection to upstream. */
    Duration connectTimeout();

    /**
     * Any setting by name, for a transport's own (such as {@code jdk-executor}), looked up like
     * every Sluice setting: system property {@code sluice.<name>}, environment variable
     * {@code SLUICE_<NAME>}, filter init-param {@code <name>}, context init-param
     * {@code sluice.<name>}. Returns "" when unset.
     */
    String get(String name);
  }
}
