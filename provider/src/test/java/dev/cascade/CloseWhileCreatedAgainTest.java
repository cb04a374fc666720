package dev.cascade;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cascade.testing.RedisServer;
import dev.cascade.testing.WithRedis;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.configuration.FactoryBuilder;
import javax.cache.configuration.MutableCacheEntryListenerConfiguration;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.event.CacheEntryCreatedListener;
import javax.cache.event.CacheEntryEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A cache closed in one thread while another creates it again under the same name, in the same
 * CacheManager. The old handle's close gives back what it holds by the cache's name (channel
 * subscriptions, this JVM's listener marks, MBean names); a new handle that came between the close
 * forgetting the old one and that give-back lost them all: its listeners never heard another JVM
 * again. The close is held at that point (its cache's listener-marks lock, which the maintenance
 * thread holds while a renewal waits for a slow Redis) while the new handle is created.
 */
@WithRedis
@Timeout(60)
class CloseWhileCreatedAgainTest {

  static final Map<String, List<String>> HEARD = new ConcurrentHashMap<>();

  @Test
  void aCacheCreatedAgainWhileItsOldHandleCloses_hearsOtherJvms(RedisServer redis)
      throws Exception {
    CacheManager app = Managers.open(redis);
    CacheManager other = Managers.open(redis);
    try {
      String name = Managers.uniqueName("again");
      Cache<String, String> old = app.createCache(name, listened("old-" + name));
      Object marksLock = marksLockOf(old);

      CountDownLatch held = new CountDownLatch(1);
      CountDownLatch letGo = new CountDownLatch(1);
      Thread holder =
          new Thread(
              () -> {
                synchronized (marksLock) {
                  held.countDown();
                  awaitQuietly(letGo);
                }
              });
      holder.start();
      held.await();
      Thread closing = new Thread(old::close, "closing");
      closing.start();
      waitFor(() -> blockedIn(closing, "EventWiring"), "the close reached the marks lock");

      AtomicReference<Cache<String, String>> again = new AtomicReference<>();
      Thread creating =
          new Thread(() -> again.set(app.createCache(name, listened("new-" + name))), "creating");
      creating.start();
      // the old code lets the creation through at once; the fixed one holds it until the close ends
      waitFor(
          () -> !creating.isAlive() || creating.getState() == Thread.State.BLOCKED,
          "the creation ended or waits");
      letGo.countDown();
      closing.join(20_000);
      creating.join(20_000);
      holder.join(20_000);
      assertFalse(closing.isAlive() || creating.isAlive(), "close and create ended");

      other.getCache(name, String.class, String.class).put("k", "v");
      waitFor(
          () -> heard("new-" + name).contains("CREATED k=v"),
          "the cache created again hears the other JVM's put");
      assertTrue(heard("old-" + name).isEmpty(), "the closed handle heard nothing");
    } finally {
      app.close();
      other.close();
    }
  }

  private static MutableConfiguration<String, String> listened(String listener) {
    return new MutableConfiguration<String, String>()
        .setTypes(String.class, String.class)
        .addCacheEntryListenerConfiguration(
            new MutableCacheEntryListenerConfiguration<>(
                FactoryBuilder.factoryOf(new Recording(listener)), null, false, false));
  }

  /** The lock under which a cache's listener marks and subscriptions change (CacheCore's). */
  private static Object marksLockOf(Cache<?, ?> cache) throws Exception {
    Object operations = ((CascadeCache<?, ?>) cache).operations();
    Method core = operations.getClass().getDeclaredMethod("core");
    core.setAccessible(true);
    Object cacheCore = core.invoke(operations);
    Field lock = cacheCore.getClass().getDeclaredField("marksLock");
    lock.setAccessible(true);
    return lock.get(cacheCore);
  }

  private static boolean blockedIn(Thread t, String className) {
    if (t.getState() != Thread.State.BLOCKED) {
      return false;
    }
    for (StackTraceElement e : t.getStackTrace()) {
      if (e.getClassName().endsWith(className)) {
        return true;
      }
    }
    return false;
  }

  private static void waitFor(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!condition.getAsBoolean()) {
      assertTrue(System.nanoTime() < deadline, "timed out waiting until " + what);
      Thread.sleep(5);
    }
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  static List<String> heard(String listener) {
    return HEARD.computeIfAbsent(listener, l -> new CopyOnWriteArrayList<>());
  }

  static final class Recording
      implements CacheEntryCreatedListener<String, String>, java.io.Serializable {
    private static final long serialVersionUID = 1L;
    private final String name;

    Recording(String name) {
      this.name = name;
    }

    @Override
    public void onCreated(Iterable<CacheEntryEvent<? extends String, ? extends String>> events) {
      for (CacheEntryEvent<? extends String, ? extends String> e : events) {
        heard(name).add("CREATED " + e.getKey() + "=" + e.getValue());
      }
    }
  }
}
