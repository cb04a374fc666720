package dev.cascade.internal.admin;

import dev.cascade.CascadeAdmin.CacheInfo;
import dev.cascade.CascadeAdmin.DeadLetter;
import dev.cascade.CascadeAdmin.FlusherStatus;
import dev.cascade.CascadeAdmin.KeyStatus;
import dev.cascade.CascadeAdmin.PartitionStatus;
import dev.cascade.CascadeAdmin.QueueStatus;
import dev.cascade.CascadeAdmin.QueuedChange;
import dev.cascade.CascadeAdmin.Replay;
import dev.cascade.CascadeAdmin.ReplayResult;
import dev.cascade.internal.config.ManagerSettings;
import dev.cascade.internal.store.AdminStore;
import dev.cascade.internal.store.AdminStore.Letter;
import dev.cascade.internal.store.QueueStore;
import dev.cascade.internal.store.RedisAccess;
import dev.cascade.internal.store.RegistryStore;
import dev.cascade.writebehind.WriteBehindSettings;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The operations of {@code CascadeAdmin} on one Redis: each reads the cache's registry entry first,
 * so a cache that is not there (or not write-behind) gets an error naming it and the Redis.
 * Thread-safe.
 */
public final class Administration {

  /** Dead letters read per round trip when walking them. */
  private static final int PAGE = 100;

  /** Dead letters searched for one key's ({@code inspect}). */
  private static final int LETTERS_SEARCHED = 10_000;

  /** Queue records walked for one key's ({@code inspect}). */
  private static final int RECORDS_SEARCHED = 100_000;

  /** A flusher is counted alive when it beat within this (as flushers count each other). */
  private static final long ALIVE_MILLIS = 3 * WriteBehindSettings.DEFAULT_LEASE_TTL.toMillis();

  private final AdminStore store;
  private final RegistryStore registry;
  private final ViewCodecs.Source codecs;
  private final DeadLetterReplay replay;
  private final RedisAccess redis;

  /** On a manager's settings: each cache decodes as its registry entry and the settings say. */
  public Administration(RedisAccess redis, ManagerSettings settings, ClassLoader loader) {
    this(redis, new RecordedCodecs(settings, loader));
  }

  /**
   * @param codecs the codecs each cache's view decodes with
   */
  public Administration(RedisAccess redis, ViewCodecs.Source codecs) {
    this.redis = redis;
    this.store = new AdminStore(redis);
    this.registry = new RegistryStore(redis);
    this.codecs = codecs;
    this.replay = new DeadLetterReplay(store);
  }

  public String server() {
    return registry.server();
  }

  // ------------------------------------------------------------------ caches and queues

  public List<CacheInfo> caches(boolean countEntries) {
    List<CacheInfo> out = new ArrayList<>();
    for (String name : store.cacheNames()) {
      Map<String, String> record = registry.read(name);
      if (record.isEmpty()) {
        continue; // destroyed since the scan
      }
      CacheView view = view(name, record);
      out.add(
          new CacheInfo(
              name,
              view.keyType,
              view.valueType,
              view.codec(),
              view.layout.partitions(),
              view.isWriteBehind(),
              view.queueBound,
              countEntries ? store.countEntries(view.layout) : -1,
              view.record));
    }
    return out;
  }

  public QueueStatus queue(String name) {
    CacheView view = writeBehindView(name);
    long now = redis.clock().millis(); // compared with stream ids, which are Redis's time
    List<PartitionStatus> partitions = new ArrayList<>();
    for (AdminStore.Partition p : store.partitions(view.layout)) {
      String holder = null;
      long epoch = -1;
      if (p.leaseToken() != null) {
        int colon = p.leaseToken().indexOf(':');
        holder = colon < 0 ? p.leaseToken() : p.leaseToken().substring(colon + 1);
        try {
          epoch = colon < 0 ? -1 : Long.parseLong(p.leaseToken().substring(0, colon));
        } catch (NumberFormatException e) {
          epoch = -1;
        }
      }
      partitions.add(
          new PartitionStatus(
              p.partition(),
              p.depth(),
              p.unacknowledged(),
              p.oldestId() == null ? -1 : Math.max(0, now - millisOf(p.oldestId())),
              holder,
              epoch,
              p.leaseTtlMillis()));
    }
    List<FlusherStatus> flushers = new ArrayList<>();
    for (Map.Entry<String, Long> f : store.flushers(view.layout).entrySet()) {
      long age = f.getValue() < 0 ? -1 : Math.max(0, now - f.getValue());
      flushers.add(new FlusherStatus(f.getKey(), age, age >= 0 && age <= ALIVE_MILLIS));
    }
    return new QueueStatus(name, partitions, flushers, store.deadLetterCount(view.layout));
  }

  // ------------------------------------------------------------------ dead letters

  public long deadLetterCount(String name) {
    return store.deadLetterCount(writeBehindView(name).layout);
  }

  public List<DeadLetter> deadLetters(String name, int max) {
    CacheView view = writeBehindView(name);
    List<DeadLetter> out = new ArrayList<>();
    String after = null;
    while (out.size() < max) {
      List<Letter> page = store.deadLetters(view.layout, after, Math.min(PAGE, max - out.size()));
      for (Letter l : page) {
        out.add(show(view, l));
      }
      if (page.isEmpty()) {
        break;
      }
      after = page.get(page.size() - 1).id();
    }
    return out;
  }

