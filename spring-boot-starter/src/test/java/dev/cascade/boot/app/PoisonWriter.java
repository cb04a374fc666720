package dev.cascade.boot.app;

import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.cache.Cache;
import javax.cache.integration.CacheWriter;
import javax.cache.integration.CacheWriterException;

/** A writer that refuses the value "poison", as a database refuses a row a constraint forbids. */
public class PoisonWriter implements CacheWriter<Object, Object> {

  public final Map<Object, Object> rows = new ConcurrentHashMap<>();

  @Override
  public void write(Cache.Entry<?, ?> entry) {
    if ("poison".equals(entry.getValue())) {
      throw new CacheWriterException("value 'poison' refused by a constraint");
    }
    rows.put(entry.getKey(), entry.getValue());
  }

  @Override
  public void writeAll(Collection<Cache.Entry<?, ?>> entries) {
    if (entries.stream().anyMatch(e -> "poison".equals(e.getValue()))) {
      throw new CacheWriterException("value 'poison' refused by a constraint");
    }
    entries.forEach(this::write);
    entries.clear();
  }

  @Override
  public void delete(Object key) {
    rows.remove(key);
  }

  @Override
  public void deleteAll(Collection<?> keys) {
    keys.forEach(rows::remove);
    keys.clear();
  }
}
