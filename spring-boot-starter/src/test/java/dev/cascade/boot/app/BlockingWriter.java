package dev.cascade.boot.app;

import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import javax.cache.Cache;
import javax.cache.integration.CacheWriter;

/** A writer that waits until it is opened: records pile up in the write-behind queue meanwhile. */
public class BlockingWriter implements CacheWriter<Object, Object> {

  public final CountDownLatch open = new CountDownLatch(1);
  public final Map<Object, Object> rows = new ConcurrentHashMap<>();

  @Override
  public void write(Cache.Entry<?, ?> entry) {
    awaitOpen();
    rows.put(entry.getKey(), entry.getValue());
  }

  @Override
  public void writeAll(Collection<Cache.Entry<?, ?>> entries) {
    awaitOpen();
    entries.forEach(e -> rows.put(e.getKey(), e.getValue()));
    entries.clear();
  }

  @Override
  public void delete(Object key) {
    awaitOpen();
    rows.remove(key);
  }

  @Override
  public void deleteAll(Collection<?> keys) {
    awaitOpen();
    keys.forEach(rows::remove);
    keys.clear();
  }

  private void awaitOpen() {
    try {
      open.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
