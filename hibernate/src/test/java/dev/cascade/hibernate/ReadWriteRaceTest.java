package dev.cascade.hibernate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cascade.testing.RedisServer;
import dev.cascade.testing.WithRedis;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.hibernate.SessionFactory;
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

  private final ExecutorService reader = Executors.newSingleThreadExecutor();
  private Offers offers;
  private SessionFactory a;
  private long offerId;

  @BeforeEach
  void open(RedisServer redis) {
    offers = new Offers(redis);
    a = offers.open(CascadeStrategyRegistrations.SHORT_NAME);
    offerId = Offers.add(a, 1_000);
  }

  @AfterEach
  void close() {
    reader.shutdownNow();
    offers.close();
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
    SessionFactory b = offers.open(factory);
    a.getCache().evictEntityData(Offer.class, offerId);

    Future<Long> load = reader.submit(() -> Offers.price(b, offerId));
    assertTrue(factory.awaitPaused(), "B read the row (1,000) and is about to cache it");
    Offers.reprice(a, offerId, 2_000); // lock, UPDATE, commit, the new entry: between B's get, put
    factory.resume();
    assertEquals(1_000, load.get(60, TimeUnit.SECONDS), "B's own load saw the row before");

    long inA = Offers.price(a, offerId);
    long inB = Offers.price(b, offerId);
    assertEquals(inA, inB, "both read the one entry in Redis");
    return inB;
  }
}
