package dev.cascade.internal.engine;

import dev.cascade.internal.event.EntryChange;
import dev.cascade.internal.store.Mutation;
import dev.cascade.internal.store.Outcome;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import javax.cache.CacheException;
import javax.cache.integration.CacheLoaderException;

/**
 * Read-through: on a miss, the loader runs once per key in this JVM however many threads miss at
 * once (single flight); the others wait for its answer. The loaded value is stored only if the key
 * is still absent, so a load never overwrites a newer write. In a write-through cache the load runs
 * under the key's lock, so it cannot store a value a concurrent writer just replaced in the
 * database.
 */
final class ReadThrough<K, V> {

  private final CacheCore<K, V> core;
  private final ConcurrentHashMap<ByteBuffer, CompletableFuture<V>> inFlight =
      new ConcurrentHashMap<>();

  ReadThrough(CacheCore<K, V> core) {
    this.core = core;
  }

  /** Loads {@code key} (or waits for the load already running), stores it if absent, returns it. */
  V load(K key, byte[] encodedKey) {
    ByteBuffer id = ByteBuffer.wrap(encodedKey);
    CompletableFuture<V> mine = new CompletableFuture<>();
    CompletableFuture<V> running = inFlight.putIfAbsent(id, mine);
    if (running != null) {
      return join(running);
    }
    try {
      V value = loadAndStore(key, encodedKey);
      mine.complete(value);
      return value;
    } catch (RuntimeException | Error e) {
      mine.completeExceptionally(e);
      throw e;
    } finally {
      inFlight.remove(id, mine);
    }
  }

  private V loadAndStore(K key, byte[] encodedKey) {
    List<EntryChange<K, V>> changes = new ArrayList<>(1);
    if (!core.locks()) {
      V value = callLoader(key);
      if (value == null) {
        return null;
      }
      Mutation m = Mutation.set(Mutation.Condition.LOADABLE, null, core.encodeValue(value));
      core.collect(
          changes, key, encodedKey, core.engine().apply(encodedKey, m, false, null), value);
      core.dispatch(changes);
      return value;
    }
    // write-through: load under the key's lock, so no writer can change the database between
    // the load and the store; if another JVM filled the entry meanwhile, its value wins
    Object[] result = new Object[1];
    Outcome o =
        core.engine()
            .compute(
                encodedKey,
                true,
                (seen, now) -> {
                  if (seen.isLiveAt(now)) {
                    result[0] = core.decodeValue(seen.value());
                    return null;
                  }
                  V value = callLoader(key);
                  result[0] = value;
                  return value == null
                      ? null
                      : Mutation.set(Mutation.Condition.LOADABLE, null, core.encodeValue(value));
                });
    @SuppressWarnings("unchecked")
    V value = (V) result[0];
    core.collect(changes, key, encodedKey, o, value);
    core.dispatch(changes);
    return value;
  }

  V callLoader(K key) {
    try {
      return core.loader().load(key);
    } catch (CacheLoaderException e) {
      throw e;
    } catch (Exception e) {
      throw new CacheLoaderException(
          "The cache loader of " + core.describe() + " failed for key " + key + ": " + e, e);
    }
  }

  private static <V> V join(CompletableFuture<V> running) {
    try {
      return running.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CacheException("Interrupted while waiting for another thread's load", e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException) {
        throw (RuntimeException) cause;
      }
      if (cause instanceof Error) {
        throw (Error) cause;
      }
      throw new CacheLoaderException(cause);
    }
  }
}
