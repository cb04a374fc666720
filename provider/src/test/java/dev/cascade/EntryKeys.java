package dev.cascade;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cascade.testing.RedisServer;
import java.util.ArrayList;
import java.util.List;

/** The Redis keys of a cache's entries, and bytes another program plants in their place. */
final class EntryKeys {

  private EntryKeys() {}

  /** The entry keys of cache {@code cacheName} whose name ends in {@code suffix}. */
  static List<String> endingIn(RedisServer redis, String cacheName, String suffix) {
    List<String> found = new ArrayList<>();
    for (Object key : (List<?>) redis.command("KEYS", "cascade:" + cacheName + ":*" + suffix)) {
      found.add(key.toString());
    }
    return found;
  }

  /**
   * Replaces the one entry whose key ends in {@code suffix} (a hash) by a string, as another
   * program writing under Cascade's prefix might: Redis then answers a change of the entry
   * WRONGTYPE.
   */
  static void replaceByAString(RedisServer redis, String cacheName, String suffix) {
    List<String> entry = endingIn(redis, cacheName, suffix);
    assertEquals(1, entry.size(), entry.toString());
    redis.command("DEL", entry.get(0));
    redis.command("SET", entry.get(0), "a string");
  }
}
