package dev.cascade.internal.writebehind;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cascade.internal.codec.Codecs;
import dev.cascade.internal.store.KeyLayout;
import dev.cascade.internal.store.QueueStore;
import dev.cascade.internal.store.RedisAccess;
import dev.cascade.internal.store.RedisTarget;
import dev.cascade.testing.RedisServer;
import dev.cascade.testing.WithRedis;
import dev.cascade.writebehind.WriteBehind;
import dev.cascade.writebehind.WriteBehindSettings;
import io.lettuce.core.Consumer;
import io.lettuce.core.XReadArgs;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import javax.cache.Cache;
import javax.cache.configuration.FactoryBuilder;
import javax.cache.integration.CacheWriter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A flusher cut off from Redis for longer than its lease comes back before its coordinator noticed
 * the loss: its partition's records are now pending for the flusher that took the lease, idle while
 * that one waits for the database. The stale flusher must not claim them and write them: the new
 * holder writes newer values of their keys meanwhile, and the old batch would land after them. Nor
 * may it call the writer for records it still holds once another flusher could have claimed them: a
 * retry from memory after a backoff, the deletes after a slow call for the puts.
 */
@WithRedis
@Timeout(30)
class StaleFlusherClaimTest {

  private static final String GROUP = QueueStore.GROUP;

  private RedisAccess redis;
  private QueueStore queue;
  private KeyLayout layout;
  private ExecutorService callers;

  @BeforeEach
  void open(RedisServer server) {
    redis = RedisAccess.connect(RedisTarget.parse(server.uri(), Duration.ofSeconds(5)));
    layout = new KeyLayout("stale-claim-" + System.nanoTime(), 1);
    queue = new QueueStore(redis, layout);
    queue.ensureGroups();
    callers = Executors.newCachedThreadPool();
  }

  @AfterEach
  void close() {
    callers.shutdownNow();
    redis.close();
  }

  @Test
  void aFlusherWhoseLeaseWasTaken_neitherClaimsNorWritesTheHoldersRecords() throws Exception {
    queue.acquireLease(0, "holder", Duration.ofSeconds(30));
    append("p", "k0");
    append("p", "k1");
    redis
        .commands()
        .xreadgroup(
            Consumer.from(b(GROUP), b("holder")),
            XReadArgs.Builder.count(2),
            XReadArgs.StreamOffset.lastConsumed(layout.streamKey(0)))
        .get();
    Thread.sleep(400); // the holder's records are idle past claimIdle
    Counting writer = new Counting();
    // its tenure, long over: the lease now holds the holder's token
    PartitionFlush stale = flusher(writer, "stale", "1:stale");

    assertEquals(PartitionFlush.Step.LEASE_LOST, stale.step(System.currentTimeMillis(), true));

    assertEquals(0, writer.calls.get(), "the stale flusher called the writer");
    assertEquals(2L, queue.pendingOfOthers(0, "stale"), "the holder's records stay the holder's");
  }

  @Test
  void aFlusherRetryingItsBatchAfterTheLeaseWasTaken_doesNotCallTheWriter() throws Exception {
    String token = queue.acquireLease(0, "flusher", Duration.ofSeconds(30));
    append("p", "k0");
    append("p", "k1");
    Scripted writer = new Scripted();
    writer.failing = true; // the database is down for the first attempt: the batch stays held
    // writer timeout and claimIdle long enough for a loaded machine: a writer call that does not
    // return within the timeout would end the step as hung, not as this test means
    PartitionFlush flusher =
        flusher(writer, "flusher", token, Duration.ofSeconds(2), Duration.ofSeconds(4));
    assertEquals(PartitionFlush.Step.FLUSHED, flusher.step(System.currentTimeMillis(), true));
    int attempts = writer.writeAlls.get();
    writer.failing = false;

    // paused through its backoff past its lease and half the margin between claimIdle and the
    // writer timeout (1 s): another flusher takes the partition and claims the records (at once
    // here; a real one waits until they are idle for claimIdle), then writes newer values
    Thread.sleep(1_200);
    takeOver(Duration.ZERO);

    // the retry comes from memory: the batch is full, so nothing new is read before the writer
    PartitionFlush.Step step = flusher.step(System.currentTimeMillis() + 3_600_000, true);
    assertEquals(PartitionFlush.Step.LEASE_LOST, step);
    assertEquals(
        attempts, writer.writeAlls.get(), "the old holder wrote the claimed records again");
  }

