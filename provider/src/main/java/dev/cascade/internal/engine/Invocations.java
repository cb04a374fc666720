package dev.cascade.internal.engine;

import dev.cascade.internal.event.EntryChange;
import dev.cascade.internal.store.Mutation;
import dev.cascade.internal.store.Mutation.Condition;
import dev.cascade.internal.store.Outcome;
import dev.cascade.internal.store.StoredEntry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.cache.CacheException;
import javax.cache.event.EventType;
import javax.cache.processor.EntryProcessor;
import javax.cache.processor.EntryProcessorException;
import javax.cache.processor.EntryProcessorResult;

/**
 * {@code invoke} and {@code invokeAll}: the processor runs in this JVM on a snapshot of the entry;
 * its result is applied only if the entry is still as the snapshot showed (compare-and-set on the
 * encoded value), else the snapshot is taken again and the processor runs again. So concurrent
 * processors, in any JVM, never lose an update. In a write-through cache the whole step runs under
 * the key's lock, with the writer called before the cache changes.
 */
final class Invocations<K, V> {

  private final CacheCore<K, V> core;

  Invocations(CacheCore<K, V> core) {
    this.core = core;
  }

  <T> T invoke(K key, EntryProcessor<K, V, T> processor, Object... arguments) {
    core.checkKey(key);
    if (processor == null) {
      throw new NullPointerException(
          "The entry processor given to " + core.describe() + " is null");
    }
    long start = core.stats().start();
    byte[] k = core.encodeKey(key);
    // one key at a time, also within invokeAll: its keys are processed one by one anyway
    return core.keyOrder().one(k, () -> process(key, k, start, processor, arguments));
  }

  private <T> T process(
      K key, byte[] k, long start, EntryProcessor<K, V, T> processor, Object[] arguments) {
    Step<T> step = new Step<>(key, processor, arguments);
    Outcome o = core.engine().compute(k, core.locks(), step);
    ProcessorEntry<K, V> entry = step.entry;
    if (entry.existed()) {
      core.stats().hits(1);
    } else {
      core.stats().misses(1);
    }
    core.stats().getTime(start);
    switch (entry.operation()) {
      case CREATE:
      case UPDATE:
        if (o.changedValue()) {
          core.stats().puts(1);
          core.stats().putTime(start);
        }
        break;
      case REMOVE:
        core.stats().removals(1);
        core.stats().removeTime(start);
        break;
      default:
        break;
    }
    if (!core.events().isEmpty()) {
      List<EntryChange<K, V>> changes = new ArrayList<>(2);
      core.collect(changes, key, k, o, entry.newValue());
      core.dispatch(changes);
    }
    return step.result;
  }

  <T> Map<K, EntryProcessorResult<T>> invokeAll(
      Set<? extends K> keys, EntryProcessor<K, V, T> processor, Object... arguments) {
    if (keys == null) {
      throw new NullPointerException(
          "The key set given to invokeAll of " + core.describe() + " is null");
    }
    if (processor == null) {
      throw new NullPointerException(
          "The entry processor given to " + core.describe() + " is null");
    }
    for (K key : keys) {
      core.checkKey(key);
    }
    Map<K, EntryProcessorResult<T>> results = new HashMap<>();
    for (K key : keys) {
      try {
        T result = invoke(key, processor, arguments);
        if (result != null) {
          results.put(key, () -> result);
        }
      } catch (Exception e) {
        EntryProcessorException failure =
            e instanceof EntryProcessorException
                ? (EntryProcessorException) e
                : new EntryProcessorException(e);
        results.put(
            key,
            () -> {
              throw failure;
            });
      }
    }
    return results;
  }

  /** One attempt: run the processor on what the entry is now, and say what to change. */
  private final class Step<T> implements EntryEngine.Planner {
    private final K key;
    private final EntryProcessor<K, V, T> processor;
    private final Object[] arguments;
    ProcessorEntry<K, V> entry;
    T result;

    Step(K key, EntryProcessor<K, V, T> processor, Object[] arguments) {
      this.key = key;
      this.processor = processor;
      this.arguments = arguments;
    }

    @Override
    public boolean readsQueuedMarker() {
      return core.readsThrough();
    }

    @Override
    public Mutation plan(StoredEntry seen, long now) {
      boolean loadable = core.readsThrough() && !seen.isPending();
      entry =
          new ProcessorEntry<>(
              key, seen.isLiveAt(now) ? seen.value() : null, core, loadable ? core.loader() : null);
      try {
        result = processor.process(entry, arguments);
      } catch (CacheException e) {
        throw e;
      } catch (Exception e) {
        throw new EntryProcessorException(
            "The entry processor failed on key " + key + " of " + core.describe(), e);
      }
      boolean oldValues = core.needsOld(EventType.UPDATED) || core.needsOld(EventType.REMOVED);
      switch (entry.operation()) {
        case ACCESS:
          return Mutation.touch(Condition.PRESENT, null);
        case LOAD:
          return Mutation.set(Condition.LOADABLE, null, core.encodeValue(entry.newValue()))
              .returningOld(oldValues);
        case CREATE:
        case UPDATE:
          return Mutation.set(Condition.ANY, null, core.encodeValue(entry.newValue()))
              .returningOld(oldValues);
        case REMOVE:
          return Mutation.delete(Condition.ANY, null).returningOld(oldValues);
        default:
          return null;
      }
    }

    @Override
    public boolean beforeChange(Mutation m, Decision d) {
      WriteThrough<K, V> writer = core.writerStep();
      if (writer == null) {
        return false;
      }
      switch (entry.operation()) {
        case CREATE:
        case UPDATE:
          writer.write(key, entry.newValue());
          return true;
        case REMOVE:
          writer.delete(key);
          return true;
        default:
          return false;
      }
    }
  }
}
