package dev.cascade.internal.engine;

import dev.cascade.codec.Codec;
import dev.cascade.codec.CodecException;
import dev.cascade.internal.event.EntryChange;
import dev.cascade.internal.event.EventDispatcher;
import dev.cascade.internal.management.CacheStats;
import dev.cascade.internal.store.Outcome;
import dev.cascade.internal.support.WarningWindow;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.cache.event.EventType;
import javax.cache.integration.CacheLoader;
import javax.cache.integration.CacheWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every operation of one cache shares: its settings, codecs, engine, listeners, statistics,
 * loader and writer; and the small steps they all take (type checks, encoding, turning an {@link
 * Outcome} into events). Package-private: the operations are split over {@link EntryOperations}
 * (single entries), {@link BulkOperations} and {@link Invocations}.
 */
final class CacheCore<K, V> {

  private static final Logger LOG = LoggerFactory.getLogger(CacheCore.class);

  private final CacheSettings<K, V> settings;
  private final Codec<K> keys;
  private final Codec<V> values;
  private final EntryEngine engine;
  private final EntryReader reader;
  private final EventDispatcher<K, V> events;
  private final KeyOrder keyOrder;
  private final CacheStats stats;
  private final CacheLoader<K, V> loader;

  /** The writer called before each change: write-through caches only. */
  private final WriteThrough<K, V> writeThrough;

  /** The writer a write-behind cache calls itself when a full queue makes it write through. */
  private final WriteThrough<K, V> overflowWriter;

  /** Whether this JVM is marked in Redis as listening to this cache. */
  private volatile boolean listening;

  /**
   * Held while this JVM's listener marks of the cache change in Redis ({@link EventWiring}): per
   * cache, so one cache's renewal waiting out an unreachable Redis holds up no other cache.
   */
  final Object marksLock = new Object();

  /**
   * @param syncWriter the writer to call before every change (write-through), or null
   * @param overflowWriter the user's writer behind a write-behind cache whose overflow policy
   *     writes through, or null
   */
  CacheCore(
      CacheSettings<K, V> settings,
      Codec<K> keys,
      Codec<V> values,
      EntryEngine engine,
      EntryReader reader,
      EventDispatcher<K, V> events,
      CacheStats stats,
      CacheLoader<K, V> loader,
      CacheWriter<? super K, ? super V> syncWriter,
      CacheWriter<? super K, ? super V> overflowWriter) {
    this.settings = settings;
    this.keys = keys;
    this.values = values;
    this.engine = engine;
    this.reader = reader;
    this.events = events;
    this.keyOrder =
        new KeyOrder(
            settings.name, () -> !events.isEmpty(), engine.store().redis().target().timeout());
    this.stats = stats;
    this.loader = loader;
    this.writeThrough = syncWriter != null ? new WriteThrough<>(syncWriter) : null;
    this.overflowWriter = overflowWriter != null ? new WriteThrough<>(overflowWriter) : null;
  }

  // ------------------------------------------------------------------ what the operations share

  CacheSettings<K, V> settings() {
    return settings;
  }

  EntryEngine engine() {
    return engine;
  }

  /** Plain reads, the near cache, expiry on access. */
  EntryReader reader() {
    return reader;
  }

  /** Keeps one key's events in Redis's order while this JVM has listeners. */
  KeyOrder keyOrder() {
    return keyOrder;
  }

  /** The listeners registered in this JVM and their delivery. */
  EventDispatcher<K, V> events() {
    return events;
  }

  CacheStats stats() {
    return stats;
  }

  /** The user's loader, or null. */
  CacheLoader<K, V> loader() {
    return loader;
  }

  /** The writer called before each change (write-through caches only), or null. */
  WriteThrough<K, V> writeThrough() {
    return writeThrough;
  }

  /**
   * The writer a write-behind cache calls itself when a full queue makes it write through, or null.
   */
  WriteThrough<K, V> overflowWriter() {
    return overflowWriter;
  }

  /** True when misses are loaded through the user's loader. */
  boolean readsThrough() {
    return settings.readThrough && loader != null;
  }

  /** True when a read may change an entry, with events: a load, or reaping an expired entry. */
  boolean readsMayChange() {
    return readsThrough() || !engine.expiry().isEternal();
  }

  /**
   * The encoded keys of a bulk operation, for {@link KeyOrder}: a null collection, null keys and
   * keys that do not encode are left out (the operation refuses them itself, with its message,
   * before it changes anything).
   */
  List<byte[]> encodedKeys(Collection<? extends K> keys) {
    List<byte[]> encoded = new ArrayList<>();
    if (keys == null) {
      return encoded;
    }
    try {
      for (K key : keys) {
        if (key != null) {
          try {
            encoded.add(encodeKey(key));
          } catch (RuntimeException refused) {
            // the operation refuses it with its own message
          }
        }
      }
    } catch (RuntimeException iterating) {
      // a collection that fails while iterated fails the operation, with its own message
    }
    return encoded;
  }

