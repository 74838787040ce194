package dev.sluice.testkit.dist;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The {@code [lib]} and {@code [xml]} sections of a Jetty module file ({@code *.mod}). */
record ModuleFile(List<String> lib, List<String> xml) {
  static ModuleFile read(Path mod) {
    List<String> lib = new ArrayList<>();
    List<String> xml = new ArrayList<>();
    List<String> section = null;
    try {
      for (String raw : Files.readAllLines(mod)) {
        String line = raw.strip();
        if (line.isEmpty() || line.startsWith("#")) continue;
        if (line.startsWith("[") && line.endsWith("]")) {
          String name = line.substring(1, line.length() - 1).strip().toLowerCase();
          section = name.equals("lib") ? lib : name.equals("xml") ? xml : null;
        } else if (section != null) {
          section.add(line);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new ModuleFile(List.copyOf(lib), List.copyOf(xml));
  }
}
