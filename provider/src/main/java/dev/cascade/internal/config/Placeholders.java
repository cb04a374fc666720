package dev.cascade.internal.config;

import java.util.function.UnaryOperator;
import javax.cache.CacheException;

/**
 * {@code ${NAME:default}} in a configuration file's values: the environment variable {@code NAME},
 * else the system property {@code NAME}, else the default (text after the first {@code :}, may be
 * empty); {@code ${NAME}} without a default must be set. {@code $${} writes a literal {@code ${}.
 * Secrets (a database password, a Redis URI with its password) can so stay out of the file.
 */
final class Placeholders {

  private final UnaryOperator<String> environment;

  Placeholders(UnaryOperator<String> environment) {
    this.environment = environment;
  }

  static Placeholders fromSystem() {
    return new Placeholders(System::getenv);
  }

  /**
   * @throws CacheException naming the file, line, key and variable when a variable without a
   *     default is not set, or a placeholder is not closed
   */
  String resolve(ConfigNode node, String text) {
    if (!text.contains("${")) {
      return text;
    }
    StringBuilder out = new StringBuilder();
    int i = 0;
    while (i < text.length()) {
      int start = text.indexOf("${", i);
      if (start < 0) {
        out.append(text, i, text.length());
        break;
      }
      if (start > 0 && text.charAt(start - 1) == '$') {
        // "$${" is a literal "${"
        out.append(text, i, start - 1).append("${");
        i = start + 2;
        continue;
      }
      int end = text.indexOf('}', start);
      if (end < 0) {
        throw node.fail("placeholder '" + text.substring(start) + "' is not closed with '}'");
      }
      out.append(text, i, start);
      String inner = text.substring(start + 2, end);
      int colon = inner.indexOf(':');
      String name = (colon < 0 ? inner : inner.substring(0, colon)).trim();
      if (name.isEmpty()) {
        throw node.fail("placeholder '${" + inner + "}' names no variable");
      }
      String v = environment.apply(name);
      if (v == null) {
        v = System.getProperty(name);
      }
      if (v == null) {
        if (colon < 0) {
          throw node.fail(
              "variable '"
                  + name
                  + "' is not set (no environment variable or system property of that name);"
                  + " set it, or give a default: ${"
                  + name
                  + ":default}");
        }
        v = inner.substring(colon + 1);
      }
      out.append(v);
      i = end + 1;
    }
    return out.toString();
  }
}