  /**
   * Whether some other JVM listens to this cache (kept up to date by {@link EventWiring}); the
   * engine holds it, as it picks its scripts by it too.
   */
  boolean othersListen() {
    return engine.othersListen();
  }

  void othersListen(boolean others) {
    engine.othersListen(others);
  }

  boolean listening() {
    return listening;
  }

  void listening(boolean marked) {
    this.listening = marked;
  }

  /**
   * The writer that operations hand to the engine as their "before the change" step: the
   * write-through writer, or the overflow writer (which the engine calls only on a full queue).
   */
  WriteThrough<K, V> writerStep() {
    return writeThrough != null ? writeThrough : overflowWriter;
  }

  /**
   * True when a put or remove needs no examination, so a plain {@code HSET}/{@code DEL} does it:
   * entries never expire, nothing is queued or written through, and nobody listens, here or in
   * another JVM. Plain commands keep no operation log: one resent after a reconnect runs again,
   * which changes nothing (the same value set, the same key deleted), but its reply could then tell
   * "updated" for a create or "absent" for a delete; so a cache with listeners, which are told
   * exactly that, takes the logged script, and so does every {@code remove(key)}, whose boolean is
   * the caller's.
   */
  boolean plainWrites() {
    return writeThrough == null && !othersListen() && engine.plainEntries() && events.isEmpty();
  }

  /**
   * True when a put needs no examination but has listeners here to tell whether it created or
   * updated: as {@link #plainWrites}, but with listeners in this JVM (and none in another), none of
   * them asking for old values. Then {@code changes.lua} does it: the plain {@code HSET} with its
   * reply in the operation log, so a resent call still reports what its first send did; {@code
   * mutate.lua} would also read the entry, the listener marks and its 23 arguments for nothing.
   */
  boolean loggedPlainWrites() {
    return writeThrough == null
        && !othersListen()
        && engine.plainEntries()
        && !events.needsOldValues(EventType.UPDATED);
  }

  /** True when changes must take the key's lock (write-through: writer and cache change as one). */
  boolean locks() {
    return writeThrough != null;
  }

  void checkKey(K key) {
    if (key == null) {
      throw new NullPointerException("A key of cache '" + settings.name + "' is null");
    }
    if (settings.keyType != Object.class && !settings.keyType.isInstance(key)) {
      throw new ClassCastException(
          "Key "
              + key
              + " ("
              + key.getClass().getName()
              + ") is not a "
              + settings.keyType.getName()
              + ", the key type of cache '"
              + settings.name
              + "'");
    }
  }

  void checkValue(K key, V value) {
    if (value == null) {
      throw new NullPointerException(
          "The value for key " + key + " of cache '" + settings.name + "' is null");
    }
    if (settings.valueType != Object.class && !settings.valueType.isInstance(value)) {
      throw new ClassCastException(
          "Value "
              + value
              + " ("
              + value.getClass().getName()
              + ") is not a "
              + settings.valueType.getName()
              + ", the value type of cache '"
              + settings.name
              + "'");
    }
  }

  byte[] encodeKey(K key) {
    return keys.encode(key);
  }

  byte[] encodeValue(V value) {
    return values.encode(value);
  }

  V decodeValue(byte[] bytes) {
    if (bytes == null) {
      return null;
    }
    V value = values.decode(bytes);
    if (settings.valueType != Object.class && !settings.valueType.isInstance(value)) {
      throw notWrittenHere("value", value, settings.valueType);
    }
    return value;
  }

  /**
   * The old value a change returns ({@code getAndPut}, {@code getAndRemove}, {@code
   * getAndReplace}), read once the change is made: when it cannot be read, the caller must learn
   * that the change was made all the same (in Redis, and by the writer before it).
   */
  V decodeReplaced(byte[] bytes) {
    try {
      return decodeValue(bytes);
    } catch (CodecException e) {
      throw new CodecException(
          "The change was made, but the value it replaced in cache '"
              + settings.name
              + "' cannot be read: "
              + e.getMessage(),
          e);
    }
  }

