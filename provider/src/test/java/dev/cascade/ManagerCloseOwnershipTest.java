package dev.cascade;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cascade.testing.Await;
import dev.cascade.testing.MapDatabase;
import dev.cascade.testing.RedisServer;
import dev.cascade.testing.WithRedis;
import dev.cascade.writebehind.WriteBehind;
import java.io.Serializable;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.configuration.Factory;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.integration.CacheWriter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Who closes a manager, and when a close is over. A manager owned by a framework (Spring,
 * Hibernate) opts out of the provider's JVM shutdown hook ({@code cascade.shutdown-hook=false}),
 * which would otherwise close it under the framework; and a close() that finds another close
 * running waits for it, so the framework does not close the DataSource while the hook's drain still
 * writes.
 */
@WithRedis
@Timeout(120)
class ManagerCloseOwnershipTest {

  /** Latches and outcomes of the writers below, by cache name (writers are made from factories). */
  static final Map<String, CountDownLatch> ENTERED = new ConcurrentHashMap<>();

  static final Map<String, CountDownLatch> RELEASE = new ConcurrentHashMap<>();
  static final Map<String, CacheManager> CLOSE_FROM_WRITER = new ConcurrentHashMap<>();

  private final List<CacheManager> opened = new ArrayList<>();

  @AfterEach
  void cleanUp() {
    RELEASE.values().forEach(CountDownLatch::countDown);
    opened.forEach(CacheManager::close);
    ENTERED.clear();
    RELEASE.clear();
    CLOSE_FROM_WRITER.clear();
  }

  @Test
  void aSecondClose_waitsUntilTheFirstClosesDrainEnded(RedisServer redis) throws Exception {
    CacheManager manager = Managers.open(redis.uri());
    opened.add(manager);
    String name = Managers.uniqueName("drained");
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    ENTERED.put(name, entered);
    RELEASE.put(name, release);
    writeBehindCache(manager, name).put("k", "v");

    Thread first = new Thread(manager::close, "first-close");
    first.start();
    assertTrue(entered.await(60, TimeUnit.SECONDS), "the first close's drain called the writer");

    AtomicReference<String> drainedWhenReturned = new AtomicReference<>("not returned");
    Thread second =
        new Thread(
            () -> {
              manager.close();
              drainedWhenReturned.set(String.valueOf(MapDatabase.table(name).get("k")));
            },
            "second-close");
    second.start();
    // either it returned (the defect) or it waits inside close() for the first one
    Await.until(
        "the second close() returned or waits",
        () ->
            second.getState() == Thread.State.TERMINATED
                || second.getState() == Thread.State.WAITING && insideClose(second));
    release.countDown();
    second.join(60_000);
    first.join(60_000);

    assertEquals(
        "v",
        drainedWhenReturned.get(),
        "when the second close() returned, the first one's drain had written the record");
  }

  @Test
  void aWriterThatClosesItsManager_whileTheManagerDrains_doesNotDeadlock(RedisServer redis)
      throws Exception {
    CacheManager manager = Managers.open(redis.uri());
    opened.add(manager);
    String name = Managers.uniqueName("selfClosing");
    CLOSE_FROM_WRITER.put(name, manager);
    writeBehindCache(manager, name).put("k", "v");

    Thread closing = new Thread(manager::close, "closing");
    closing.start();
    closing.join(60_000);

    assertFalse(closing.isAlive(), "close() returned while the writer called close() too");
    assertEquals("v", MapDatabase.table(name).get("k"), "the writer wrote before it closed");
  }

  @Test
  void theShutdownHook_closesOnlyManagersThatDidNotOptOut(RedisServer redis) {
    CascadeCachingProvider provider = new CascadeCachingProvider();
    Properties owned = new Properties();
    owned.setProperty("cascade.shutdown-hook", "false");
    CacheManager frameworks =
        provider.getCacheManager(URI.create(redis.uri()), getClass().getClassLoader(), owned);
    opened.add(frameworks);
    writeBehindCache(frameworks, Managers.uniqueName("owned"));
    assertNull(provider.exitHook(), "a manager that opted out registers no hook");

    // the same server by another URI: a second manager of this provider, with the default
    CacheManager plain =
        provider.getCacheManager(
            URI.create(redis.uri().replace("127.0.0.1", "localhost")), getClass().getClassLoader());
    opened.add(plain);
    writeBehindCache(plain, Managers.uniqueName("plain"));
    Thread hook = provider.exitHook();
    assertNotNull(hook, "a plain manager's write-behind cache registers the hook");

    hook.run(); // what the JVM runs at exit, here on this thread

    assertTrue(plain.isClosed(), "the hook closed the plain manager");
    assertFalse(frameworks.isClosed(), "the hook left the framework's manager to its owner");
    // it holds the provider's class loaders, and would close nothing now
    assertNull(provider.exitHook(), "the last manager the hook closes took the hook away");
    assertFalse(Runtime.getRuntime().removeShutdownHook(hook), "the JVM no longer holds the hook");
  }

  private static boolean insideClose(Thread t) {
    for (StackTraceElement e : t.getStackTrace()) {
      if (e.getClassName().equals(CascadeCacheManager.class.getName())
          && e.getMethodName().equals("close")) {
        return true;
      }
    }
    return false;
  }

  private static Cache<String, String> writeBehindCache(CacheManager manager, String name) {
    return manager.createCache(
        name,
        new MutableConfiguration<String, String>()
            .setTypes(String.class, String.class)
            .setWriteThrough(true)
            .setCacheWriterFactory(
                WriteBehind.of(new HoldingWriterFactory(name))
                    // nothing flushes before the close: the drain writes
                    .maxDelay(Duration.ofMinutes(10))
                    .drainTimeout(Duration.ofSeconds(60))
                    .build()));
  }

  /**
   * A MapDatabase writer that says when it is called ({@link #ENTERED}), waits for {@link #RELEASE}
   * (at most 60 s), and closes the manager of {@link #CLOSE_FROM_WRITER}, when the test says so.
   */
  public static final class HoldingWriterFactory
      implements Factory<CacheWriter<String, String>>, Serializable {
    private static final long serialVersionUID = 1L;
    private final String name;

    HoldingWriterFactory(String name) {
      this.name = name;
    }

    @Override
    public CacheWriter<String, String> create() {
      CacheWriter<String, String> table = MapDatabase.<String, String>writerFactory(name).create();
      return new CacheWriter<>() {
        @Override
        public void write(Cache.Entry<? extends String, ? extends String> entry) {
          hold();
          table.write(entry);
          closeManager();
        }

        @Override
        public void writeAll(Collection<Cache.Entry<? extends String, ? extends String>> entries) {
          hold();
          table.writeAll(entries);
          closeManager();
        }

        @Override
        public void delete(Object key) {
          table.delete(key);
        }

        @Override
        public void deleteAll(Collection<?> keys) {
          table.deleteAll(keys);
        }
      };
    }

    private void hold() {
      CountDownLatch entered = ENTERED.get(name);
      CountDownLatch release = RELEASE.get(name);
      if (entered != null) {
        entered.countDown();
      }
      if (release != null) {
        try {
          release.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }

    private void closeManager() {
      CacheManager manager = CLOSE_FROM_WRITER.get(name);
      if (manager != null) {
        manager.close();
      }
    }
  }
}
