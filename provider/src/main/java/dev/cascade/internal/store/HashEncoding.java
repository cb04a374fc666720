package dev.cascade.internal.store;

import java.util.Map;

/**
 * What the server's {@code hash-max-listpack-value} ({@code hash-max-ziplist-value} on Redis 6.2)
 * costs Cascade's entries in memory.
 *
 * <p>An entry is a small hash ({@code v}, and {@code x} or {@code w} when used). Redis keeps a hash
 * as a compact listpack only while every field and value fits in {@code hash-max-listpack-value}
 * bytes (64 by default); one longer value turns it into a hashtable for good, which costs about 120
 * bytes more per entry: with 100-byte values 354 bytes instead of 234, 1.9x a plain {@code SET} of
 * the same key and value instead of 1.25x (Redis 7.0, {@code MemoryBench} in docs/benchmarks.md).
 * Raising the limit to {@value #RECOMMENDED} bytes keeps entries with values up to 1 KB compact;
 * above that a hashtable's ~140 bytes are 13% of a 1 KB value and less as values grow, while a
 * higher limit would make other applications' large hashes listpacks, whose every write copies the
 * whole listpack.
 */
public final class HashEncoding {

  /** The limit Cascade recommends: values up to 1 KB stay in a listpack. */
  public static final int RECOMMENDED = 1024;

  static final String LISTPACK = "hash-max-listpack-value";
  static final String ZIPLIST = "hash-max-ziplist-value";

  private HashEncoding() {}

  /**
   * What the limit in {@code config} (a {@code CONFIG GET hash-max-*-value} reply) costs, with the
   * {@code CONFIG SET} line that avoids it, or an empty string when the limit is at least {@value
   * #RECOMMENDED} (or the reply does not say).
   */
  public static String cost(Map<String, String> config) {
    if (config == null) {
      return "";
    }
    String name = config.containsKey(LISTPACK) ? LISTPACK : ZIPLIST;
    String value = config.get(name);
    if (value == null) {
      return "";
    }
    long limit;
    try {
      limit = Long.parseLong(value.trim());
    } catch (NumberFormatException e) {
      return "";
    }
    if (limit >= RECOMMENDED) {
      return "";
    }
    return name
        + " is "
        + limit
        + ": an entry whose value is longer than "
        + limit
        + " bytes is stored as a hashtable-encoded hash instead of a compact listpack (ziplist"
        + " on 6.2), about 120 bytes"
        + " more per entry (100-byte values: 354 bytes instead of 234, 1.9x a plain SET instead of"
        + " 1.25x). To keep entries with values up to 1 KB compact: CONFIG SET "
        + name
        + " "
        + RECOMMENDED
        + " (and '"
        + name
        + " "
        + RECOMMENDED
        + "' in redis.conf, or it is lost at restart; it applies to every hash on the server)";
  }
}
