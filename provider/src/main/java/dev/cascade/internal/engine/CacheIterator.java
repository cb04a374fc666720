package dev.cascade.internal.engine;

import dev.cascade.CascadeEntry;
import dev.cascade.internal.store.EntryStore;
import dev.cascade.internal.store.StoredEntry;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import javax.cache.Cache;

/**
 * The iterator of a cache: walks it one {@code SCAN} batch at a time, reading each batch in one
 * pipeline. Weakly consistent: entries changed during the walk may or may not be seen as changed.
 */
final class CacheIterator<K, V> implements Iterator<Cache.Entry<K, V>> {
  private final CacheCore<K, V> core;
  private final Cache<K, V> cache;
  private final EntryStore.KeyCursor cursor;
  private final List<byte[]> keys = new ArrayList<>();
  private final List<StoredEntry> entries = new ArrayList<>();
  private int position;
  private boolean done;
  private K lastKey;
  private boolean canRemove;

  CacheIterator(CacheCore<K, V> core, Cache<K, V> cache) {
    this.core = core;
    this.cache = cache;
    this.cursor = core.engine().store().cursor();
  }

  @Override
  public boolean hasNext() {
    long now = core.engine().now();
    while (true) {
      while (position < entries.size() && !entries.get(position).isLiveAt(now)) {
        position++;
      }
      if (position < entries.size()) {
        return true;
      }
      if (done) {
        return false;
      }
      fill();
    }
  }

  @Override
  public Cache.Entry<K, V> next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    long start = core.stats().start();
    byte[] key = keys.get(position);
    StoredEntry seen = entries.get(position++);
    // an iterated entry counts as accessed, one at a time (custom policies are asked per entry)
    if (core.engine().expiry().readsTouch()) {
      core.reader().touchAfterRead(key, seen);
    }
    lastKey = core.decodeKey(key);
    canRemove = true;
    core.stats().hits(1);
    core.stats().getTime(start);
    return new CascadeEntry<>(lastKey, core.decodeValue(seen.value()));
  }

  @Override
  public void remove() {
    if (!canRemove) {
      throw new IllegalStateException("next() must be called before remove()");
    }
    canRemove = false;
    cache.remove(lastKey);
  }

  /**
   * Reads the next SCAN batch in one pipeline, as it is (expired entries are skipped, not touched).
   */
  private void fill() {
    keys.clear();
    entries.clear();
    position = 0;
    List<byte[]> batch = cursor.next();
    if (batch == null) {
      done = true;
      return;
    }
    keys.addAll(batch);
    entries.addAll(core.engine().snapshot(batch));
  }
}
