package dev.cascade.samples.hibernate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cascade.testing.RedisServer;
import dev.cascade.testing.WithRedis;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * READ_WRITE across two JVMs (two SessionFactories with their own CacheManagers): a load in B reads
 * the row, and before it writes the entry, A updates the row, commits and writes the new entry.
 * hibernate-jcache's plain {@code put} then puts the old value over the new one, and both JVMs read
 * it until it expires; {@link CascadeRegionFactory}'s compare-and-set does not write it.
 */
@WithRedis
@Timeout(120)
class ReadWriteRaceTest {

  private final Catalogs catalogs = new Catalogs();
  private final ExecutorService reader = Executors.newSingleThreadExecutor();
  private Catalog a;
  private long productId;

  @BeforeEach
  void open(RedisServer redis) {
    RedisUnderTest.use(redis);
    a = catalogs.openWithOwnManager(Catalog.CASCADE_FILE, RedisUnderTest.SETTINGS);
    productId = a.addProduct("SKU-RACE", "Kettle", 1_000, Set.of());
  }

  @AfterEach
  void close() {
    reader.shutdownNow();
    catalogs.close();
    RedisUnderTest.release();
  }

  @Test
  void loadRacingAnUpdate_plainJCache_leavesTheOldValueInTheCache() throws Exception {
    assertEquals(1_000, raceALoadInBWithAnUpdateInA(false), "the gap CascadeRegionFactory closes");
  }

  @Test
  void loadRacingAnUpdate_cascadeRegionFactory_keepsTheNewValue() throws Exception {
    assertEquals(2_000, raceALoadInBWithAnUpdateInA(true));
  }

  /** Returns the price both factories read after the race (they must agree). */
  private long raceALoadInBWithAnUpdateInA(boolean compareAndSet) throws Exception {
    PausingRegionFactory factory = new PausingRegionFactory(compareAndSet);
    Map<String, Object> settings = new HashMap<>(RedisUnderTest.SETTINGS);
    settings.put("hibernate.cache.region.factory_class", factory);
    Catalog b = catalogs.openWithOwnManager(Catalog.CASCADE_FILE, settings);
    a.sessionFactory().getCache().evictEntityData(Product.class, productId);

    Future<Long> load = reader.submit(() -> b.product(productId).getPriceCents());
    assertTrue(factory.awaitPaused(), "B read the row (1,000) and is about to cache it");
    a.reprice(productId, 2_000); // lock, UPDATE, commit, the new entry: all between B's get and put
    factory.resume();
    assertEquals(1_000, load.get(60, TimeUnit.SECONDS), "B's own load saw the row before");

    long inA = a.product(productId).getPriceCents();
    long inB = b.product(productId).getPriceCents();
    assertEquals(inA, inB, "both read the one entry in Redis");
    return inB;
  }
}