  /** Replays the dead letters with these ids, oldest first (so one key's letters stay in order). */
  public List<Replay> replay(String name, List<String> ids) {
    CacheView view = writeBehindView(name);
    List<String> ordered = new ArrayList<>(ids);
    ordered.sort(QueueStore.ID_ORDER);
    List<Replay> out = new ArrayList<>();
    for (String id : ordered) {
      Letter letter = store.deadLetter(view.layout, id);
      out.add(
          letter == null
              ? new Replay(id, null, ReplayResult.NOT_FOUND, "no such dead letter")
              : replay.replay(view, letter, redis.clock().millis()));
    }
    return out;
  }

  /**
   * Replays every dead letter that exists when the call starts, oldest first; letters written
   * meanwhile (a replayed record refused again) wait for the next call.
   */
  public List<Replay> replayAll(String name) {
    CacheView view = writeBehindView(name);
    String newest = store.newestDeadLetterId(view.layout);
    List<Replay> out = new ArrayList<>();
    String after = null;
    while (newest != null) {
      List<Letter> page = store.deadLetters(view.layout, after, PAGE);
      for (Letter l : page) {
        if (QueueStore.ID_ORDER.compare(l.id(), newest) > 0) {
          return out;
        }
        out.add(replay.replay(view, l, redis.clock().millis()));
      }
      if (page.size() < PAGE) {
        break;
      }
      after = page.get(page.size() - 1).id();
    }
    return out;
  }

  public long purge(String name, List<String> ids) {
    return store.deleteDeadLetters(writeBehindView(name).layout, ids);
  }

  /** Deletes every dead letter that exists when the call starts. */
  public long purgeAll(String name) {
    CacheView view = writeBehindView(name);
    String newest = store.newestDeadLetterId(view.layout);
    return newest == null ? 0 : store.deleteDeadLettersUpTo(view.layout, newest);
  }

  // ------------------------------------------------------------------ one key

  /**
   * @param keyText the key as text ({@link CacheView#encodeKey}), or null when {@code encodedKey}
   *     is given
   */
  public KeyStatus inspect(String name, String keyText, byte[] encodedKey) {
    CacheView view = view(name);
    byte[] key = encodedKey != null ? encodedKey : view.encodeKey(keyText);
    AdminStore.Entry entry = store.entry(view.layout, key);
    List<QueuedChange> queued = new ArrayList<>();
    List<DeadLetter> letters = new ArrayList<>();
    if (view.isWriteBehind()) {
      for (AdminStore.Queued q : store.queuedFor(view.layout, key, RECORDS_SEARCHED)) {
        queued.add(new QueuedChange(q.id(), q.delete(), view.showValue(q.value()), q.read()));
      }
      String after = null;
      for (int searched = 0; searched < LETTERS_SEARCHED; ) {
        List<Letter> page = store.deadLetters(view.layout, after, PAGE * 10);
        for (Letter l : page) {
          if (Arrays.equals(l.key(), key)) {
            letters.add(show(view, l));
          }
        }
        searched += page.size();
        if (page.size() < PAGE * 10) {
          break;
        }
        after = page.get(page.size() - 1).id();
      }
    }
    boolean present = entry != null && entry.value() != null;
    return new KeyStatus(
        name,
        view.showKey(key),
        view.layout.partition(key),
        present,
        present ? view.showValue(entry.value()) : null,
        entry == null || entry.expiresAt() == null ? -1 : entry.expiresAt(),
        entry == null ? -2 : entry.ttlMillis(),
        entry == null ? null : entry.pendingId(),
        queued,
        letters);
  }

  // ------------------------------------------------------------------ helpers

  private CacheView view(String name) {
    Map<String, String> record = registry.read(name);
    if (record.isEmpty()) {
      List<String> known = new ArrayList<>(store.cacheNames());
      known.removeIf(other -> registry.read(other).isEmpty()); // destroyed: only a mark is left
      throw new IllegalArgumentException(
          "Redis at "
              + server()
              + " has no cache '"
              + name
              + "'"
              + (known.isEmpty() ? " (it has no Cascade caches)" : "; its caches: " + known));
    }
    return view(name, record);
  }

  private CacheView view(String name, Map<String, String> record) {
    return new CacheView(name, record, codecs.codecsFor(name, record), store.redis());
  }

  private CacheView writeBehindView(String name) {
    CacheView view = view(name);
    if (!view.isWriteBehind()) {
      throw new IllegalArgumentException(
          "Cache '"
              + name
              + "' at "
              + server()
              + " is not a write-behind cache: it has no queue and no dead letters");
    }
    return view;
  }

  private static DeadLetter show(CacheView view, Letter l) {
    return new DeadLetter(
        l.id(),
        l.deadAt(),
        l.partition(),
        l.recordId(),
        view.showKey(l.key()),
        l.delete(),
        view.showValue(l.value()),
        l.error(),
        l.attempts());
  }

  private static long millisOf(String streamId) {
    return Long.parseLong(streamId.substring(0, streamId.indexOf('-')));
  }
}