  @Test
  void aLeaseLostWhileThePutsAreWritten_stopsTheFlushBeforeTheDeletes() throws Exception {
    String token = queue.acquireLease(0, "flusher", Duration.ofSeconds(30));
    append("p", "k0");
    append("d", "k1");
    Scripted writer = new Scripted();
    writer.duringWriteAll =
        () -> {
          // the flusher's lease runs out while its writeAll takes more than half the margin
          // between claimIdle and writerTimeout (1 s here), and less than writerTimeout
          try {
            takeOver(Duration.ZERO);
            Thread.sleep(1_200);
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        };
    PartitionFlush flusher =
        flusher(writer, "flusher", token, Duration.ofSeconds(3), Duration.ofSeconds(5));

    assertEquals(PartitionFlush.Step.LEASE_LOST, flusher.step(System.currentTimeMillis(), true));
    assertEquals(1, writer.writeAlls.get());
    assertEquals(0, writer.deleteAlls.get(), "the delete was written after the lease was gone");
  }

  private void append(String op, String key) throws Exception {
    Map<byte[], byte[]> body = new java.util.LinkedHashMap<>();
    body.put(b("k"), b(key));
    body.put(b("o"), b(op));
    if (op.equals("p")) {
      body.put(b("v"), b("v"));
    }
    redis.commands().xadd(layout.streamKey(0), body).get();
  }

  /** Another flusher takes the lease and claims the records idle for {@code minIdle}. */
  private void takeOver(Duration minIdle) throws Exception {
    redis.commands().del(layout.leaseKey(0)).get();
    queue.acquireLease(0, "holder", Duration.ofSeconds(30));
    queue.claimAbandoned(0, "holder", minIdle, 100);
  }

  /** A flusher of batches of 2, with a writer timeout of 100 ms and claimIdle of 200 ms. */
  private PartitionFlush flusher(
      CacheWriter<String, String> writer, String consumer, String token) {
    return flusher(writer, consumer, token, Duration.ofMillis(100), Duration.ofMillis(200));
  }

  private PartitionFlush flusher(
      CacheWriter<String, String> writer,
      String consumer,
      String token,
      Duration writerTimeout,
      Duration claimIdle) {
    WriteBehindSettings settings =
        WriteBehind.settingsOf(
            WriteBehind.of(new FactoryBuilder.SingletonFactory<>(new Counting()))
                .batchSize(2)
                .writerTimeout(writerTimeout)
                .claimIdle(claimIdle)
                .build());
    return new PartitionFlush(
        0,
        queue,
        new WriterCalls<>(
            writer,
            Codecs.forKeys(String.class, null, getClass().getClassLoader()),
            Codecs.forValues(String.class, null, getClass().getClassLoader()),
            writerTimeout.toMillis(),
            callers,
            layout.cacheName()),
        settings,
        new WriteBehindStats(queue, () -> 1, () -> 0),
        consumer,
        () -> 0,
        token);
  }

  /** Counts its batch calls; fails or runs what the test says. */
  static final class Scripted implements CacheWriter<String, String> {
    final AtomicInteger writeAlls = new AtomicInteger();
    final AtomicInteger deleteAlls = new AtomicInteger();
    volatile boolean failing;
    volatile Runnable duringWriteAll = () -> {};

    @Override
    public void write(Cache.Entry<? extends String, ? extends String> entry) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void writeAll(Collection<Cache.Entry<? extends String, ? extends String>> entries) {
      writeAlls.incrementAndGet();
      if (failing) {
        throw new IllegalStateException("the database is down");
      }
      duringWriteAll.run();
      entries.clear();
    }

    @Override
    public void delete(Object key) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void deleteAll(Collection<?> keys) {
      deleteAlls.incrementAndGet();
      keys.clear();
    }
  }

  /** Counts the calls it gets. */
  static final class Counting implements CacheWriter<String, String> {
    final AtomicInteger calls = new AtomicInteger();

    @Override
    public void write(Cache.Entry<? extends String, ? extends String> entry) {
      calls.incrementAndGet();
    }

    @Override
    public void writeAll(Collection<Cache.Entry<? extends String, ? extends String>> entries) {
      calls.incrementAndGet();
      entries.clear();
    }

    @Override
    public void delete(Object key) {
      calls.incrementAndGet();
    }

    @Override
    public void deleteAll(Collection<?> keys) {
      calls.incrementAndGet();
      keys.clear();
    }
  }

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
