package dev.cascade.internal.writebehind;

import dev.cascade.writebehind.WriteBehindSettings;
import java.util.Collection;
import javax.cache.Cache;
import javax.cache.integration.CacheWriter;

/**
 * The writer a {@link dev.cascade.writebehind.WriteBehind} factory makes: it tells Cascade to queue
 * changes instead of writing them, and carries the user's writer and the settings to the cache's
 * flushers. Called directly (outside Cascade), it simply writes through to the user's writer.
 */
public final class WriteBehindWriter<K, V> implements CacheWriter<K, V>, AutoCloseable {

  private final CacheWriter<? super K, ? super V> delegate;
  private final WriteBehindSettings settings;

  public WriteBehindWriter(
      CacheWriter<? super K, ? super V> delegate, WriteBehindSettings settings) {
    if (delegate == null) {
      throw new IllegalArgumentException(
          "The writer factory given to WriteBehind.of made no writer (null)");
    }
    this.delegate = delegate;
    this.settings = settings;
  }

  /** The user's writer, which the flushers call. */
  public CacheWriter<? super K, ? super V> delegate() {
    return delegate;
  }

  public WriteBehindSettings settings() {
    return settings;
  }

  @Override
  public void write(Cache.Entry<? extends K, ? extends V> entry) {
    delegate.write(entry);
  }

  @Override
  @SuppressWarnings({"unchecked", "rawtypes"})
  public void writeAll(Collection<Cache.Entry<? extends K, ? extends V>> entries) {
    ((CacheWriter) delegate).writeAll(entries);
  }

  @Override
  public void delete(Object key) {
    delegate.delete(key);
  }

  @Override
  public void deleteAll(Collection<?> keys) {
    delegate.deleteAll(keys);
  }

  @Override
  public void close() throws Exception {
    if (delegate instanceof AutoCloseable) {
      ((AutoCloseable) delegate).close();
    }
  }
}
