package dev.cascade.boot.app;

import java.io.Closeable;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.cache.Cache;
import javax.cache.integration.CacheWriter;
import javax.cache.integration.CacheWriterException;

/**
 * A writer that owns a resource, as a JDBC or HTTP writer does: once closed it refuses to write.
 * Keeps what it wrote in a map; every instance made is listed, to tell which was closed.
 */
public class ClosingWriter implements CacheWriter<Object, Object>, Closeable {
  public static final List<ClosingWriter> MADE = new CopyOnWriteArrayList<>();

  public final Map<Object, Object> rows = new ConcurrentHashMap<>();
  public volatile boolean closed;

  public ClosingWriter() {
    MADE.add(this);
  }

  @Override
  public void write(Cache.Entry<?, ?> entry) {
    if (closed) {
      throw new CacheWriterException("this writer was closed");
    }
    rows.put(entry.getKey(), entry.getValue());
  }

  @Override
  public void writeAll(java.util.Collection<Cache.Entry<?, ?>> entries) {
    for (java.util.Iterator<Cache.Entry<?, ?>> i = entries.iterator(); i.hasNext(); ) {
      write(i.next());
      i.remove();
    }
  }

  @Override
  public void delete(Object key) {
    if (closed) {
      throw new CacheWriterException("this writer was closed");
    }
    rows.remove(key);
  }

  @Override
  public void deleteAll(java.util.Collection<?> keys) {
    for (java.util.Iterator<?> i = keys.iterator(); i.hasNext(); ) {
      delete(i.next());
      i.remove();
    }
  }

  @Override
  public void close() {
    closed = true;
  }
}
