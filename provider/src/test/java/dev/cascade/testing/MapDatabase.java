package dev.cascade.testing;

import java.io.Serializable;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.cache.Cache;
import javax.cache.configuration.Factory;
import javax.cache.integration.CacheWriter;

/**
 * A system of record in memory, for tests that need a writer behind a cache but not a database:
 * named tables in one registry of this JVM (a cache makes its writer from a serializable factory,
 * in whatever thread it likes, so the writer finds its table by name), each a concurrent map. The
 * writer keeps JCache's batch contract: what it wrote leaves the collection it was given.
 *
 * <p>Tables live as long as the JVM: a test that needs an empty one names it uniquely or clears it.
 */
public final class MapDatabase {

  private static final Map<String, Map<Object, Object>> TABLES = new ConcurrentHashMap<>();

  private MapDatabase() {}

  /** The table {@code name}, made empty on first use. */
  @SuppressWarnings("unchecked")
  public static <K, V> Map<K, V> table(String name) {
    return (Map<K, V>) (Map<?, ?>) TABLES.computeIfAbsent(name, n -> new ConcurrentHashMap<>());
  }

  /** A factory of writers into the table {@code name}, for a cache's configuration. */
  public static <K, V> Factory<CacheWriter<K, V>> writerFactory(String name) {
    return new WriterFactory<>(name);
  }

  private static final class WriterFactory<K, V> implements Factory<CacheWriter<K, V>> {
    private static final long serialVersionUID = 1L;
    private final String table;

    WriterFactory(String table) {
      this.table = table;
    }

    @Override
    public CacheWriter<K, V> create() {
      return new Writer<>(table(table));
    }
  }

  /** Writes entries into its table, deletes keys from it. */
  private static final class Writer<K, V> implements CacheWriter<K, V>, Serializable {
    private static final long serialVersionUID = 1L;
    private final transient Map<K, V> rows;

    Writer(Map<K, V> rows) {
      this.rows = rows;
    }

    @Override
    public void write(Cache.Entry<? extends K, ? extends V> entry) {
      rows.put(entry.getKey(), entry.getValue());
    }

    @Override
    public void writeAll(Collection<Cache.Entry<? extends K, ? extends V>> entries) {
      entries.forEach(this::write);
      entries.clear();
    }

    @Override
    public void delete(Object key) {
      rows.remove(key);
    }

    @Override
    public void deleteAll(Collection<?> keys) {
      keys.forEach(this::delete);
      keys.clear();
    }
  }
}
