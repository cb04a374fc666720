package dev.cascade;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import javax.cache.Cache;
import javax.cache.event.CacheEntryCreatedListener;
import javax.cache.event.CacheEntryEvent;
import javax.cache.event.CacheEntryExpiredListener;
import javax.cache.event.CacheEntryRemovedListener;
import javax.cache.event.CacheEntryUpdatedListener;
import javax.cache.event.EventType;
import javax.cache.integration.CacheWriter;
import javax.cache.processor.EntryProcessor;
import javax.cache.processor.EntryProcessorResult;
import javax.cache.processor.MutableEntry;

/**
 * What a {@code Cache<String, Long>} must do, as a plain map: every operation of {@link
 * CacheModelTest} runs once on the real cache and once here, and the two must agree on the return
 * value, on the events a listener hears, on the contents afterwards and, for write-through, on what
 * the writer holds. The rules are the JCache spec's (1.1), written out per operation, so a reader
 * can check each against the spec without reading Cascade.
 *
 * <p>Not thread-safe: one model per thread of operations.
 */
final class CacheModel {

  /** The cache's contents as the spec says they are now. */
  final Map<String, Long> entries = new TreeMap<>();

  /**
   * What a write-through writer must hold: every write and delete the spec routes through the
   * writer. Differs from {@link #entries} only after {@code clear()}, which bypasses the writer.
   */
  final Map<String, Long> written = new TreeMap<>();

  // ------------------------------------------------------------------ events

  /**
   * One entry event as a listener with old values sees it. Since JCache 1.1 a REMOVED event's value
   * is the old value; a CREATED event has no old value.
   */
  record Event(EventType type, String key, Long value, Long oldValue) {

    static Event created(String key, Long value) {
      return new Event(EventType.CREATED, key, value, null);
    }

    static Event updated(String key, Long value, Long old) {
      return new Event(EventType.UPDATED, key, value, old);
    }

    static Event removed(String key, Long old) {
      return new Event(EventType.REMOVED, key, old, old);
    }

    /**
     * The event a listener was handed; an old value that should be there but is not shows as
     * "missing".
     */
    static Event of(CacheEntryEvent<? extends String, ? extends Long> e) {
      Long old =
          e.getEventType() == EventType.CREATED
              ? null
              : e.isOldValueAvailable() ? e.getOldValue() : Long.MIN_VALUE;
      return new Event(e.getEventType(), e.getKey(), e.getValue(), old);
    }

    static final Comparator<Event> ORDER =
        Comparator.comparing(Event::key)
            .thenComparing(Event::type)
            .thenComparing(Event::value, Comparator.nullsFirst(Comparator.naturalOrder()))
            .thenComparing(Event::oldValue, Comparator.nullsFirst(Comparator.naturalOrder()));

    /** Events of one operation in a fixed order: bulk operations may deliver keys in any order. */
    static List<Event> sorted(Collection<Event> events) {
      List<Event> list = new ArrayList<>(events);
      list.sort(ORDER);
      return list;
    }

    @Override
    public String toString() {
      String old = Objects.equals(oldValue, Long.MIN_VALUE) ? "missing" : String.valueOf(oldValue);
      switch (type) {
        case CREATED:
          return "created " + quote(key) + "=" + value;
        case UPDATED:
          return "updated " + quote(key) + "=" + value + " (was " + old + ")";
        case REMOVED:
          return "removed "
              + quote(key)
              + " (was "
              + old
              + (Objects.equals(value, oldValue) ? "" : ", value " + value)
              + ")";
        default:
          return type + " " + quote(key) + "=" + value + " (was " + old + ")";
      }
    }
  }

