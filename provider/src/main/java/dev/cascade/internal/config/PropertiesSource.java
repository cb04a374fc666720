package dev.cascade.internal.config;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import javax.cache.CacheException;

/**
 * Properties (a {@code .properties} file or the CacheManager's {@code Properties}) as a tree: a key
 * is split at its dots ({@code cascade.caches.users.expiry.created}); a name holding dots is
 * written in brackets ({@code cascade.caches[com.acme.User].expiry.created}), as Spring Boot writes
 * map keys. Each value keeps the line it was written on: the JDK reads each logical line (so
 * escapes and continuation lines mean what they always meant), this class counts the lines.
 */
final class PropertiesSource {

  private PropertiesSource() {}

  /** A properties file's text. */
  static ConfigNode parse(String text, String source) {
    ConfigNode root = ConfigNode.section("", source, 0);
    String[] lines = text.split("\r\n|\r|\n", -1);
    int n = 0;
    while (n < lines.length) {
      int first = n;
      String trimmed = lines[n].stripLeading();
      if (trimmed.isEmpty() || trimmed.startsWith("#") || trimmed.startsWith("!")) {
        n++;
        continue;
      }
      StringBuilder logical = new StringBuilder(lines[n]);
      while (endsInContinuation(lines[n]) && n + 1 < lines.length) {
        n++;
        logical.append('\n').append(lines[n]);
      }
      n++;
      Properties one = new Properties();
      try {
        one.load(new StringReader(logical.toString()));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (IllegalArgumentException e) {
        // a malformed \\uXXXX escape
        throw new CacheException(source + " line " + (first + 1) + ": " + e.getMessage(), e);
      }
      for (String key : one.stringPropertyNames()) {
        put(root, key, one.getProperty(key), source, first + 1);
      }
    }
    return root;
  }

  /**
   * The CacheManager's {@code Properties}: only keys under {@code cascade.} are Cascade's
   * (frameworks pass their own beside them); values that are not strings are skipped the same way.
   */
  static ConfigNode of(Properties properties, String source) {
    ConfigNode root = ConfigNode.section("", source, 0);
    if (properties == null) {
      return root;
    }
    // sorted, so an error about two keys names the same one every time
    Map<String, String> cascade = new TreeMap<>();
    for (String key : properties.stringPropertyNames()) {
      if (key.startsWith("cascade.")) {
        cascade.put(key, properties.getProperty(key));
      }
    }
    cascade.forEach((k, v) -> put(root, k, v, source, 0));
    return root;
  }

  private static boolean endsInContinuation(String line) {
    int backslashes = 0;
    for (int i = line.length() - 1; i >= 0 && line.charAt(i) == '\\'; i--) {
      backslashes++;
    }
    return backslashes % 2 == 1;
  }

  private static void put(ConfigNode root, String key, String value, String source, int line) {
    List<String> parts = split(key, source, line);
    ConfigNode section = root;
    for (int i = 0; i < parts.size() - 1; i++) {
      section = section.childSection(parts.get(i), source, line);
    }
    String last = parts.get(parts.size() - 1);
    ConfigNode existing = section.children().get(last);
    ConfigNode leaf =
        ConfigNode.value(ConfigNode.childKey(section.key(), last), source, line, value);
    if (existing != null && existing.isSection()) {
      throw leaf.fail(
          "is given a value, but also has settings under it (" + existing.place() + ")");
    }
    section.add(last, leaf);
  }

  /** {@code a.b[c.d].e} → {@code a}, {@code b}, {@code c.d}, {@code e}. */
  static List<String> split(String key, String source, int line) {
    List<String> parts = new ArrayList<>();
    StringBuilder part = new StringBuilder();
    int i = 0;
    while (i < key.length()) {
      char c = key.charAt(i);
      if (c == '[') {
        int close = key.indexOf(']', i);
        if (close < 0) {
          throw ConfigNode.value(key, source, line, null).fail("'[' without its ']'");
        }
        if (part.length() > 0) {
          parts.add(part.toString());
          part.setLength(0);
        }
        parts.add(key.substring(i + 1, close));
        i = close + 1;
        if (i < key.length() && key.charAt(i) == '.') {
          i++;
        }
        continue;
      }
      if (c == '.') {
        if (part.length() == 0) {
          throw ConfigNode.value(key, source, line, null).fail("empty part in the key");
        }
        parts.add(part.toString());
        part.setLength(0);
      } else {
        part.append(c);
      }
      i++;
    }
    if (part.length() > 0) {
      parts.add(part.toString());
    }
    if (parts.isEmpty()) {
      throw ConfigNode.value(key, source, line, null).fail("empty key");
    }
    return parts;
  }
}
