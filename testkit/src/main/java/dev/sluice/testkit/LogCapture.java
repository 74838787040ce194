package dev.sluice.testkit;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.SimpleFormatter;
import org.slf4j.ILoggerFactory;
import org.slf4j.LoggerFactory;

/**
 * Everything the JVM logs while it is open, for tests that scan logs for what must never be there
 * (credentials). It captures at each layer a log line can take: {@code System.out} and {@code
 * System.err} (SLF4J's simple provider, which the examples bind, resolves them on every write;
 * {@code printStackTrace}), and every {@code java.util.logging} record (Tomcat's JULI, the
 * {@code slf4j-jdk14} provider a WAR uses), whichever handler would print it.
 *
 * <p>It also turns the named loggers up to debug for its lifetime, so that per-request debug lines
 * are part of what is scanned: through the JUL API, and for the simple provider (which has no
 * level API and fixes a logger's level when the logger is made) through the system property it
 * reads for loggers made later and its loggers' level field for those made already. {@link
 * #debugEnabled} tells whether that worked for a given logger; the levels are restored on close.
 */
public final class LogCapture implements AutoCloseable {
  private static final String SIMPLE_PREFIX = "org.slf4j.simpleLogger.log.";
  private static final int SIMPLE_DEBUG = 10;

  private final ByteArrayOutputStream captured = new ByteArrayOutputStream();
  private final PrintStream out = System.out;
  private final PrintStream err = System.err;
  private final Handler handler = new Handler() {
    @Override
    public void publish(LogRecord record) {
      StringBuilder line = new StringBuilder(record.getLevel() + " " + record.getLoggerName()
          + ": " + new SimpleFormatter().formatMessage(record) + "\n");
      if (record.getThrown() != null) {
        StringWriter trace = new StringWriter();
        record.getThrown().printStackTrace(new PrintWriter(trace));
        line.append(trace);
      }
      append(line.toString().getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  };
  private final List<java.util.logging.Logger> julLoggers = new ArrayList<>();
  private final List<Level> julLevels = new ArrayList<>();
  private final Map<String, String> properties = new LinkedHashMap<>();
  private final Map<Object, Integer> simpleLevels = new LinkedHashMap<>();
  private final List<String> names;

  private LogCapture(List<String> debugLoggers) {
    names = debugLoggers;
    handler.setLevel(Level.ALL);
    java.util.logging.Logger.getLogger("").addHandler(handler);
    System.setOut(tee(out));
    System.setErr(tee(err));
    for (String name : debugLoggers) {
      java.util.logging.Logger jul = java.util.logging.Logger.getLogger(name);
      julLoggers.add(jul); // JUL holds loggers weakly: a strong reference keeps the level set
      julLevels.add(jul.getLevel());
      jul.setLevel(Level.FINEST);
      properties.put(SIMPLE_PREFIX + name, System.getProperty(SIMPLE_PREFIX + name));
      System.setProperty(SIMPLE_PREFIX + name, "debug");
    }
    raiseSimpleLoggers(debugLoggers);
  }

  /** Starts capturing, with the loggers named {@code debugLoggers} (and below) at debug. */
  public static LogCapture start(String... debugLoggers) {
    return new LogCapture(List.of(debugLoggers));
  }

  /** Whether the SLF4J logger {@code name} now logs at debug (the provider honoured the raise). */
  public static boolean debugEnabled(String name) {
    return LoggerFactory.getLogger(name).isDebugEnabled();
  }

  /** Everything captured so far, as text. */
  public String text() {
    synchronized (captured) {
      return captured.toString(StandardCharsets.UTF_8);
    }
  }

  /** Everything captured so far, line by line. */
  public List<String> lines() {
    return List.of(text().split("\r?\n"));
  }

  @Override
  public void close() {
    System.setOut(out);
    System.setErr(err);
    java.util.logging.Logger.getLogger("").removeHandler(handler);
    for (int i = 0; i < julLoggers.size(); i++) {
      julLoggers.get(i).setLevel(julLevels.get(i));
    }
    properties.forEach((key, old) -> {
      if (old == null) {
        System.clearProperty(key);
      } else {
        System.setProperty(key, old);
      }
    });
    simpleLevels.forEach(LogCapture::setSimpleLevel);
    lowerLoggersMadeMeanwhile(names);
  }

  private void append(byte[] bytes) {
    synchronized (captured) {
      captured.writeBytes(bytes);
    }
  }

  /** What goes to {@code target} still goes there, and is captured too. */
  private PrintStream tee(PrintStream target) {
    return new PrintStream(new OutputStream() {
      @Override
      public void write(int b) {
        write(new byte[] {(byte) b}, 0, 1);
      }

      @Override
      public void write(byte[] b, int off, int len) {
        synchronized (captured) {
          captured.write(b, off, len);
        }
        target.write(b, off, len);
      }

      @Override
      public void flush() {
        target.flush();
      }
    }, true, StandardCharsets.UTF_8);
  }

  /** The simple provider's loggers made before this capture started: their level field. */
  private void raiseSimpleLoggers(List<String> names) {
    forEachSimpleLogger(names, (name, logger) -> {
      simpleLevels.put(logger, levelOf(logger));
      setSimpleLevel(logger, SIMPLE_DEBUG);
    });
  }

  /**
   * Loggers made during the capture took debug from the system property; they get the level a
   * logger of their name gets now that the property is back, so nothing stays at debug.
   */
  private void lowerLoggersMadeMeanwhile(List<String> names) {
    forEachSimpleLogger(names, (name, logger) -> {
      if (!simpleLevels.containsKey(logger)) {
        try {
          var made = logger.getClass().getDeclaredConstructor(String.class);
          made.setAccessible(true);
          setSimpleLevel(logger, levelOf(made.newInstance(name)));
        } catch (ReflectiveOperationException e) {
          throw new IllegalStateException(e);
        }
      }
    });
  }

  private static void forEachSimpleLogger(List<String> names,
      BiConsumer<String, Object> action) {
    ILoggerFactory factory = LoggerFactory.getILoggerFactory();
    if (!factory.getClass().getName().equals("org.slf4j.simple.SimpleLoggerFactory")) {
      return;
    }
    try {
      Field map = factory.getClass().getDeclaredField("loggerMap");
      map.setAccessible(true);
      for (Map.Entry<?, ?> e : ((Map<?, ?>) map.get(factory)).entrySet()) {
        String logger = (String) e.getKey();
        if (names.stream().anyMatch(n -> logger.equals(n) || logger.startsWith(n + "."))) {
          action.accept(logger, e.getValue());
        }
      }
    } catch (ReflectiveOperationException | RuntimeException e) {
      // debugEnabled() then says false, and a suite that needs debug lines can fail on it.
    }
  }

  private static int levelOf(Object logger) {
    try {
      return level(logger).getInt(logger);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void setSimpleLevel(Object logger, int level) {
    try {
      level(logger).setInt(logger, level);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Field level(Object logger) throws NoSuchFieldException {
    Field f = logger.getClass().getDeclaredField("currentLogLevel");
    f.setAccessible(true);
    return f;
  }
}