  /**
   * A listener of every event type that writes down what it hears: the test thread asserts on it
   * (an assertion failing on a listener thread would go unseen). Events heard on a registered
   * caller thread (where Cascade runs synchronous listeners for that thread's own operations) are
   * kept apart per caller; all others (events from other JVMs, delivered on the event lanes) go to
   * one list in the order heard, which keeps each key's order: a key's events run on one lane, one
   * after another.
   */
  static final class Recorder
      implements CacheEntryCreatedListener<String, Long>,
          CacheEntryUpdatedListener<String, Long>,
          CacheEntryRemovedListener<String, Long>,
          CacheEntryExpiredListener<String, Long>,
          Serializable {

    private static final long serialVersionUID = 1L;

    // Serializable only because FactoryBuilder.factoryOf(instance) asks for it: Cascade uses the
    // instance as given, so the test keeps its handle on what the listener hears
    private final transient Map<Thread, List<Event>> callers = new ConcurrentHashMap<>();
    private final transient List<Event> others = new ArrayList<>();

    @Override
    public void onCreated(Iterable<CacheEntryEvent<? extends String, ? extends Long>> events) {
      record(events);
    }

    @Override
    public void onUpdated(Iterable<CacheEntryEvent<? extends String, ? extends Long>> events) {
      record(events);
    }

    @Override
    public void onRemoved(Iterable<CacheEntryEvent<? extends String, ? extends Long>> events) {
      record(events);
    }

    @Override
    public void onExpired(Iterable<CacheEntryEvent<? extends String, ? extends Long>> events) {
      record(events); // nothing expires in these tests: an EXPIRED event is a difference the model
      // shows
    }

    private void record(Iterable<CacheEntryEvent<? extends String, ? extends Long>> events) {
      List<Event> caller = callers.get(Thread.currentThread());
      List<Event> target = caller != null ? caller : others;
      synchronized (target) {
        events.forEach(e -> target.add(Event.of(e)));
      }
    }

    /** From now on, events heard on {@code thread} are kept apart, for {@link #drainCaller}. */
    void registerCaller(Thread thread) {
      callers.put(thread, new ArrayList<>());
    }

    /** Takes what was heard on a registered caller thread. */
    List<Event> drainCaller(Thread thread) {
      return drain(callers.get(thread));
    }

    /** Takes what was heard on threads that are not registered callers, in the order heard. */
    List<Event> drainOthers() {
      return drain(others);
    }

    /** A copy of what was heard on threads that are not registered callers, in the order heard. */
    List<Event> others() {
      synchronized (others) {
        return new ArrayList<>(others);
      }
    }

    private static List<Event> drain(List<Event> heard) {
      synchronized (heard) {
        List<Event> copy = new ArrayList<>(heard);
        heard.clear();
        return copy;
      }
    }
  }

  // ------------------------------------------------------------------ writer and processors

  /**
   * A write-through "database" in memory; honours the batch contract (what it wrote leaves the
   * collection).
   */
  static final class MapWriter implements CacheWriter<String, Long>, Serializable {

    private static final long serialVersionUID = 1L;
    final transient Map<String, Long> table = new ConcurrentHashMap<>();

    @Override
    public void write(Cache.Entry<? extends String, ? extends Long> entry) {
      table.put(entry.getKey(), entry.getValue());
    }

    @Override
    public void writeAll(Collection<Cache.Entry<? extends String, ? extends Long>> entries) {
      for (Iterator<Cache.Entry<? extends String, ? extends Long>> it = entries.iterator();
          it.hasNext(); ) {
        write(it.next());
        it.remove();
      }
    }

    @Override
    public void delete(Object key) {
      table.remove(key);
    }

    @Override
    public void deleteAll(Collection<?> keys) {
      for (Iterator<?> it = keys.iterator(); it.hasNext(); ) {
        delete(it.next());
        it.remove();
      }
    }

    Map<String, Long> contents() {
      return new TreeMap<>(table);
    }
  }

  /** Adds one, creating the entry at 1; returns the new value. */
  static final class Increment implements EntryProcessor<String, Long, Long>, Serializable {
    private static final long serialVersionUID = 1L;

    @Override
    public Long process(MutableEntry<String, Long> entry, Object... arguments) {
      long next = entry.exists() ? entry.getValue() + 1 : 1;
      entry.setValue(next);
      return next;
    }
  }

  /** Removes the entry; returns the value it had (null if none). */
  static final class RemoveEntry implements EntryProcessor<String, Long, Long>, Serializable {
    private static final long serialVersionUID = 1L;

    @Override
    public Long process(MutableEntry<String, Long> entry, Object... arguments) {
      Long old = entry.exists() ? entry.getValue() : null;
      entry.remove();
      return old;
    }
  }

  /**
   * Removes the entry, then sets it: one update of an existing entry, a creation of an absent one.
   */
  static final class RemoveThenSet implements EntryProcessor<String, Long, Boolean>, Serializable {
    private static final long serialVersionUID = 1L;

    @Override
    public Boolean process(MutableEntry<String, Long> entry, Object... arguments) {
      entry.remove();
      entry.setValue((Long) arguments[0]);
      return entry.exists();
    }
  }

