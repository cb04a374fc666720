package dev.cascade.internal.store;

import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XTrimArgs;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.models.stream.PendingMessages;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * What an operator reads and repairs in Redis, outside any cache's hot path: the caches recorded in
 * a Redis, one cache's queue partitions, leases and flushers, its dead letters, one entry and the
 * queued records of its key. Knows bytes only; what they mean is {@code internal.admin}'s.
 *
 * <p>Every walk is incremental ({@code SCAN}, {@code XRANGE} with {@code COUNT}), so none blocks
 * the server for long. Blocking calls; thread-safe.
 */
public final class AdminStore {

  private static final int SCAN_COUNT = 1000;
  private static final byte[] META_PATTERN = ascii("cascade:*:meta");
  private static final byte[] KEY = {'k'};
  private static final byte[] OP = {'o'};
  private static final byte[] VALUE = {'v'};

  private final RedisAccess redis;
  private final RedisClusterAsyncCommands<byte[], byte[]> commands;

  public AdminStore(RedisAccess redis) {
    this.redis = redis;
    this.commands = redis.commands();
  }

  public RedisAccess redis() {
    return redis;
  }

  // ------------------------------------------------------------------ caches

  /**
   * The names of every cache recorded in this Redis ({@code SCAN MATCH cascade:*:meta}, on every
   * master of a cluster), decoded from their percent-encoded form, sorted.
   */
  public List<String> cacheNames() {
    List<String> names = new ArrayList<>();
    scan(
        META_PATTERN,
        keys -> {
          for (byte[] k : keys) {
            String key = new String(k, StandardCharsets.UTF_8);
            String escaped = key.substring("cascade:".length(), key.length() - ":meta".length());
            // an entry whose own key ends in ":meta" matches the pattern too; an escaped cache
            // name never holds ':' or '{'
            if (!escaped.isEmpty() && escaped.indexOf(':') < 0 && escaped.indexOf('{') < 0) {
              names.add(KeyLayout.unescape(escaped));
            }
          }
        });
    names.sort(null);
    return names;
  }

  /** How many entry keys the cache has (tombstones of pending deletes included): a full SCAN. */
  public long countEntries(KeyLayout layout) {
    long[] count = {0};
    scan(layout.entryPattern(), keys -> count[0] += keys.size());
    return count[0];
  }

  private void scan(byte[] pattern, Consumer<List<byte[]>> batch) {
    ScanArgs args = ScanArgs.Builder.matches(pattern).limit(SCAN_COUNT);
    KeyScanCursor<byte[]> cursor = redis.await(commands.scan(args), "scanning for caches");
    while (true) {
      batch.accept(cursor.getKeys());
      if (cursor.isFinished()) {
        return;
      }
      ScanCursor next = cursor;
      cursor = redis.await(commands.scan(next, args), "scanning for caches");
    }
  }

  // ------------------------------------------------------------------ queues

  /** One partition's queue as Redis has it now. */
  public record Partition(
      int partition,
      long depth,
      long unacknowledged,
      String oldestId,
      String leaseToken,
      long leaseTtlMillis) {}

  /** Every partition's queue, lease and pending count, read in one pipelined round. */
  public List<Partition> partitions(KeyLayout layout) {
    int n = layout.partitions();
    List<CompletableFuture<Long>> depths = new ArrayList<>(n);
    List<CompletableFuture<List<StreamMessage<byte[], byte[]>>>> firsts = new ArrayList<>(n);
    List<CompletableFuture<byte[]>> leases = new ArrayList<>(n);
    List<CompletableFuture<Long>> ttls = new ArrayList<>(n);
    List<CompletableFuture<PendingMessages>> pendings = new ArrayList<>(n);
    for (int p = 0; p < n; p++) {
      byte[] stream = layout.streamKey(p);
      depths.add(commands.xlen(stream).toCompletableFuture());
      firsts.add(
          commands
              .xrange(stream, Range.create("-", "+"), Limit.create(0, 1))
              .toCompletableFuture());
      leases.add(commands.get(layout.leaseKey(p)).toCompletableFuture());
      ttls.add(commands.pttl(layout.leaseKey(p)).toCompletableFuture());
      pendings.add(
          commands
              .xpending(stream, ascii(QueueStore.GROUP))
              .toCompletableFuture()
              // a stream nothing was queued to yet has no group
              .exceptionally(e -> null));
    }
    String what = "reading the write-behind queues of " + layout.describe();
    List<Partition> out = new ArrayList<>(n);
    for (int p = 0; p < n; p++) {
      List<StreamMessage<byte[], byte[]>> first = redis.await(firsts.get(p), what);
      byte[] lease = redis.await(leases.get(p), what);
      PendingMessages pending = redis.await(pendings.get(p), what);
      out.add(
          new Partition(
              p,
              redis.await(depths.get(p), what),
              pending == null ? 0 : pending.getCount(),
              first.isEmpty() ? null : first.get(0).getId(),
              lease == null ? null : new String(lease, StandardCharsets.US_ASCII),
              lease == null ? -1 : redis.await(ttls.get(p), what)));
    }
    return out;
  }

