package dev.sluice;

import dev.sluice.client.DisconnectDetector;
import dev.sluice.client.DisconnectDetector.Watch;
import jakarta.servlet.ServletContext;
import jakarta.servlet.http.HttpServletRequest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link DisconnectDetector} of one filter, or none; picked once, at init. Every call into the
 * detector is isolated: one that throws leaves its request unwatched, as without a detector.
 */
final class Disconnects {
  private static final Logger LOG = LoggerFactory.getLogger(Disconnects.class);
  static final String SETTING = "client-disconnect";
  static final Disconnects NONE = new Disconnects(null, "at the next write");

  private final DisconnectDetector detector; // null: no detector
  private final String description;

  private Disconnects(DisconnectDetector detector, String description) {
    this.detector = detector;
    this.description = description;
  }

  /**
   * {@code mode} is the {@code client-disconnect} setting: {@code auto} (or unset) uses the first
   * detector, by name, that supports this container; {@code off} uses none.
   */
  static Disconnects load(ClassLoader loader, ServletContext context, String mode) {
    String m = mode == null || mode.isBlank() ? "auto" : mode.trim().toLowerCase(Locale.ROOT);
    if (m.equals("off")) {
      return new Disconnects(null, "at the next write (client-disconnect=off)");
    }
    if (!m.equals("auto")) {
      throw new IllegalArgumentException("Invalid Sluice setting '" + SETTING + "': '" + mode
          + "'; use auto or off");
    }
    List<DisconnectDetector> found = discover(loader);
    List<String> skipped = new ArrayList<>();
    for (DisconnectDetector d : found) {
      try {
        if (d.supports(context)) {
          return new Disconnects(d, d.name() + " (" + d.getClass().getName() + ")");
        }
        skipped.add(d.name());
      } catch (RuntimeException | LinkageError e) {
        LOG.warn("Disconnect detector {} failed its check and is not used: {}",
            d.getClass().getName(), e.toString());
      }
    }
    return new Disconnects(null, skipped.isEmpty() ? NONE.description
        : NONE.description + " (" + String.join(", ", skipped) + " not for "
            + context.getServerInfo() + ")");
  }

  private static List<DisconnectDetector> discover(ClassLoader loader) {
    List<DisconnectDetector> found = new ArrayList<>();
    Iterator<DisconnectDetector> it = ServiceLoader.load(DisconnectDetector.class, loader)
        .iterator();
    for (int guard = 0; guard < 10_000; guard++) {
      try {
        if (!it.hasNext()) {
          break;
        }
        found.add(it.next());
      } catch (ServiceConfigurationError | LinkageError e) {
        LOG.warn("Skipping a disconnect detector that failed to load: {}", e.toString());
      }
    }
    found.sort(Comparator.comparing(DisconnectDetector::name));
    return found;
  }

  /** Watches {@code request} when the detector can; never throws. */
  Watch arm(HttpServletRequest request, Runnable onGone) {
    if (detector == null) {
      return Watch.NONE;
    }
    try {
      if (!detector.supports(request)) {
        return Watch.NONE;
      }
      Watch w = detector.arm(request, onGone);
      return w == null ? Watch.NONE : new Isolated(w);
    } catch (RuntimeException | LinkageError e) {
      LOG.warn("Disconnect detector {} failed to watch {} {}: {}", detector.name(),
          request.getMethod(), request.getRequestURI(), e.toString());
      return Watch.NONE;
    }
  }

  /** For the start-up line: how a client that leaves is noticed. */
  @Override
  public String toString() {
    return description;
  }

  private final class Isolated implements Watch {
    private final Watch watch;

    Isolated(Watch watch) {
      this.watch = watch;
    }

    @Override
    public void disarm() {
      try {
        watch.disarm();
      } catch (RuntimeException | LinkageError e) {
        LOG.warn("Disconnect detector {} failed to disarm: {}", detector.name(), e.toString());
      }
    }
  }
}
