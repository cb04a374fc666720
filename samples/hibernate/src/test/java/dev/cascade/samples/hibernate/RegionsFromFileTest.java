package dev.cascade.samples.hibernate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cascade.testing.RedisServer;
import dev.cascade.testing.WithRedis;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanIterator;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * The regions as the sample declares them in {@code hibernate-cascade.yaml}: Hibernate finds every
 * region it needs (no "missing cache created on-the-fly" warning), and each entry in Redis carries
 * its region's TTL.
 */
@WithRedis
@Timeout(120)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RegionsFromFileTest {

  /** The warning of hibernate-jcache's default strategy (create-warn) for an undeclared region. */
  private static final String MISSING_CACHE = "HHH90001006";

  private final Catalogs catalogs = new Catalogs();
  private RedisClient client;
  private RedisCommands<byte[], byte[]> redisCommands;
  private StatefulRedisConnection<byte[], byte[]> connection;

  @BeforeAll
  void open(RedisServer redis) {
    RedisUnderTest.use(redis);
    client = RedisClient.create(redis.uri());
    connection = client.connect(ByteArrayCodec.INSTANCE);
    redisCommands = connection.sync();
  }

  @AfterAll
  void close() {
    catalogs.close();
    connection.close();
    client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    RedisUnderTest.release();
  }

  @Test
  void declaredRegions_noneCreatedOnTheFly_andEveryEntryHasItsRegionsTtl() {
    List<String> warnings;
    try (HibernateLog log = HibernateLog.capture()) {
      // create-warn (hibernate-jcache's default) rather than the sample's fail: a missing region
      // shows up as the warning this test looks for
      Catalog catalog =
          catalogs.open(
              Catalog.CASCADE_FILE,
              Map.of("hibernate.javax.cache.missing_cache_strategy", "create-warn"));
      long id = catalog.addProduct("SKU-F", "Jug", 1_500, Set.of("kitchen"));
      catalog.setStock(id, 4);
      catalog.addCategory(5, "Garden");
      catalog.sessionFactory().getCache().evictAllRegions();
      catalog.product(id);
      catalog.tags(id);
      catalog.productBySku("SKU-F");
      catalog.stock(id);
      catalog.category(5);
      catalog.productsPricedBelow(2_000);
      catalog.reprice(id, 1_600); // the update timestamps region: written by an update
      warnings = log.containing(MISSING_CACHE);
    }

    assertEquals(List.of(), warnings, "every region is declared in the file");
    assertTtl(Product.REGION, Duration.ofMinutes(10));
    assertTtl(Product.TAGS_REGION, Duration.ofMinutes(10));
    assertTtl(Product.SKU_REGION, Duration.ofHours(1));
    assertTtl(Stock.REGION, Duration.ofSeconds(30));
    assertTtl(Category.REGION, Duration.ofDays(1));
    assertTtl("default-query-results-region", Duration.ofMinutes(5));
    List<Long> timestamps = pttls("default-update-timestamps-region");
    assertFalse(timestamps.isEmpty(), "the update wrote the table's timestamp");
    timestamps.forEach(t -> assertEquals(-1L, t, "timestamps never expire: " + timestamps));
  }

  /** The control: without declarations the warning appears, so the test above can fail. */
  @Test
  void undeclaredRegions_areCreatedOnTheFly_withHibernatesWarning() {
    try (HibernateLog log = HibernateLog.capture()) {
      catalogs.openWithOwnManager(
          Catalog.CASCADE_FILE,
          Map.of(
              "hibernate.javax.cache.missing_cache_strategy", "create-warn",
              "hibernate.cache.region_prefix", "undeclared"));

      List<String> warnings = log.containing(MISSING_CACHE);
      assertTrue(
          warnings.stream().anyMatch(w -> w.contains("undeclared." + Product.REGION)),
          "" + warnings);
    }
  }

  /**
   * The sample's own strategy, fail: an undeclared region stops the SessionFactory from starting.
   * (A prefix of its own: a cache another manager created on the fly is registered in Redis, and
   * every later manager finds it.)
   */
  @Test
  void sampleSettings_undeclaredRegion_failsAtStartUpNamingIt() {
    Exception e =
        assertThrows(
            Exception.class,
            () ->
                catalogs.openWithOwnManager(
                    Catalog.CASCADE_FILE, Map.of("hibernate.cache.region_prefix", "missing")));

    String messages = messages(e);
    assertTrue(messages.contains("On-the-fly creation"), messages);
    assertTrue(messages.contains("[missing."), messages);
  }

  private static String messages(Throwable e) {
    StringBuilder all = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause()) {
      all.append(t).append('\n');
    }
    return all.toString();
  }

  private void assertTtl(String region, Duration ttl) {
    List<Long> found = pttls(region);
    assertFalse(found.isEmpty(), "entries of region " + region);
    for (long pttl : found) {
      // at most the TTL (a 30 s grace is added while some JVM listens for expiry events: none here)
      assertTrue(
          pttl > 0 && pttl <= ttl.toMillis(), region + ": PTTL " + pttl + " for a TTL of " + ttl);
      assertTrue(pttl > ttl.toMillis() / 2, region + ": PTTL " + pttl + " for a TTL of " + ttl);
    }
  }

  /**
   * PTTL of every entry of the region's cache (its entries: {@code cascade:<name>:{...}:<key>}).
   */
  private List<Long> pttls(String region) {
    List<Long> out = new ArrayList<>();
    byte[] pattern = ("cascade:" + region + ":{*").getBytes(StandardCharsets.UTF_8);
    ScanIterator<byte[]> keys =
        ScanIterator.scan(redisCommands, ScanArgs.Builder.matches(pattern).limit(500));
    while (keys.hasNext()) {
      out.add(redisCommands.pttl(keys.next()));
    }
    return out;
  }
}