  /**
   * Sets the entry, then removes it: a removal of an existing entry, nothing at all for an absent
   * one.
   */
  static final class SetThenRemove implements EntryProcessor<String, Long, Boolean>, Serializable {
    private static final long serialVersionUID = 1L;

    @Override
    public Boolean process(MutableEntry<String, Long> entry, Object... arguments) {
      entry.setValue((Long) arguments[0]);
      entry.remove();
      return entry.exists();
    }
  }

  /** Only reads: returns the value (null if none) and changes nothing. */
  static final class ReadOnly implements EntryProcessor<String, Long, Long>, Serializable {
    private static final long serialVersionUID = 1L;

    @Override
    public Long process(MutableEntry<String, Long> entry, Object... arguments) {
      return entry.exists() ? entry.getValue() : null;
    }
  }

  // ------------------------------------------------------------------ operations

  /**
   * The answer of an operation whose result the model cannot know (a read of another thread's key).
   */
  static final Object ANY_RESULT =
      new Object() {
        @Override
        public String toString() {
          return "(anything)";
        }
      };

  /** One call on the cache, and the same call on the model. */
  interface Op {
    /** Runs on the real cache; returns what the call returned, made comparable. */
    Object onCache(Cache<String, Long> cache);

    /**
     * Runs on the model: changes it, adds the events the spec says listeners hear, returns the
     * expected result.
     */
    Object onModel(CacheModel model, List<Event> events);
  }

  // each model method below is the spec's rule for the operation; "written" follows the spec's
  // writer calls (remove, getAndRemove and a removing processor delete through the writer even
  // when the cache lacks the key; clear() never calls the writer)

  Long get(String k) {
    return entries.get(k);
  }

  void put(String k, Long v, List<Event> events) {
    Long old = entries.put(k, v);
    events.add(old == null ? Event.created(k, v) : Event.updated(k, v, old));
    written.put(k, v);
  }

  Long remove(String k, List<Event> events) {
    Long old = entries.remove(k);
    if (old != null) {
      events.add(Event.removed(k, old));
    }
    written.remove(k);
    return old;
  }

  record Get(String key) implements Op {
    public Object onCache(Cache<String, Long> c) {
      return c.get(key);
    }

    public Object onModel(CacheModel m, List<Event> events) {
      return m.get(key);
    }

    public String toString() {
      return "get(" + quote(key) + ")";
    }
  }

  record GetAll(Set<String> keys) implements Op {
    public Object onCache(Cache<String, Long> c) {
      return new TreeMap<>(c.getAll(keys));
    }

    public Object onModel(CacheModel m, List<Event> events) {
      Map<String, Long> found = new TreeMap<>();
      for (String k : keys) {
        if (m.entries.containsKey(k)) {
          found.put(k, m.entries.get(k));
        }
      }
      return found;
    }

    public String toString() {
      return "getAll(" + quote(keys) + ")";
    }
  }

  record ContainsKey(String key) implements Op {
    public Object onCache(Cache<String, Long> c) {
      return c.containsKey(key);
    }

    public Object onModel(CacheModel m, List<Event> events) {
      return m.entries.containsKey(key);
    }

    public String toString() {
      return "containsKey(" + quote(key) + ")";
    }
  }

  record Put(String key, long value) implements Op {
    public Object onCache(Cache<String, Long> c) {
      c.put(key, value);
      return null;
    }

    public Object onModel(CacheModel m, List<Event> events) {
      m.put(key, value, events);
      return null;
    }

    public String toString() {
      return "put(" + quote(key) + ", " + value + "L)";
    }
  }

  record PutAll(Map<String, Long> map) implements Op {
    public Object onCache(Cache<String, Long> c) {
      c.putAll(map);
      return null;
    }

    public Object onModel(CacheModel m, List<Event> events) {
      map.forEach((k, v) -> m.put(k, v, events));
      return null;
    }

    public String toString() {
      return "putAll(" + quote(map) + ")";
    }
  }

  record PutIfAbsent(String key, long value) implements Op {
    public Object onCache(Cache<String, Long> c) {
      return c.putIfAbsent(key, value);
    }

    public Object onModel(CacheModel m, List<Event> events) {
      if (m.entries.containsKey(key)) {
        return false;
      }
      m.put(key, value, events);
      return true;
    }

    public String toString() {
      return "putIfAbsent(" + quote(key) + ", " + value + "L)";
    }
  }