  /** The flushers' heartbeats: owner to the epoch ms of its last beat. */
  public Map<String, Long> flushers(KeyLayout layout) {
    Map<byte[], byte[]> all =
        redis.await(
            commands.hgetall(layout.flushersKey()), "reading the flushers of " + layout.describe());
    Map<String, Long> out = new LinkedHashMap<>();
    all.forEach(
        (k, v) -> {
          try {
            out.put(
                new String(k, StandardCharsets.US_ASCII),
                Long.parseLong(new String(v, StandardCharsets.US_ASCII)));
          } catch (NumberFormatException e) {
            out.put(new String(k, StandardCharsets.US_ASCII), -1L);
          }
        });
    return out;
  }

  /** The queued records of one encoded key in its partition's stream, oldest first. */
  public record Queued(String id, boolean delete, byte[] value, boolean read) {}

  /**
   * The records queued for {@code encodedKey}, found by walking its partition's stream in slices of
   * 1,000 (a key has at most one unread record, plus those a flusher holds), at most {@code
   * maxScanned} records.
   */
  public List<Queued> queuedFor(KeyLayout layout, byte[] encodedKey, int maxScanned) {
    int p = layout.partition(encodedKey);
    byte[] stream = layout.streamKey(p);
    String what = "reading the write-behind queue of " + layout.describe();
    List<Queued> found = new ArrayList<>();
    String from = "-";
    int scanned = 0;
    while (scanned < maxScanned) {
      List<StreamMessage<byte[], byte[]>> slice =
          redis.await(
              commands.xrange(stream, Range.create(from, "+"), Limit.create(0, SCAN_COUNT)), what);
      for (StreamMessage<byte[], byte[]> m : slice) {
        Map<byte[], byte[]> body = m.getBody();
        if (body != null && Arrays.equals(field(body, KEY), encodedKey)) {
          byte[] op = field(body, OP);
          found.add(new Queued(m.getId(), op != null && op[0] == 'd', field(body, VALUE), false));
        }
      }
      scanned += slice.size();
      if (slice.size() < SCAN_COUNT) {
        break;
      }
      from = "(" + slice.get(slice.size() - 1).getId();
    }
    if (found.isEmpty()) {
      return found;
    }
    // which of them a flusher has read (and not yet acknowledged)
    List<Queued> marked = new ArrayList<>(found.size());
    for (Queued q : found) {
      List<?> pending =
          redis.await(
              commands
                  .xpending(
                      stream,
                      ascii(QueueStore.GROUP),
                      Range.create(q.id(), q.id()),
                      Limit.create(0, 1))
                  .toCompletableFuture()
                  .exceptionally(e -> List.of()),
              what);
      marked.add(new Queued(q.id(), q.delete(), q.value(), !pending.isEmpty()));
    }
    return marked;
  }

  // ------------------------------------------------------------------ dead letters

  /** One dead letter as stored. */
  public record Letter(
      String id,
      int partition,
      String recordId,
      byte[] key,
      boolean delete,
      byte[] value,
      String error,
      int attempts) {

    /** When the record was dead-lettered (the first part of the letter's id, Redis' clock). */
    public long deadAt() {
      return Long.parseLong(id.substring(0, id.indexOf('-')));
    }
  }

  public long deadLetterCount(KeyLayout layout) {
    return redis.await(
        commands.xlen(layout.deadLetterKey()), "counting dead letters of " + layout.describe());
  }

