package dev.cascade;

import dev.cascade.testing.RedisServer;
import java.net.URI;
import java.util.UUID;
import javax.cache.CacheManager;

/** Test helpers: CacheManagers that behave like separate JVMs (each from its own provider). */
final class Managers {

  private Managers() {}

  /** A CacheManager of its own provider, so it has its own connections, like another JVM's. */
  static CacheManager open(RedisServer redis) {
    return open(redis.uri());
  }

  static CacheManager open(String uri) {
    return new CascadeCachingProvider()
        .getCacheManager(URI.create(uri), Managers.class.getClassLoader());
  }

  static String uniqueName(String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
  }
}
