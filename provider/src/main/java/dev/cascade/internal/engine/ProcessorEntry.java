package dev.cascade.internal.engine;

import javax.cache.integration.CacheLoader;
import javax.cache.integration.CacheLoaderException;
import javax.cache.processor.MutableEntry;

/**
 * The entry an {@code EntryProcessor} works on: a snapshot of the cache entry, plus what the
 * processor did to it. Nothing reaches Redis until the processor returns; then {@link Invocations}
 * applies {@link #operation()} in one conditional step.
 */
final class ProcessorEntry<K, V> implements MutableEntry<K, V> {

  /** What the processor did, as JCache counts it for writers, statistics and expiry. */
  enum Operation {
    NONE,
    ACCESS,
    CREATE,
    LOAD,
    UPDATE,
    REMOVE
  }

  private final K key;
  private final boolean existed;
  private final byte[] storedValue;
  private final CacheCore<K, V> core;
  private final CacheLoader<K, V> loader;
  private V value;
  private boolean decoded;
  private Operation operation = Operation.NONE;

  /**
   * @param loader the loader when the cache is read-through, else null
   */
  ProcessorEntry(K key, byte[] storedValue, CacheCore<K, V> core, CacheLoader<K, V> loader) {
    this.key = key;
    this.existed = storedValue != null;
    this.storedValue = storedValue;
    this.core = core;
    this.loader = loader;
  }

  @Override
  public K getKey() {
    return key;
  }

  @Override
  public V getValue() {
    if (operation == Operation.NONE) {
      if (!existed) {
        value = null;
      } else if (!decoded) {
        value = core.decodeValue(storedValue);
        decoded = true;
      }
    }
    if (value != null) {
      if (operation == Operation.NONE) {
        operation = Operation.ACCESS;
      }
    } else if (loader != null) {
      try {
        value = loader.load(key);
      } catch (CacheLoaderException e) {
        throw e;
      } catch (Exception e) {
        throw new CacheLoaderException(
            "The cache loader of " + core.describe() + " failed for key " + key, e);
      }
      if (value != null) {
        operation = Operation.LOAD;
      }
    }
    return value;
  }

  @Override
  public boolean exists() {
    return (operation == Operation.NONE && existed) || value != null;
  }

  @Override
  public void remove() {
    operation =
        operation == Operation.CREATE || operation == Operation.LOAD
            ? Operation.NONE
            : Operation.REMOVE;
    value = null;
  }

  @Override
  public void setValue(V newValue) {
    core.checkValue(key, newValue);
    operation = existed ? Operation.UPDATE : Operation.CREATE;
    value = newValue;
  }

  @Override
  public <T> T unwrap(Class<T> type) {
    throw new IllegalArgumentException(
        "Cannot unwrap the entry of an entry processor to " + type.getName());
  }

  Operation operation() {
    return operation;
  }

  /** The value to store for CREATE, LOAD and UPDATE. */
  V newValue() {
    return value;
  }

  boolean existed() {
    return existed;
  }
}
