package dev.cascade.samples;

import dev.cascade.testing.RedisServer;
import java.io.Serializable;
import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.configuration.FactoryBuilder;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.integration.CacheLoader;
import javax.cache.integration.CacheWriter;
import javax.cache.spi.CachingProvider;

/**
 * The smallest tour of Cascade: a cache in Redis with read-through and write-through to a
 * "database" (a map standing in for one here), and the Redis keys it leaves. Starts its own
 * redis-server on a free port unless a URI is given as the first argument.
 */
public final class FirstDemo {

  /** The system of record; a real application uses dev.cascade.jdbc over its DataSource. */
  static final Map<Long, String> DATABASE = new ConcurrentHashMap<>(Map.of(1L, "Ada Lovelace", 2L, "Alan Turing"));

  public static final class Loader implements CacheLoader<Long, String>, Serializable {
    @Override
    public String load(Long id) {
      System.out.println("  loader: SELECT name FROM users WHERE id = " + id);
      return DATABASE.get(id);
    }

    @Override
    public Map<Long, String> loadAll(Iterable<? extends Long> ids) {
      Map<Long, String> found = new HashMap<>();
      ids.forEach(id -> found.put(id, DATABASE.get(id)));
      return found;
    }
  }

  public static final class Writer implements CacheWriter<Long, String>, Serializable {
    @Override
    public void write(Cache.Entry<? extends Long, ? extends String> e) {
      System.out.println("  writer: UPSERT users (" + e.getKey() + ", " + e.getValue() + ")");
      DATABASE.put(e.getKey(), e.getValue());
    }

    @Override
    public void writeAll(java.util.Collection<Cache.Entry<? extends Long, ? extends String>> entries) {
      for (var it = entries.iterator(); it.hasNext(); it.remove()) {
        write(it.next());
      }
    }

    @Override
    public void delete(Object id) {
      System.out.println("  writer: DELETE FROM users WHERE id = " + id);
      DATABASE.remove(id);
    }

    @Override
    public void deleteAll(java.util.Collection<?> ids) {
      for (var it = ids.iterator(); it.hasNext(); it.remove()) {
        delete(it.next());
      }
    }
  }

  public static void main(String[] args) {
    RedisServer ownRedis = args.length == 0 ? RedisServer.start() : null;
    String uri = args.length == 0 ? ownRedis.uri() : args[0];
    System.out.println("Redis: " + uri + (ownRedis != null ? " (a private redis-server started for this demo)" : ""));
    CachingProvider provider = Caching.getCachingProvider();
    try (CacheManager manager = provider.getCacheManager(URI.create(uri), FirstDemo.class.getClassLoader())) {
      Cache<Long, String> users = manager.createCache("users", new MutableConfiguration<Long, String>()
          .setTypes(Long.class, String.class)
          .setReadThrough(true).setCacheLoaderFactory(FactoryBuilder.factoryOf(Loader.class))
          .setWriteThrough(true).setCacheWriterFactory(FactoryBuilder.factoryOf(Writer.class)));

      System.out.println("get(1), a miss: read through");
      System.out.println("  -> " + users.get(1L));
      System.out.println("get(1) again: served from Redis");
      System.out.println("  -> " + users.get(1L));
      System.out.println("put(3, Grace Hopper): the writer runs first, then the cache changes");
      users.put(3L, "Grace Hopper");
      System.out.println("remove(2)");
      users.remove(2L);
      System.out.println("database now: " + new java.util.TreeMap<>(DATABASE));
      System.out.println("Redis keys: cascade:users:{users#<partition>}:<id>, one hash per entry, e.g.");
      for (Cache.Entry<Long, String> e : users) {
        System.out.println("  " + e.getKey() + " = " + e.getValue());
      }
      manager.destroyCache("users");
    } finally {
      if (ownRedis != null) {
        ownRedis.close();
      }
    }
  }
}
