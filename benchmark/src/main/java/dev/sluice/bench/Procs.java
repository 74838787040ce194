package dev.sluice.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads CPU time and memory of processes from Linux's {@code /proc}. A "tree" is a process and
 * all its descendants (nginx's master and workers); for a JVM it is the one process, whose
 * {@code utime}/{@code stime} already cover all of its threads.
 */
final class Procs {
  static final boolean AVAILABLE = Files.isReadable(Path.of("/proc/self/stat"));
  /** {@code USER_HZ}: the unit of utime and stime. 100 on every Linux we know of. */
  static final long CLK_TCK = conf("CLK_TCK", 100);
  static final long PAGE_SIZE = conf("PAGESIZE", 4096);

  private Procs() {}

  /** The process and its live descendants. */
  static List<Long> tree(long pid) {
    List<Long> pids = new ArrayList<>();
    pids.add(pid);
    ProcessHandle.of(pid).ifPresent(h -> h.descendants().forEach(d -> pids.add(d.pid())));
    return pids;
  }

  /** utime + stime of every process in the list, in seconds; dead processes count as 0. */
  static double cpuSeconds(List<Long> pids) {
    long ticks = 0;
    for (long pid : pids) {
      ticks += cpuTicks(pid);
    }
    return ticks / (double) CLK_TCK;
  }

  static double selfCpuSeconds() {
    return cpuTicks(ProcessHandle.current().pid()) / (double) CLK_TCK;
  }

  static long cpuTicks(long pid) {
    String stat = read(Path.of("/proc", Long.toString(pid), "stat"));
    if (stat == null) {
      return 0;
    }
    // Fields after the command name, which is in parentheses and may contain spaces.
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
    // f[0] is field 3 (state); utime and stime are fields 14 and 15.
    return Long.parseLong(f[11]) + Long.parseLong(f[12]);
  }

  /** Resident set size of every process in the list, in KiB (from statm: cheap to read). */
  static long rssKb(List<Long> pids) {
    long kb = 0;
    for (long pid : pids) {
      String statm = read(Path.of("/proc", Long.toString(pid), "statm"));
      if (statm != null) {
        String[] f = statm.trim().split(" ");
        kb += Long.parseLong(f[1]) * PAGE_SIZE / 1024;
      }
    }
    return kb;
  }

  /** The sum of VmHWM (each process's own peak RSS) over the list, in KiB. */
  static long hwmKb(List<Long> pids) {
    long kb = 0;
    for (long pid : pids) {
      String status = read(Path.of("/proc", Long.toString(pid), "status"));
      if (status == null) {
        continue;
      }
      for (String line : status.split("\n")) {
        if (line.startsWith("VmHWM:")) {
          kb += Long.parseLong(line.substring(6).replace("kB", "").trim());
        }
      }
    }
    return kb;
  }

  /**
   * Context switches (voluntary + involuntary) of every thread of every process in the list, by
   * thread id; a thread hand-off costs one. Diff two of these with {@link #switchesBetween}.
   */
  static Map<Long, Long> contextSwitches(List<Long> pids) {
    Map<Long, Long> byThread = new HashMap<>();
    for (long pid : pids) {
      Path tasks = Path.of("/proc", Long.toString(pid), "task");
      try (var dirs = Files.list(tasks)) {
        for (Path task : (Iterable<Path>) dirs::iterator) {
          String status = read(task.resolve("status"));
          if (status == null) {
            continue;
          }
          long n = 0;
          for (String line : status.split("\n")) {
            if (line.startsWith("voluntary_ctxt_switches:")
                || line.startsWith("nonvoluntary_ctxt_switches:")) {
              n += Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
            }
          }
          byThread.put(Long.parseLong(task.getFileName().toString()), n);
        }
      } catch (IOException | RuntimeException e) {
        // the process ended
      }
    }
    return byThread;
  }

  /** Switches made between two snapshots by the threads alive at the second one. */
  static long switchesBetween(Map<Long, Long> before, Map<Long, Long> after) {
    long n = 0;
    for (Map.Entry<Long, Long> e : after.entrySet()) {
      n += e.getValue() - before.getOrDefault(e.getKey(), 0L);
    }
    return n;
  }

  /** CPU seconds the whole machine spent busy (all CPUs; user, system, irq, softirq, steal). */
  static double machineBusySeconds() {
    String stat = read(Path.of("/proc/stat"));
    if (stat == null) {
      return 0;
    }
    String[] f = stat.substring(0, stat.indexOf('\n')).trim().split("\\s+");
    // cpu user nice system idle iowait irq softirq steal ...
    long busy = 0;
    for (int i : new int[] {1, 2, 3, 6, 7, 8}) {
      if (i < f.length) {
        busy += Long.parseLong(f[i]);
      }
    }
    return busy / (double) CLK_TCK;
  }

  /** CPU ticks (own + waited-for children) and parent of every user-space process. */
  static Map<Long, long[]> snapshotAll() {
    Map<Long, long[]> all = new HashMap<>();
    try (var dirs = Files.list(Path.of("/proc"))) {
      for (Path d : (Iterable<Path>) dirs::iterator) {
        String name = d.getFileName().toString();
        if (name.isEmpty() || !Character.isDigit(name.charAt(0))) {
          continue;
        }
        String stat = read(d.resolve("stat"));
        if (stat == null) {
          continue;
        }
        try {
          String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
          long ppid = Long.parseLong(f[1]);
          long pid = Long.parseLong(name);
          if (pid == 2 || ppid == 2) {
            continue; // kernel threads: their work (softirq, ...) is the benchmark's own too
          }
          all.put(pid, new long[] {Long.parseLong(f[11]) + Long.parseLong(f[12])
              + Long.parseLong(f[13]) + Long.parseLong(f[14]), ppid});
        } catch (RuntimeException e) {
          // a process that went away mid-read
        }
      }
    } catch (IOException e) {
      // no /proc
    }
    return all;
  }

  /** The benchmark's own processes: this JVM and everything it started. */
  static Set<Long> ours() {
    Set<Long> ours = new HashSet<>();
    ProcessHandle self = ProcessHandle.current();
    ours.add(self.pid());
    self.descendants().forEach(d -> ours.add(d.pid()));
    return ours;
  }

  /**
   * CPU seconds used between two snapshots by processes that are not the benchmark's (another
   * build on the same machine, say), and the busiest of them.
   */
  static Map.Entry<Double, String> foreign(Map<Long, long[]> before, Map<Long, long[]> after,
      Set<Long> ours) {
    long ticks = 0;
    long top = 0;
    long topPid = -1;
    for (Map.Entry<Long, long[]> e : after.entrySet()) {
      if (ours.contains(e.getKey())) {
        continue;
      }
      long[] b = before.get(e.getKey());
      long d = e.getValue()[0] - (b == null ? 0 : b[0]);
      if (d > 0) {
        ticks += d;
        if (d > top) {
          top = d;
          topPid = e.getKey();
        }
      }
    }
    String who = "";
    if (topPid > 0) {
      String comm = read(Path.of("/proc", Long.toString(topPid), "cmdline"));
      who = comm == null ? "pid " + topPid : "pid " + topPid + " " + comm.replace('\0', ' ')
          .trim();
      if (who.length() > 120) {
        who = who.substring(0, 120) + "...";
      }
    }
    return Map.entry(ticks / (double) CLK_TCK, who);
  }

  private static String read(Path p) {
    try {
      return new String(Files.readAllBytes(p), StandardCharsets.US_ASCII);
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  private static long conf(String name, long fallback) {
    try {
      Process p = new ProcessBuilder("getconf", name).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
      p.waitFor();
      return Long.parseLong(out);
    } catch (IOException | RuntimeException e) {
      return fallback;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return fallback;
    }
  }
}
