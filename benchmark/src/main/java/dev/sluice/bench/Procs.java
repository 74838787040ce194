package dev.sluice.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

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