  /**
   * Up to {@code count} dead letters after {@code after} (exclusive; null from the first), oldest
   * first.
   */
  public List<Letter> deadLetters(KeyLayout layout, String after, int count) {
    Range<String> range = Range.create(after == null ? "-" : "(" + after, "+");
    List<StreamMessage<byte[], byte[]>> messages =
        redis.await(
            commands.xrange(layout.deadLetterKey(), range, Limit.create(0, count)),
            "reading dead letters of " + layout.describe());
    List<Letter> out = new ArrayList<>(messages.size());
    for (StreamMessage<byte[], byte[]> m : messages) {
      out.add(toLetter(m));
    }
    return out;
  }

  /** The dead letter with this id, or null. */
  public Letter deadLetter(KeyLayout layout, String id) {
    List<StreamMessage<byte[], byte[]>> messages =
        redis.await(
            commands.xrange(layout.deadLetterKey(), Range.create(id, id), Limit.create(0, 1)),
            "reading dead letters of " + layout.describe());
    return messages.isEmpty() ? null : toLetter(messages.get(0));
  }

  /** The newest dead letter's id, or null when there is none. */
  public String newestDeadLetterId(KeyLayout layout) {
    List<StreamMessage<byte[], byte[]>> last =
        redis.await(
            commands.xrevrange(layout.deadLetterKey(), Range.create("-", "+"), Limit.create(0, 1)),
            "reading dead letters of " + layout.describe());
    return last.isEmpty() ? null : last.get(0).getId();
  }

  /** Deletes these dead letters; returns how many existed. */
  public long deleteDeadLetters(KeyLayout layout, List<String> ids) {
    if (ids.isEmpty()) {
      return 0;
    }
    return redis.await(
        commands.xdel(layout.deadLetterKey(), ids.toArray(new String[0])),
        "deleting dead letters of " + layout.describe());
  }

  /**
   * Deletes every dead letter up to and including {@code newest} ({@code XTRIM MINID}): letters
   * written after the operator looked stay.
   */
  public long deleteDeadLettersUpTo(KeyLayout layout, String newest) {
    int dash = newest.indexOf('-');
    String next = newest.substring(0, dash + 1) + (Long.parseLong(newest.substring(dash + 1)) + 1);
    return redis.await(
        commands.xtrim(layout.deadLetterKey(), XTrimArgs.Builder.minId(next)),
        "deleting dead letters of " + layout.describe());
  }

  private static Letter toLetter(StreamMessage<byte[], byte[]> m) {
    Map<byte[], byte[]> body = m.getBody();
    byte[] op = field(body, OP);
    return new Letter(
        m.getId(),
        (int) number(field(body, DeadLetterFields.PARTITION), -1),
        text(field(body, DeadLetterFields.RECORD)),
        field(body, KEY),
        op != null && op.length > 0 && op[0] == 'd',
        field(body, VALUE),
        text(field(body, DeadLetterFields.ERROR)),
        (int) number(field(body, DeadLetterFields.ATTEMPTS), 0));
  }

  // ------------------------------------------------------------------ entries

  /** One entry as stored: value, logical expiry, pending record id, native TTL. */
  public record Entry(byte[] value, Long expiresAt, String pendingId, long ttlMillis) {}

  /** The entry of an encoded key ({@code HGETALL} and {@code PTTL}), or null when there is none. */
  public Entry entry(KeyLayout layout, byte[] encodedKey) {
    byte[] key = layout.entryKey(encodedKey);
    CompletableFuture<Map<byte[], byte[]>> fields = commands.hgetall(key).toCompletableFuture();
    CompletableFuture<Long> ttl = commands.pttl(key).toCompletableFuture();
    String what = "reading an entry of " + layout.describe();
    Map<byte[], byte[]> all = redis.await(fields, what);
    long pttl = redis.await(ttl, what);
    if (all.isEmpty()) {
      return null;
    }
    byte[] x = field(all, EntryStore.EXPIRY);
    return new Entry(
        field(all, EntryStore.VALUE),
        x == null ? null : number(x, 0),
        text(field(all, EntryStore.PENDING)),
        pttl);
  }

  private static byte[] field(Map<byte[], byte[]> body, byte[] name) {
    for (Map.Entry<byte[], byte[]> f : body.entrySet()) {
      if (Arrays.equals(f.getKey(), name)) {
        return f.getValue();
      }
    }
    return null;
  }

  private static String text(byte[] b) {
    return b == null ? null : new String(b, StandardCharsets.UTF_8);
  }

  private static long number(byte[] b, long otherwise) {
    try {
      return b == null ? otherwise : Long.parseLong(new String(b, StandardCharsets.US_ASCII));
    } catch (NumberFormatException e) {
      return otherwise;
    }
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
