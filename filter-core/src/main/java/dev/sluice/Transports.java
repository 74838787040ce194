package dev.sluice;

import dev.sluice.upstream.UpstreamTransport;
import dev.sluice.upstream.UpstreamTransportProvider;
import java.util.Iterator;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Picks the upstream transport the {@code transport} setting names: the built-in {@code jetty}
 * (the default) or {@code jdk}, or one an {@link UpstreamTransportProvider} jar provides (found
 * through the web app's loader).
 */
final class Transports {
  private static final Logger LOG = LoggerFactory.getLogger(Transports.class);
  static final String JDK = "jdk";
  static final String JETTY = "jetty";

  private static final Map<String, UpstreamTransportProvider> BUILT_IN = Map.of(
      JETTY, builtIn(JETTY, UpstreamTransport::jetty),
      JDK, builtIn(JDK, UpstreamTransport::jdk));

  private static UpstreamTransportProvider builtIn(String name,
      java.util.function.Function<UpstreamTransportProvider.Settings, UpstreamTransport> make) {
    return new UpstreamTransportProvider() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public UpstreamTransport create(Settings settings) {
        return make.apply(settings);
      }

      @Override
      public String toString() {
        return name + " (built in)";
      }
    };
  }

  private Transports() {}

  /** Throws {@link IllegalArgumentException} for a name nothing provides, listing what does. */
  static UpstreamTransport create(String name, ClassLoader loader,
      UpstreamTransportProvider.Settings settings) {
    UpstreamTransportProvider builtIn = BUILT_IN.get(name);
    if (builtIn != null) {
      return builtIn.create(settings); // the built-in transports need no discovery
    }
    Map<String, UpstreamTransportProvider> found = discover(loader);
    UpstreamTransportProvider p = found.get(name);
    if (p == null) {
      throw new IllegalArgumentException("Invalid Sluice setting 'transport': no transport named '"
          + name + "'; available: " + String.join(", ", found.keySet())
          + " (a transport jar registers a " + UpstreamTransportProvider.class.getName() + ")");
    }
    UpstreamTransport t = p.create(settings);
    if (t == null) {
      throw new IllegalArgumentException("Invalid Sluice setting 'transport': provider "
          + p.getClass().getName() + " returned no transport");
    }
    return t;
  }

  /** Every available provider by name, the built-in ones included; sorted. */
  static Map<String, UpstreamTransportProvider> discover(ClassLoader loader) {
    Map<String, UpstreamTransportProvider> found = new TreeMap<>(BUILT_IN);
    Iterator<UpstreamTransportProvider> it =
        ServiceLoader.load(UpstreamTransportProvider.class, loader).iterator();
    for (int guard = 0; guard < 10_000; guard++) {
      try {
        if (!it.hasNext()) {
          break;
        }
        UpstreamTransportProvider p = it.next();
        UpstreamTransportProvider previous = found.putIfAbsent(p.name(), p);
        if (previous != null && previous.getClass() != p.getClass()) {
          LOG.warn("Two transports are named '{}': keeping {}, ignoring {}", p.name(),
              previous.getClass().getName(), p.getClass().getName());
        }
      } catch (ServiceConfigurationError | LinkageError e) {
        LOG.warn("Skipping a transport provider that failed to load: {}", e.toString());
      }
    }
    return found;
  }
}
