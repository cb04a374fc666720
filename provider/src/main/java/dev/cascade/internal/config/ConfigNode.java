package dev.cascade.internal.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import javax.cache.CacheException;

/**
 * One setting or section of a configuration, with where it was written (file and line), so every
 * error can say which file, which line and which key. A YAML file, a properties file and the
 * CacheManager's {@code Properties} all become a tree of these before anything is read from them.
 *
 * <p>A node is a section (named children), a value (text), or a list of values (YAML sequences, for
 * {@code codec.allow}). Typed reads ({@link #integer}, {@link #duration}, …) fail with a {@link
 * CacheException} whose message starts with the place: {@code cascade.yaml line 12:
 * cascade.caches.users.expiry.created: …}.
 */
final class ConfigNode {

  private final String key;
  private final String source;
  private final int line;
  private final String value;
  private final List<ConfigNode> items;
  private final Map<String, ConfigNode> children;

  private ConfigNode(
      String key,
      String source,
      int line,
      String value,
      List<ConfigNode> items,
      Map<String, ConfigNode> children) {
    this.key = key;
    this.source = source;
    this.line = line;
    this.value = value;
    this.items = items;
    this.children = children;
  }

  /**
   * A section with no children yet; {@code line} 0 when unknown (the CacheManager's properties).
   */
  static ConfigNode section(String key, String source, int line) {
    return new ConfigNode(key, source, line, null, null, new LinkedHashMap<>());
  }

  static ConfigNode value(String key, String source, int line, String value) {
    return new ConfigNode(key, source, line, value, null, null);
  }

  static ConfigNode list(String key, String source, int line, List<ConfigNode> items) {
    return new ConfigNode(key, source, line, null, List.copyOf(items), null);
  }

  /**
   * The full key of a child: {@code parent.name}, or {@code parent[na.me]} for a name with dots.
   */
  static String childKey(String parent, String name) {
    String part = name.contains(".") ? "[" + name + "]" : name;
    return parent.isEmpty() ? part : name.contains(".") ? parent + part : parent + "." + part;
  }

  String key() {
    return key;
  }

  /** The last part of the key: a cache's or data source's name for their sections. */
  String name() {
    int bracket = key.lastIndexOf('[');
    if (bracket >= 0 && key.endsWith("]")) {
      return key.substring(bracket + 1, key.length() - 1);
    }
    return key.substring(key.lastIndexOf('.') + 1);
  }

  String source() {
    return source;
  }

  int line() {
    return line;
  }

  /** Where the node was written: {@code cascade.yaml line 12}, or the source alone. */
  String place() {
    return line > 0 ? source + " line " + line : source;
  }

  boolean isSection() {
    return children != null;
  }

  boolean isList() {
    return items != null;
  }

  /** The error for this node: {@code <file> line <n>: <key>: <problem>}. */
  CacheException fail(String problem) {
    return new CacheException(place() + ": " + key + ": " + problem);
  }

  CacheException fail(String problem, Throwable cause) {
    return new CacheException(place() + ": " + key + ": " + problem, cause);
  }

  // ------------------------------------------------------------------ building

  /**
   * Adds a child. A name given twice in one source is an error (a YAML key written twice, a
   * property repeated): the later one would otherwise hide the earlier without a word.
   */
  void add(String name, ConfigNode child) {
    ConfigNode before = children.putIfAbsent(name, child);
    if (before != null) {
      throw child.fail("given twice (first at " + before.place() + ")");
    }
  }

  ConfigNode childSection(String name, String source, int line) {
    ConfigNode child = children.get(name);
    if (child == null) {
      child = section(childKey(key, name), source, line);
      children.put(name, child);
    } else if (!child.isSection()) {
      throw section(childKey(key, name), source, line)
          .fail("has settings under it, but is also given a value at " + child.place());
    }
    return child;
  }

  /**
   * This tree with {@code over} laid on it: {@code over}'s values replace these, sections merge key
   * by key, except the keys in {@code whole}, which {@code over} replaces as a unit (an expiry is
   * one choice, not a mix of two).
   */
  ConfigNode overlay(ConfigNode over, Set<String> whole) {
    if (!isSection() || !over.isSection()) {
      return over;
    }
    ConfigNode merged = section(over.key, over.source, over.line);
    merged.children.putAll(children);
    for (Map.Entry<String, ConfigNode> e : over.children.entrySet()) {
      ConfigNode mine = children.get(e.getKey());
      merged.children.put(
          e.getKey(),
          mine == null || whole.contains(e.getKey())
              ? e.getValue()
              : mine.overlay(e.getValue(), whole));
    }
    return merged;
  }

  /** A tree whose values went through {@code change}: placeholders resolved. */
  ConfigNode mapValues(ValueChange change) {
    if (isSection()) {
      ConfigNode copy = section(key, source, line);
      for (Map.Entry<String, ConfigNode> e : children.entrySet()) {
        copy.children.put(e.getKey(), e.getValue().mapValues(change));
      }
      return copy;
    }
    if (isList()) {
      List<ConfigNode> changed = new ArrayList<>();
      for (ConfigNode item : items) {
        changed.add(item.mapValues(change));
      }
      return list(key, source, line, changed);
    }
    return value(key, source, line, value == null ? null : change.apply(this, value));
  }

  interface ValueChange {
    String apply(ConfigNode node, String value);
  }

