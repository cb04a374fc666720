package dev.cascade.jdbc;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A validated SQL identifier (a column) or qualified name (a table, {@code schema.table}), as the
 * user spelled it in a {@link TableMapping}.
 *
 * <p>Each part is either bare ({@code name}: letters, digits and {@code _}, not starting with a
 * digit, not a reserved word) and written unquoted, so it follows the database's usual case folding
 * exactly like the user's own DDL; or quoted ({@code "Order"}: the same characters, any word,
 * case-sensitive) and written with the dialect's quote character. No part can ever hold a quote, a
 * space, a dot, a comment or a semicolon, so no mapping can inject SQL, whichever dialect renders
 * it. Immutable.
 */
final class SqlName {

  /** PostgreSQL silently truncates identifiers past 63 bytes (MySQL allows 64): stay below both. */
  static final int MAX_LENGTH = 63;

  private static final Pattern PLAIN = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  private static final int MAX_PARTS = 3;

  private final String spelling;
  private final List<String> parts;
  private final List<Boolean> quoted;

  private SqlName(String spelling, List<String> parts, List<Boolean> quoted) {
    this.spelling = spelling;
    this.parts = List.copyOf(parts);
    this.quoted = List.copyOf(quoted);
  }

  /** A column name: one part. {@code what} names it in messages ("key column", "column"). */
  static SqlName column(String what, String name) {
    return parse(what, name, 1);
  }

  /** A table name: {@code table}, {@code schema.table} or {@code catalog.schema.table}. */
  static SqlName table(String name) {
    return parse("table name", name, MAX_PARTS);
  }

  private static SqlName parse(String what, String name, int maxParts) {
    if (name == null) {
      throw new NullPointerException(what + " is null");
    }
    String[] split = name.split("\\.", -1);
    if (split.length > maxParts) {
      throw invalid(
          what,
          name,
          maxParts == 1
              ? "a column name cannot be qualified with '.'"
              : "at most " + maxParts + " parts separated by '.' (catalog.schema.table)");
    }
    List<String> parts = new ArrayList<>(split.length);
    List<Boolean> quoted = new ArrayList<>(split.length);
    for (String part : split) {
      boolean isQuoted = part.length() >= 2 && part.startsWith("\"") && part.endsWith("\"");
      String text = isQuoted ? part.substring(1, part.length() - 1) : part;
      String problem = problemWith(text, isQuoted);
      if (problem != null) {
        throw invalid(what, name, split.length == 1 ? problem : "'" + part + "': " + problem);
      }
      parts.add(text);
      quoted.add(isQuoted);
    }
    return new SqlName(name, parts, quoted);
  }

  private static String problemWith(String text, boolean isQuoted) {
    if (text.isEmpty()) {
      return "it is empty";
    }
    if (text.length() > MAX_LENGTH) {
      return "longer than " + MAX_LENGTH + " characters";
    }
    if (!PLAIN.matcher(text).matches()) {
      for (int i = 0; i < text.length(); i++) {
        char c = text.charAt(i);
        boolean ok = c == '_' || (c < 128 && Character.isLetterOrDigit(c));
        if (!ok) {
          return "character '"
              + c
              + "' at position "
              + (i + 1)
              + " is not allowed (only letters a-z, A-Z, digits and _)";
        }
      }
      return "it must not start with a digit";
    }
    if (!isQuoted && ReservedWords.contains(text)) {
      return "'"
          + text
          + "' is a reserved word in MySQL, MariaDB, H2 or PostgreSQL: rename it, or put it in"
          + " double quotes, \""
          + text
          + "\" (a quoted name is case-sensitive)";
    }
    return null;
  }

  private static IllegalArgumentException invalid(String what, String name, String problem) {
    return new IllegalArgumentException(
        what + " '" + name + "' is not a valid SQL identifier: " + problem);
  }

  /** The name as SQL text for {@code dialect}: bare parts as they are, quoted parts quoted. */
  String render(Dialect dialect) {
    StringBuilder sql = new StringBuilder();
    for (int i = 0; i < parts.size(); i++) {
      if (i > 0) {
        sql.append('.');
      }
      sql.append(quoted.get(i) ? dialect.quote(parts.get(i)) : parts.get(i));
    }
    return sql.toString();
  }

  /** The last part (the table or column itself), without quotes. */
  String name() {
    return parts.get(parts.size() - 1);
  }

  /** The part before the last (a table's schema or, on MySQL, database), or null if none. */
  String qualifier() {
    return parts.size() < 2 ? null : parts.get(parts.size() - 2);
  }

  /**
   * The lookup key of this name: the last part, lower-cased. Two columns of one mapping may not
   * share it: they would be the same column on a case-insensitive database (MySQL).
   */
  String lookupKey() {
    return normalise(parts.get(parts.size() - 1));
  }

  /** What {@link #lookupKey()} a name given by user code (bare or quoted) refers to. */
  static String normalise(String name) {
    String text =
        name.length() >= 2 && name.startsWith("\"") && name.endsWith("\"")
            ? name.substring(1, name.length() - 1)
            : name;
    return text.toLowerCase(Locale.ROOT);
  }

  @Override
  public String toString() {
    return spelling;
  }
}
