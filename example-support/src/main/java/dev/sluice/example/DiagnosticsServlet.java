package dev.sluice.example;

import dev.sluice.SluiceFilter;
import jakarta.servlet.ServletContext;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.IntSupplier;

/**
 * {@code GET /_diagnostics}: what a leak check needs to see inside the app's JVM, as one JSON
 * object: the live threads (total, and by name with the trailing number dropped, so that pools
 * show as one entry each), heap in use, and the exchanges every Sluice filter of this web app
 * has open ({@link SluiceFilter#OPEN_EXCHANGES_ATTRIBUTE}), and the bytes the JVM's threads have
 * allocated so far ({@code allocatedBytes}, for the benchmark's bytes per request). With {@code ?gc=true} it runs
 * {@code System.gc()} first, so that the heap figure is what is still reachable.
 *
 * <p>Mounted only with the example's {@code --diagnostics} flag: anyone who can reach it can make
 * the JVM collect its heap at will, and thread names describe the server.
 */
public final class DiagnosticsServlet extends HttpServlet {
  public static final String PATH = "/_diagnostics";
  private static final long serialVersionUID = 1L;

  @Override
  protected void doGet(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    boolean gc = "true".equals(request.getParameter("gc"));
    if (gc) {
      System.gc();
    }
    long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    Map<String, Integer> groups = threadGroups();
    int threads = groups.values().stream().mapToInt(Integer::intValue).sum();
    int filters = 0;
    int open = 0;
    ServletContext context = getServletContext();
    for (String name : Collections.list(context.getAttributeNames())) {
      Object count = context.getAttribute(name);
      if (name.startsWith(SluiceFilter.OPEN_EXCHANGES_ATTRIBUTE) && count instanceof IntSupplier) {
        filters++;
        open += ((IntSupplier) count).getAsInt();
      }
    }
    StringBuilder json = new StringBuilder(256);
    json.append("{\"threads\":").append(threads)
        .append(",\"heapUsedBytes\":").append(heap)
        .append(",\"allocatedBytes\":").append(allocatedBytes())
        .append(",\"gc\":").append(gc)
        .append(",\"sluiceFilters\":").append(filters)
        .append(",\"openExchanges\":").append(open)
        .append(",\"threadGroups\":{");
    String sep = "";
    for (Map.Entry<String, Integer> e : groups.entrySet()) {
      json.append(sep).append('"').append(escape(e.getKey())).append("\":").append(e.getValue());
      sep = ",";
    }
    json.append("}}\n");
    response.setContentType("application/json");
    response.setHeader("cache-control", "no-store");
    response.getOutputStream().write(json.toString().getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Bytes allocated on the heap so far by the JVM's threads: {@code getTotalThreadAllocatedBytes}
   * where the JVM has it (JDK 21+: dead threads included), else the sum over live threads (JDK
   * 17: a thread that ended took its count with it, so short-lived threads are missed). -1 when
   * the JVM measures neither.
   */
  static long allocatedBytes() {
    var mx = ManagementFactory.getThreadMXBean();
    if (!(mx instanceof com.sun.management.ThreadMXBean)) {
      return -1;
    }
    var sun = (com.sun.management.ThreadMXBean) mx;
    try {
      Object total = com.sun.management.ThreadMXBean.class
          .getMethod("getTotalThreadAllocatedBytes").invoke(sun);
      if (total instanceof Long && (Long) total >= 0) {
        return (Long) total;
      }
    } catch (ReflectiveOperationException | RuntimeException jdk17) {
      // fall through to the live threads' sum
    }
    long sum = 0;
    for (long n : sun.getThreadAllocatedBytes(mx.getAllThreadIds())) {
      if (n > 0) {
        sum += n;
      }
    }
    return sum;
  }

  /** Live threads by name less its trailing number: {@code qtp123-7} counts as {@code qtp123}. */
  static Map<String, Integer> threadGroups() {
    var mx = ManagementFactory.getThreadMXBean();
    Map<String, Integer> groups = new TreeMap<>();
    for (ThreadInfo info : mx.getThreadInfo(mx.getAllThreadIds(), 0)) {
      if (info != null) { // ended since getAllThreadIds()
        groups.merge(group(info.getThreadName()), 1, Integer::sum);
      }
    }
    return groups;
  }

  static String group(String threadName) {
    return threadName.replaceFirst("[-_#@ ]?\\d+$", "");
  }

  private static String escape(String s) {
    StringBuilder sb = new StringBuilder(s.length());
    for (char c : s.toCharArray()) {
      if (c == '"' || c == '\\') {
        sb.append('\\').append(c);
      } else if (c < 0x20) {
        sb.append(String.format("\\u%04x", (int) c));
      } else {
        sb.append(c);
      }
    }
    return sb.toString();
  }
}