  // ------------------------------------------------------------------ reading

  /** The children of a section; a value or list here is an error naming what was expected. */
  Map<String, ConfigNode> children() {
    if (isSection()) {
      return Collections.unmodifiableMap(children);
    }
    if (!isList() && (value == null || value.isEmpty())) {
      // "caches:" with nothing under it: an empty section
      return Map.of();
    }
    throw fail("expected a section of settings, found " + shown());
  }

  ConfigNode child(String name) {
    return children().get(name);
  }

  /**
   * Checks that every key here is one of {@code known}.
   *
   * @throws CacheException for the first other key, with the nearest known key as a suggestion
   */
  ConfigNode requireKnown(Collection<String> known) {
    return requireKnown(known, "");
  }

  ConfigNode requireKnown(Collection<String> known, String hint) {
    for (ConfigNode c : children().values()) {
      String name = c.name();
      if (!known.contains(name)) {
        throw c.fail("unknown key '" + name + "'" + Suggestions.didYouMean(name, known) + hint);
      }
    }
    return this;
  }

  /** The text of a value; a section or list here is an error. */
  String text() {
    if (isSection()) {
      throw fail(
          "expected a value, found a section (" + String.join(", ", children.keySet()) + ")");
    }
    if (isList()) {
      throw fail("expected one value, found a list");
    }
    return value == null ? "" : value.trim();
  }

  /** The texts of a list, or of a value split at {@code ;} and {@code ,}. */
  List<String> texts() {
    List<String> out = new ArrayList<>();
    if (isList()) {
      for (ConfigNode item : items) {
        out.addAll(item.texts());
      }
      return out;
    }
    for (String part : text().split("[;,]")) {
      if (!part.isBlank()) {
        out.add(part.trim());
      }
    }
    return out;
  }

  String string(String name) {
    ConfigNode c = child(name);
    return c == null ? null : c.text();
  }

  String requiredString(String name) {
    String s = string(name);
    if (s == null || s.isEmpty()) {
      throw fail("'" + name + "' is required here");
    }
    return s;
  }

  Boolean bool(String name) {
    ConfigNode c = child(name);
    if (c == null) {
      return null;
    }
    String t = c.text().toLowerCase(Locale.ROOT);
    if (t.equals("true") || t.equals("false")) {
      return Boolean.valueOf(t);
    }
    throw c.fail("expected true or false, found " + c.shown());
  }

  /** An integer from {@code min} to {@code max}. */
  Integer integer(String name, long min, long max) {
    ConfigNode c = child(name);
    if (c == null) {
      return null;
    }
    String t = c.text().replace("_", "");
    try {
      long n = Long.parseLong(t);
      if (n >= min && n <= max) {
        return (int) n;
      }
    } catch (NumberFormatException e) {
      throw c.fail("expected a whole number, found " + c.shown());
    }
    throw c.fail(
        "expected a number from "
            + min
            + (max >= Integer.MAX_VALUE ? " on" : " to " + max)
            + ", found "
            + c.shown());
  }

  /** A positive count; {@code k}, {@code m} and {@code g} multiply by 1024, 1024², 1024³. */
  Long size(String name) {
    ConfigNode c = child(name);
    if (c == null) {
      return null;
    }
    String text = c.text().toLowerCase(Locale.ROOT);
    int shift = text.endsWith("k") ? 10 : text.endsWith("m") ? 20 : text.endsWith("g") ? 30 : 0;
    try {
      long n = Long.parseLong(shift == 0 ? text : text.substring(0, text.length() - 1).trim());
      if (n >= 1 && n <= Long.MAX_VALUE >> shift) {
        return n << shift;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw c.fail(
        "expected a positive number (k, m, g multiply by 1024, 1024^2, 1024^3), found "
            + c.shown());
  }

  /** A duration ({@code 250ms}, {@code 10s}, {@code 5m}, {@code 1h}, ISO-8601, or ms). */
  Duration duration(String name) {
    ConfigNode c = child(name);
    return c == null ? null : c.durationValue();
  }

  Duration durationValue() {
    try {
      return Durations.parse(text(), key);
    } catch (IllegalArgumentException e) {
      throw fail(
          "expected a duration (250ms, 10s, 5m, 1h, 2d, PT10S or a number of milliseconds), found "
              + shown());
    }
  }

  /** A positive duration. */
  Duration positiveDuration(String name) {
    Duration d = duration(name);
    if (d != null && (d.isZero() || d.isNegative())) {
      throw child(name).fail("expected a positive duration, found " + child(name).shown());
    }
    return d;
  }

  /** One of {@code choices}, compared ignoring case. */
  String choice(String name, List<String> choices) {
    ConfigNode c = child(name);
    if (c == null) {
      return null;
    }
    String t = c.text().toLowerCase(Locale.ROOT);
    if (!choices.contains(t)) {
      throw c.fail(
          "expected one of "
              + String.join(", ", choices)
              + ", found "
              + c.shown()
              + Suggestions.didYouMean(t, choices));
    }
    return t;
  }

  /** The value as shown in a message: quoted, and never a password (the caller decides that). */
  String shown() {
    if (isSection()) {
      return "a section";
    }
    if (isList()) {
      return "a list";
    }
    return "'" + (value == null ? "" : value.trim()) + "'";
  }

  @Override
  public String toString() {
    return key + " (" + place() + ")";
  }
}
