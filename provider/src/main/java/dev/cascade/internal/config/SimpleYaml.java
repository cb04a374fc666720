package dev.cascade.internal.config;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Properties;
import javax.cache.CacheException;

/**
 * Reads the small YAML subset Cascade's configuration needs: nested maps of scalars, with comments,
 * flattened to dotted property keys ({@code cascade: {redis: {uri: x}}} becomes {@code
 * cascade.redis.uri=x}). Lists, anchors and multi-line scalars are not supported and are reported
 * with their line number, so no dependency is needed for it.
 */
final class SimpleYaml {

  private SimpleYaml() {}

  static Properties flatten(String text, String source) {
    Properties out = new Properties();
    Deque<int[]> indents = new ArrayDeque<>();
    Deque<String> path = new ArrayDeque<>();
    String[] lines = text.split("\r?\n");
    for (int n = 0; n < lines.length; n++) {
      String raw = stripComment(lines[n]);
      if (raw.isBlank() || raw.trim().equals("---")) {
        continue;
      }
      int indent = 0;
      while (indent < raw.length() && raw.charAt(indent) == ' ') {
        indent++;
      }
      String line = raw.trim();
      if (line.startsWith("- ") || line.equals("-")) {
        throw new CacheException(
            source + " line " + (n + 1) + ": lists are not supported; use a ';' separated value");
      }
      int colon = line.indexOf(':');
      if (colon <= 0) {
        throw new CacheException(
            source + " line " + (n + 1) + ": expected 'key: value', found '" + line + "'");
      }
      while (!indents.isEmpty() && indents.peek()[0] >= indent) {
        indents.pop();
        path.removeLast();
      }
      String key = unquote(line.substring(0, colon).trim());
      String value = line.substring(colon + 1).trim();
      if (value.isEmpty()) {
        indents.push(new int[] {indent});
        path.addLast(key);
      } else {
        StringBuilder full = new StringBuilder();
        for (String p : path) {
          full.append(p).append('.');
        }
        out.setProperty(full.append(key).toString(), unquote(value));
      }
    }
    return out;
  }

  private static String stripComment(String line) {
    boolean single = false;
    boolean dbl = false;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (c == '\'' && !dbl) {
        single = !single;
      } else if (c == '"' && !single) {
        dbl = !dbl;
      } else if (c == '#'
          && !single
          && !dbl
          && (i == 0 || Character.isWhitespace(line.charAt(i - 1)))) {
        return line.substring(0, i);
      }
    }
    return line;
  }

  private static String unquote(String s) {
    if (s.length() >= 2
        && ((s.startsWith("\"") && s.endsWith("\"")) || (s.startsWith("'") && s.endsWith("'")))) {
      return s.substring(1, s.length() - 1);
    }
    return s;
  }
}
