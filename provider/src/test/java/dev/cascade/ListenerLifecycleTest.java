package dev.cascade;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cascade.testing.RedisServer;
import dev.cascade.testing.WithRedis;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.cache.Cache;
import javax.cache.CacheException;
import javax.cache.CacheManager;
import javax.cache.configuration.FactoryBuilder;
import javax.cache.configuration.MutableCacheEntryListenerConfiguration;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.event.CacheEntryCreatedListener;
import javax.cache.event.CacheEntryEvent;
import javax.cache.event.CacheEntryRemovedListener;
import javax.cache.event.CacheEntryUpdatedListener;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Registering and deregistering entry listeners while events are on their way: a deregistered
 * listener hears nothing more, and a registration that Redis refused leaves nothing behind.
 */
@WithRedis
@Timeout(60)
class ListenerLifecycleTest {

  /** What each listener heard, as "TYPE key=value", by listener name. */
  static final java.util.Map<String, List<String>> HEARD =
      new java.util.concurrent.ConcurrentHashMap<>();

  static final CountDownLatch RELEASE = new CountDownLatch(1);

  @Test
  void anAsyncListenerDeregisteredWhileItsEventsWait_isNotCalledAgain(RedisServer redis)
      throws Exception {
    CacheManager manager = Managers.open(redis);
    try {
      Cache<String, String> cache =
          manager.createCache(Managers.uniqueName("deregistered"), plain());
      MutableCacheEntryListenerConfiguration<String, String> blocking = listener("blocking");
      cache.registerCacheEntryListener(blocking);
      cache.registerCacheEntryListener(listener("witness"));

      cache.put("k", "1"); // "blocking" holds the key's lane on this event
      long deadline = System.currentTimeMillis() + 10_000;
      while (heard("blocking").isEmpty()) {
        assertTrue(System.currentTimeMillis() < deadline, "the first event never arrived");
        Thread.sleep(5);
      }
      cache.put("k", "2"); // queued behind it on the same lane, for both listeners
      cache.deregisterCacheEntryListener(blocking);
      RELEASE.countDown();
      cache.remove("k"); // the witness hears this after everything queued before it
      while (!heard("witness").contains("REMOVED k")) {
        assertTrue(System.currentTimeMillis() < deadline, "the witness never heard the remove");
        Thread.sleep(5);
      }

      assertEquals(List.of("CREATED k=1"), heard("blocking"), "called after it was deregistered");
      assertEquals(List.of("CREATED k=1", "UPDATED k=2", "REMOVED k"), heard("witness"));
    } finally {
      manager.close();
    }
  }

  @Test
  void aRegistrationRedisRefused_canBeMadeAgain_andHearsOtherJvms() throws Exception {
    try (RedisServer own = RedisServer.start()) {
      own.userRefusing("app", "pw");
      CacheManager app = Managers.open(own.uri("app", "pw"));
      CacheManager other = Managers.open(own);
      try {
        String name = Managers.uniqueName("refused-subscribe");
        Cache<String, String> cache = app.createCache(name, plain());
        MutableCacheEntryListenerConfiguration<String, String> config = listener("retried");
        own.command("ACL", "SETUSER", "app", "-subscribe");
        assertThrows(CacheException.class, () -> cache.registerCacheEntryListener(config));

        own.command("ACL", "SETUSER", "app", "+subscribe");
        cache.registerCacheEntryListener(config); // before: "already registered"
        other.createCache(name, plain()).put("remote", "v");
        long deadline = System.currentTimeMillis() + 10_000;
        while (!heard("retried").contains("CREATED remote=v")) {
          assertTrue(System.currentTimeMillis() < deadline, "another JVM's change was never heard");
          Thread.sleep(10);
        }
      } finally {
        app.close();
        other.close();
      }
    }
  }

  private static List<String> heard(String listener) {
    return HEARD.computeIfAbsent(listener, n -> new CopyOnWriteArrayList<>());
  }

  private static MutableConfiguration<String, String> plain() {
    return new MutableConfiguration<String, String>().setTypes(String.class, String.class);
  }

  private static MutableCacheEntryListenerConfiguration<String, String> listener(String name) {
    return new MutableCacheEntryListenerConfiguration<>(
        FactoryBuilder.factoryOf(new Recording(name)), null, false, false);
  }

  /** Records what it hears; "blocking" waits for {@link #RELEASE} on its first event. */
  static final class Recording
      implements CacheEntryCreatedListener<String, String>,
          CacheEntryUpdatedListener<String, String>,
          CacheEntryRemovedListener<String, String>,
          java.io.Serializable {
    private static final long serialVersionUID = 1L;
    private final String name;

    Recording(String name) {
      this.name = name;
    }

    private void record(Iterable<CacheEntryEvent<? extends String, ? extends String>> events) {
      for (CacheEntryEvent<? extends String, ? extends String> e : events) {
        heard(name)
            .add(
                e.getEventType()
                    + " "
                    + e.getKey()
                    + (e.getValue() == null ? "" : "=" + e.getValue()));
        if (name.equals("blocking")) {
          try {
            RELEASE.await(20, TimeUnit.SECONDS);
          } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
          }
        }
      }
    }

    @Override
    public void onCreated(Iterable<CacheEntryEvent<? extends String, ? extends String>> events) {
      record(events);
    }

    @Override
    public void onUpdated(Iterable<CacheEntryEvent<? extends String, ? extends String>> events) {
      record(events);
    }

    @Override
    public void onRemoved(Iterable<CacheEntryEvent<? extends String, ? extends String>> events) {
      record(events);
    }
  }
}