  record Remove(String key) implements Op {
    public Object onCache(Cache<String, Long> c) {
      return c.remove(key);
    }

    public Object onModel(CacheModel m, List<Event> events) {
      return m.remove(key, events) != null;
    }

    public String toString() {
      return "remove(" + quote(key) + ")";
    }
  }

  record RemoveValue(String key, long value) implements Op {
    public Object onCache(Cache<String, Long> c) {
      return c.remove(key, value);
    }

    public Object onModel(CacheModel m, List<Event> events) {
      if (!Objects.equals(m.entries.get(key), value)) {
        return false;
      }
      m.remove(key, events);
      return true;
    }

    public String toString() {
      return "remove(" + quote(key) + ", " + value + "L)";
    }
  }

  record GetAndPut(String key, long value) implements Op {
    public Object onCache(Cache<String, Long> c) {
      return c.getAndPut(key, value);
    }

    public Object onModel(CacheModel m, List<Event> events) {
      Long old = m.get(key);
      m.put(key, value, events);
      return old;
    }

    public String toString() {
      return "getAndPut(" + quote(key) + ", " + value + "L)";
    }
  }

  record GetAndRemove(String key) implements Op {
    public Object onCache(Cache<String, Long> c) {
      return c.getAndRemove(key);
    }

    public Object onModel(CacheModel m, List<Event> events) {
      return m.remove(key, events);
    }

    public String toString() {
      return "getAndRemove(" + quote(key) + ")";
    }
  }

  record Replace(String key, long value) implements Op {
    public Object onCache(Cache<String, Long> c) {
      return c.replace(key, value);
    }

    public Object onModel(CacheModel m, List<Event> events) {
      if (!m.entries.containsKey(key)) {
        return false;
      }
      m.put(key, value, events);
      return true;
    }

    public String toString() {
      return "replace(" + quote(key) + ", " + value + "L)";
    }
  }

  record ReplaceValue(String key, long expected, long value) implements Op {
    public Object onCache(Cache<String, Long> c) {
      return c.replace(key, expected, value);
    }

    public Object onModel(CacheModel m, List<Event> events) {
      if (!Objects.equals(m.entries.get(key), expected)) {
        return false;
      }
      m.put(key, value, events);
      return true;
    }

    public String toString() {
      return "replace(" + quote(key) + ", " + expected + "L, " + value + "L)";
    }
  }

  record GetAndReplace(String key, long value) implements Op {
    public Object onCache(Cache<String, Long> c) {
      return c.getAndReplace(key, value);
    }

    public Object onModel(CacheModel m, List<Event> events) {
      Long old = m.get(key);
      if (old != null) {
        m.put(key, value, events);
      }
      return old;
    }

    public String toString() {
      return "getAndReplace(" + quote(key) + ", " + value + "L)";
    }
  }

  record RemoveAllOf(Set<String> keys) implements Op {
    public Object onCache(Cache<String, Long> c) {
      c.removeAll(keys);
      return null;
    }

    public Object onModel(CacheModel m, List<Event> events) {
      keys.forEach(k -> m.remove(k, events)); // the writer's deleteAll gets every key given
      return null;
    }

    public String toString() {
      return "removeAll(" + quote(keys) + ")";
    }
  }

  /**
   * removeAll(): every entry, with events and through the writer (only the keys the cache holds).
   */
  record RemoveAll() implements Op {
    public Object onCache(Cache<String, Long> c) {
      c.removeAll();
      return null;
    }

    public Object onModel(CacheModel m, List<Event> events) {
      new ArrayList<>(m.entries.keySet()).forEach(k -> m.remove(k, events));
      return null;
    }

    public String toString() {
      return "removeAll()";
    }
  }

  /** clear(): every entry, without events and without the writer. */
  record Clear() implements Op {
    public Object onCache(Cache<String, Long> c) {
      c.clear();
      return null;
    }

    public Object onModel(CacheModel m, List<Event> events) {
      m.entries.clear();
      return null;
    }

    public String toString() {
      return "clear()";
    }
  }

  record InvokeIncrement(String key) implements Op {
    public Object onCache(Cache<String, Long> c) {
      return c.invoke(key, new Increment());
    }

    public Object onModel(CacheModel m, List<Event> events) {
      Long old = m.get(key);
      long next = old == null ? 1 : old + 1;
      m.put(key, next, events);
      return next;
    }

