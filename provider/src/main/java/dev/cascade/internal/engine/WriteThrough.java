package dev.cascade.internal.engine;

import dev.cascade.CascadeEntry;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.cache.Cache;
import javax.cache.integration.CacheWriter;
import javax.cache.integration.CacheWriterException;

/**
 * Calls the cache's writer and turns whatever it throws into a {@link CacheWriterException}, as the
 * spec says. The batch calls honour the writer's partial-success contract: entries the writer
 * leaves in the collection it was given were not written.
 */
final class WriteThrough<K, V> {

  private final CacheWriter<K, V> writer;

  @SuppressWarnings("unchecked")
  WriteThrough(CacheWriter<? super K, ? super V> writer) {
    // a writer of supertypes accepts our entries; the cast only narrows what the compiler knows
    this.writer = (CacheWriter<K, V>) writer;
  }

  void write(K key, V value) {
    try {
      writer.write(new CascadeEntry<>(key, value));
    } catch (Exception e) {
      throw translate(e);
    }
  }

  void delete(K key) {
    try {
      writer.delete(key);
    } catch (Exception e) {
      throw translate(e);
    }
  }

  /** What a batch call achieved: the keys written (or deleted), and the writer's failure if any. */
  static final class BatchResult<K> {
    final Set<K> done;
    final CacheWriterException failure;

    BatchResult(Set<K> done, CacheWriterException failure) {
      this.done = done;
      this.failure = failure;
    }
  }

  BatchResult<K> writeAll(Map<K, V> entries) {
    List<Cache.Entry<? extends K, ? extends V>> batch = new ArrayList<>(entries.size());
    for (Map.Entry<K, V> e : entries.entrySet()) {
      batch.add(new CascadeEntry<>(e.getKey(), e.getValue()));
    }
    CacheWriterException failure = null;
    try {
      writer.writeAll(batch);
      batch.clear();
    } catch (Exception e) {
      failure = translate(e);
    }
    Set<K> done = new LinkedHashSet<>(entries.keySet());
    for (Cache.Entry<? extends K, ? extends V> left : batch) {
      done.remove(left.getKey());
    }
    return new BatchResult<>(done, failure);
  }

  BatchResult<K> deleteAll(Collection<K> keys) {
    List<K> batch = new ArrayList<>(keys);
    CacheWriterException failure = null;
    try {
      writer.deleteAll(batch);
      batch.clear();
    } catch (Exception e) {
      failure = translate(e);
    }
    Set<K> done = new LinkedHashSet<>(keys);
    done.removeAll(batch);
    return new BatchResult<>(done, failure);
  }

  static CacheWriterException translate(Exception e) {
    if (e instanceof CacheWriterException) {
      return (CacheWriterException) e;
    }
    return new CacheWriterException("The cache writer failed: " + e, e);
  }
}
