package dev.sluice.autoregister;

import dev.sluice.SluiceFilter;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.FilterRegistration;
import jakarta.servlet.ServletContainerInitializer;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers {@link SluiceFilter} in the web app whose {@code WEB-INF/lib} holds this jar, without
 * an edit to {@code web.xml}: async-supported, mapped to {@code /v1/messages} and {@code
 * /v1/messages/*} for {@code REQUEST} dispatches, ahead of the filters the app declares. The filter
 * reads its settings as it does from {@code web.xml}: system properties {@code sluice.<setting>},
 * environment {@code SLUICE_<SETTING>}, context params {@code sluice.<setting>}.
 *
 * <p>The container calls this class one way or two: as a {@code ServletContainerInitializer}
 * ({@code META-INF/services}), which Tomcat always runs and Jetty runs with its annotations
 * module, and as a listener of the jar's {@code web-fragment.xml}, which Jetty also reads without
 * that module and Tomcat unless {@code web.xml} is {@code metadata-complete}. Whichever comes
 * first registers; the filter is registered once. It is not registered at all when
 * {@code sluice.autoregister} is {@code false} (system property, {@code SLUICE_AUTOREGISTER},
 * or context param, in that order), or when the app already declares a {@code SluiceFilter} (in
 * {@code web.xml}, a fragment, or code that ran before).
 */
public final class SluiceAutoRegistration implements ServletContainerInitializer,
    ServletContextListener {
  /** The switch: {@code true} (the default) or {@code false}. */
  public static final String SWITCH = "sluice.autoregister";
  /** The name the filter is registered under. */
  public static final String FILTER_NAME = "sluice";

  private static final Logger LOG = LoggerFactory.getLogger(SluiceAutoRegistration.class);
  private static final String DONE = SluiceAutoRegistration.class.getName();
  private static final String[] PATTERNS = {"/v1/messages", "/v1/messages/*"};

  @Override
  public void onStartup(Set<Class<?>> classes, ServletContext context) {
    register(context, "ServletContainerInitializer");
  }

  @Override
  public void contextInitialized(ServletContextEvent event) {
    register(event.getServletContext(), "web-fragment listener");
  }

  static void register(ServletContext context, String via) {
    if (context.getAttribute(DONE) != null) {
      return; // the other way in ran first
    }
    context.setAttribute(DONE, via);
    if (!enabled(context)) {
      LOG.info("Sluice auto-registration is off ({}=false) in {}", SWITCH, name(context));
      return;
    }
    for (Map.Entry<String, ? extends FilterRegistration> e
        : context.getFilterRegistrations().entrySet()) {
      if (SluiceFilter.class.getName().equals(e.getValue().getClassName())) {
        LOG.info("Sluice auto-registration: {} already declares SluiceFilter as '{}'; not "
            + "registering another", name(context), e.getKey());
        return;
      }
    }
    FilterRegistration.Dynamic filter = context.addFilter(FILTER_NAME, SluiceFilter.class);
    if (filter == null) {
      throw new IllegalStateException("Sluice auto-registration: " + name(context)
          + " already has a filter named '" + FILTER_NAME + "' ("
          + context.getFilterRegistration(FILTER_NAME).getClassName() + "); rename it, or set "
          + "the context param " + SWITCH + "=false");
    }
    filter.setAsyncSupported(true);
    filter.addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), false, PATTERNS);
    LOG.info("Sluice auto-registered in {} (by its {}) on {}{} and {}{}", name(context), via,
        context.getContextPath(), PATTERNS[0], context.getContextPath(), PATTERNS[1]);
  }

  /** {@code sluice.autoregister}, read in the filter's order; anything but true/false fails. */
  private static boolean enabled(ServletContext context) {
    String where = "system property " + SWITCH;
    String value = System.getProperty(SWITCH);
    if (value == null) {
      where = "environment variable SLUICE_AUTOREGISTER";
      value = System.getenv("SLUICE_AUTOREGISTER");
    }
    if (value == null) {
      where = "context param " + SWITCH;
      value = context.getInitParameter(SWITCH);
    }
    if (value == null || value.strip().equalsIgnoreCase("true")) {
      return true;
    }
    if (value.strip().equalsIgnoreCase("false")) {
      return false;
    }
    throw new IllegalArgumentException("Invalid Sluice setting 'autoregister' (" + where + "): '"
        + value + "'; expected true or false");
  }

  private static String name(ServletContext context) {
    String path = context.getContextPath();
    return "web app '" + (path.isEmpty() ? "/" : path) + "'";
  }
}