    public String toString() {
      return "invoke(" + quote(key) + ", increment)";
    }
  }

  record InvokeRemove(String key) implements Op {
    public Object onCache(Cache<String, Long> c) {
      return c.invoke(key, new RemoveEntry());
    }

    public Object onModel(CacheModel m, List<Event> events) {
      return m.remove(
          key, events); // MutableEntry.remove() deletes through the writer, present or not
    }

    public String toString() {
      return "invoke(" + quote(key) + ", remove)";
    }
  }

  record InvokeRemoveThenSet(String key, long value) implements Op {
    public Object onCache(Cache<String, Long> c) {
      return c.invoke(key, new RemoveThenSet(), value);
    }

    public Object onModel(CacheModel m, List<Event> events) {
      m.put(key, value, events);
      return true;
    }

    public String toString() {
      return "invoke(" + quote(key) + ", remove then setValue, " + value + "L)";
    }
  }

  record InvokeSetThenRemove(String key, long value) implements Op {
    public Object onCache(Cache<String, Long> c) {
      return c.invoke(key, new SetThenRemove(), value);
    }

    public Object onModel(CacheModel m, List<Event> events) {
      if (m.entries.containsKey(key)) {
        m.remove(
            key,
            events); // setValue then remove() of an existing entry is a remove, through the writer
      }
      // of an absent entry: remove() cancels the creation, so no writer call and no event
      return false;
    }

    public String toString() {
      return "invoke(" + quote(key) + ", setValue " + value + "L then remove)";
    }
  }

  record InvokeRead(String key) implements Op {
    public Object onCache(Cache<String, Long> c) {
      return c.invoke(key, new ReadOnly());
    }

    public Object onModel(CacheModel m, List<Event> events) {
      return m.get(key);
    }

    public String toString() {
      return "invoke(" + quote(key) + ", read)";
    }
  }

  record InvokeAllIncrement(Set<String> keys) implements Op {
    public Object onCache(Cache<String, Long> c) {
      Map<String, Long> results = new TreeMap<>();
      for (Map.Entry<String, EntryProcessorResult<Long>> e :
          c.invokeAll(keys, new Increment()).entrySet()) {
        results.put(e.getKey(), e.getValue().get());
      }
      return results;
    }

    public Object onModel(CacheModel m, List<Event> events) {
      Map<String, Long> results = new TreeMap<>();
      for (String k : keys) {
        results.put(k, (Long) new InvokeIncrement(k).onModel(m, events));
      }
      return results;
    }

    public String toString() {
      return "invokeAll(" + quote(keys) + ", increment)";
    }
  }

  /**
   * Walks the iterator and answers the entries of {@code scope} it returned, sorted (a key returned
   * twice shows twice); with {@code removeEven}, removes each entry of {@code scope} with an even
   * value through {@code Iterator.remove()} on the way.
   */
  record Iterate(Set<String> scope, boolean removeEven) implements Op {
    public Object onCache(Cache<String, Long> c) {
      List<String> seen = new ArrayList<>();
      for (Iterator<Cache.Entry<String, Long>> it = c.iterator(); it.hasNext(); ) {
        Cache.Entry<String, Long> e = it.next();
        if (scope.contains(e.getKey())) {
          seen.add(quote(e.getKey()) + "=" + e.getValue());
          if (removeEven && e.getValue() % 2 == 0) {
            it.remove();
          }
        }
      }
      seen.sort(null);
      return seen;
    }

    public Object onModel(CacheModel m, List<Event> events) {
      List<String> seen = new ArrayList<>();
      for (Map.Entry<String, Long> e : new ArrayList<>(m.entries.entrySet())) {
        if (scope.contains(e.getKey())) {
          seen.add(quote(e.getKey()) + "=" + e.getValue());
          if (removeEven && e.getValue() % 2 == 0) {
            m.remove(e.getKey(), events);
          }
        }
      }
      seen.sort(null);
      return seen;
    }

    public String toString() {
      return removeEven ? "iterator(), removing even values" : "iterator()";
    }
  }

  /** A read whose answer is not checked: fills a near cache with keys other threads change. */
  record Peek(String key) implements Op {
    public Object onCache(Cache<String, Long> c) {
      c.get(key);
      return ANY_RESULT;
    }

    public Object onModel(CacheModel m, List<Event> events) {
      return ANY_RESULT;
    }

    public String toString() {
      return "get(" + quote(key) + ") unchecked";
    }
  }

