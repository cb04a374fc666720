package dev.cascade.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a write-behind benchmark fork saw besides JMH's timing (rows the writer wrote, time inside
 * the writer, queue depth...), handed to the harness as lines in a file: {@code
 * kind<TAB>name=value...}. The harness names the file in the system property {@value #PROPERTY}; a
 * fork started some other way prints the lines instead. Forks run one after another, so appending
 * needs no lock.
 */
final class Details {

  static final String PROPERTY = "cascade.bench.details";

  private Details() {}

  /** Appends one record of {@code kind} with {@code fields} in order. */
  static void write(String kind, Map<String, ?> fields) {
    StringBuilder line = new StringBuilder(kind);
    fields.forEach((k, v) -> line.append('\t').append(k).append('=').append(v));
    String file = System.getProperty(PROPERTY);
    if (file == null || file.isBlank()) {
      System.out.println(line);
      return;
    }
    try {
      Files.writeString(
          Path.of(file),
          line + "\n",
          StandardCharsets.UTF_8,
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every record of {@code kind} in {@code file}, oldest first; none if the file is missing. */
  static List<Map<String, String>> read(Path file, String kind) throws IOException {
    List<Map<String, String>> out = new ArrayList<>();
    if (!Files.exists(file)) {
      return out;
    }
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      String[] parts = line.split("\t");
      if (!parts[0].equals(kind)) {
        continue;
      }
      Map<String, String> fields = new LinkedHashMap<>();
      for (int i = 1; i < parts.length; i++) {
        int eq = parts[i].indexOf('=');
        fields.put(parts[i].substring(0, eq), parts[i].substring(eq + 1));
      }
      out.add(fields);
    }
    return out;
  }
}