  /**
   * An old or expired value for an event of a change already made: one that cannot be read is left
   * out of the event (as an event without its old value), with a WARNING at most once a minute, so
   * that the change is still heard.
   */
  private V decodeForEvent(byte[] bytes, K key) {
    try {
      return decodeValue(bytes);
    } catch (CodecException e) {
      long unreported = unreadableOldValues.admit();
      if (unreported >= 0) {
        LOG.warn(
            "Cache '{}': the old value of key {} cannot be read ({}); its event is delivered"
                + " without it{}",
            settings.name,
            key,
            e.getMessage(),
            unreported == 0 ? "" : " (and " + unreported + " more since the last warning)");
      }
      return null;
    }
  }

  private final WarningWindow unreadableOldValues =
      new WarningWindow(TimeUnit.MINUTES.toNanos(1), System::nanoTime);

  K decodeKey(byte[] bytes) {
    K key;
    try {
      key = keys.decode(bytes);
    } catch (CodecException e) {
      // the codec knows only the bytes: say which entry, so that an operator can look at it
      throw new CodecException(
          e.getMessage()
              + " (the key of the entry at Redis key '"
              + printable(engine.store().layout().entryKey(bytes))
              + "' in cache '"
              + settings.name
              + "'; if another program wrote it, delete it)",
          e);
    }
    if (settings.keyType != Object.class && !settings.keyType.isInstance(key)) {
      throw notWrittenHere("key", key, settings.keyType);
    }
    return key;
  }

  /** Bytes for a message: printable ASCII as it is, the rest as \\xNN, at most 160 bytes. */
  private static String printable(byte[] bytes) {
    StringBuilder out = new StringBuilder();
    int shown = Math.min(bytes.length, 160);
    for (int i = 0; i < shown; i++) {
      int b = bytes[i] & 0xff;
      if (b >= 0x20 && b < 0x7f && b != '\\') {
        out.append((char) b);
      } else {
        out.append(String.format("\\x%02x", b));
      }
    }
    return shown < bytes.length ? out + "... (" + bytes.length + " bytes)" : out.toString();
  }

  /**
   * A stored key or value of another type than the cache's: the codecs of JDK types decode whatever
   * type their bytes name, and handed back such an object would fail with a bare ClassCastException
   * at the caller's own line, or later inside a map from getAll.
   */
  private CodecException notWrittenHere(String what, Object found, Class<?> declared) {
    return new CodecException(
        "Cache '"
            + settings.name
            + "' holds a "
            + what
            + " of type "
            + found.getClass().getName()
            + ", not its "
            + what
            + " type "
            + declared.getName()
            + ": this cache did not write it (another program writing under its keys, or the"
            + " cache re-created with other types)");
  }

  /** True when some local listener wants this kind of event (so its old value must come back). */
  boolean hears(EventType type) {
    return !events.isEmpty() && events.listensTo(type);
  }

  /** True when a local listener of this kind of event needs the old value in its events. */
  boolean needsOld(EventType type) {
    return !events.isEmpty() && events.needsOldValues(type);
  }

  /**
   * Adds the events an outcome implies to {@code changes}.
   *
   * @param newValue the value written, for CREATED and UPDATED
   */
  void collect(List<EntryChange<K, V>> changes, K key, byte[] encodedKey, Outcome o, V newValue) {
    if (events.isEmpty()) {
      return;
    }
    int lane = Arrays.hashCode(encodedKey);
    if (o.expired() != null && events.listensTo(EventType.EXPIRED)) {
      changes.add(
          new EntryChange<>(EventType.EXPIRED, key, null, decodeForEvent(o.expired(), key), lane));
    }
    switch (o.status()) {
      case CREATED:
        if (events.listensTo(EventType.CREATED)) {
          changes.add(new EntryChange<>(EventType.CREATED, key, newValue, null, lane));
        }
        break;
      case UPDATED:
        if (events.listensTo(EventType.UPDATED)) {
          changes.add(
              new EntryChange<>(
                  EventType.UPDATED, key, newValue, decodeForEvent(o.old(), key), lane));
        }
        break;
      case DELETED:
        if (events.listensTo(EventType.REMOVED)) {
          changes.add(
              new EntryChange<>(EventType.REMOVED, key, null, decodeForEvent(o.old(), key), lane));
        }
        break;
      default:
        break;
    }
  }

  /** The event of an expired entry a read reaped. */
  void collectExpired(List<EntryChange<K, V>> changes, K key, byte[] encodedKey, byte[] expired) {
    if (expired != null && hears(EventType.EXPIRED)) {
      changes.add(
          new EntryChange<>(
              EventType.EXPIRED,
              key,
              null,
              decodeForEvent(expired, key),
              Arrays.hashCode(encodedKey)));
    }
  }

  void dispatch(List<EntryChange<K, V>> changes) {
    if (!changes.isEmpty()) {
      events.dispatch(changes);
    }
  }

  String describe() {
    return engine.store().describe();
  }
}