  // ------------------------------------------------------------------ generating operations

  /**
   * Draws operations over {@code keys} (few, so operations collide on them) and values 0 to 4 (few,
   * so {@code remove(k, v)} and {@code replace(k, old, new)} often match), each kind with a weight.
   * Deterministic: the same {@link Random} state draws the same operation, so a seed replays a
   * sequence.
   */
  static final class Operations {
    private final List<String> keys;
    private final Set<String> scope;
    private final List<Function<Random, Op>> kinds = new ArrayList<>();

    /**
     * @param global include the operations that touch every entry ({@code removeAll()}, {@code
     *     clear()}): not for a thread that shares the cache with others
     */
    Operations(List<String> keys, boolean global) {
      this.keys = keys;
      this.scope = new TreeSet<>(keys);
      add(4, r -> new Get(key(r)));
      add(2, r -> new GetAll(someKeys(r)));
      add(2, r -> new ContainsKey(key(r)));
      add(6, r -> new Put(key(r), value(r)));
      add(2, r -> new PutAll(someEntries(r)));
      add(3, r -> new PutIfAbsent(key(r), value(r)));
      add(3, r -> new Remove(key(r)));
      add(3, r -> new RemoveValue(key(r), value(r)));
      add(2, r -> new GetAndPut(key(r), value(r)));
      add(2, r -> new GetAndRemove(key(r)));
      add(2, r -> new Replace(key(r), value(r)));
      add(3, r -> new ReplaceValue(key(r), value(r), value(r)));
      add(2, r -> new GetAndReplace(key(r), value(r)));
      add(2, r -> new RemoveAllOf(someKeys(r)));
      add(4, r -> new InvokeIncrement(key(r)));
      add(2, r -> new InvokeRemove(key(r)));
      add(1, r -> new InvokeRemoveThenSet(key(r), value(r)));
      add(1, r -> new InvokeSetThenRemove(key(r), value(r)));
      add(1, r -> new InvokeRead(key(r)));
      add(1, r -> new InvokeAllIncrement(someKeys(r)));
      add(1, r -> new Iterate(scope, r.nextBoolean()));
      if (global) {
        add(1, r -> new RemoveAll());
        add(1, r -> new Clear());
      }
    }

    private void add(int weight, Function<Random, Op> kind) {
      for (int i = 0; i < weight; i++) {
        kinds.add(kind);
      }
    }

    Op next(Random r) {
      return kinds.get(r.nextInt(kinds.size())).apply(r);
    }

    List<Op> sequence(Random r, int length) {
      List<Op> ops = new ArrayList<>(length);
      for (int i = 0; i < length; i++) {
        ops.add(next(r));
      }
      return ops;
    }

    private String key(Random r) {
      return keys.get(r.nextInt(keys.size()));
    }

    private static long value(Random r) {
      return r.nextInt(5);
    }

    /** Each key with probability 1/3: often empty or one key, sometimes several. */
    private Set<String> someKeys(Random r) {
      Set<String> some = new TreeSet<>();
      for (String k : keys) {
        if (r.nextInt(3) == 0) {
          some.add(k);
        }
      }
      return some;
    }

    private Map<String, Long> someEntries(Random r) {
      Map<String, Long> some = new TreeMap<>();
      for (String k : someKeys(r)) {
        some.put(k, value(r));
      }
      return some;
    }
  }

  // ------------------------------------------------------------------ printing

  /** Java-like text for keys, so a printed sequence can be pasted into a test. */
  static String quote(Object o) {
    if (o instanceof String) {
      return "\"" + ((String) o).replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
    if (o instanceof Set) {
      List<String> parts = new ArrayList<>();
      ((Set<?>) o).forEach(k -> parts.add(quote(k)));
      return "Set.of(" + String.join(", ", parts) + ")";
    }
    if (o instanceof Map) {
      List<String> parts = new ArrayList<>();
      ((Map<?, ?>) o).forEach((k, v) -> parts.add(quote(k) + ", " + v + "L"));
      return "Map.of(" + String.join(", ", parts) + ")";
    }
    return String.valueOf(o);
  }

  /** Contents with quoted keys: the empty key and keys made of punctuation stay readable. */
  static String show(Map<String, ?> contents) {
    List<String> parts = new ArrayList<>();
    contents.forEach((k, v) -> parts.add(quote(k) + "=" + v));
    return "{" + String.join(", ", parts) + "}";
  }
}
