package dev.cascade;

import java.util.AbstractMap;
import javax.cache.Cache;

/**
 * An entry as Cascade hands it out (from iterators, and to writers): an immutable copy, so changing
 * it does not change the cache.
 */
public final class CascadeEntry<K, V> extends AbstractMap.SimpleImmutableEntry<K, V>
    implements Cache.Entry<K, V> {

  private static final long serialVersionUID = 1L;

  public CascadeEntry(K key, V value) {
    super(key, value);
  }

  @Override
  public <T> T unwrap(Class<T> type) {
    if (type.isInstance(this)) {
      return type.cast(this);
    }
    throw new IllegalArgumentException("Cannot unwrap a cache entry to " + type.getName());
  }
}
