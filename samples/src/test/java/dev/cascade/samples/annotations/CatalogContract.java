package dev.cascade.samples.annotations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.cascade.samples.Product;
import dev.cascade.samples.Shop;
import dev.cascade.testing.RedisServer;
import dev.cascade.testing.TestDatabase;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What {@link ProductCatalog}'s annotations must do under any container: checked through the
 * method's own invocation count, the table, and the keys in Redis. Subclasses start the container
 * twice, as two instances of one application sharing one Redis.
 */
abstract class CatalogContract {

  /** Entries of the catalog cache, not its registry or other keys (see docs/design.md's layout). */
  static final String ENTRY_PATTERN = "cascade:" + CatalogCache.NAME + ":{*";

  RedisServer redis;
  String table;

  /** Starts the container for the first instance; the second starts on demand. */
  abstract ProductCatalog start(String redisUri);

  /** Stops everything the subclass started and removes the catalog cache. */
  abstract void stop();

  @BeforeEach
  void createTable(RedisServer redis) {
    this.redis = redis;
    table = TestDatabase.uniqueTableName("catalog");
    TestDatabase.execute(
        Shop.createTableSql(Shop.Tables.withPrefix(table + "_"))
            .get(0)
            .replace(table + "_products", table));
    TestDatabase.execute(
        "INSERT INTO "
            + table
            + " (id, name, description) VALUES (1, 'pen', 'writes'), (2, 'ink', 'blue')");
  }

  @AfterEach
  void dropTable() {
    try {
      stop();
    } finally {
      redis.command("FLUSHALL");
      TestDatabase.dropTable(table);
    }
  }

  @SuppressWarnings("unchecked")
  int entriesInRedis() {
    return ((List<Object>) redis.command("KEYS", ENTRY_PATTERN)).size();
  }

  @Test
  void cacheResult_secondCall_isServedFromRedisWithoutRunningTheMethod() {
    ProductCatalog catalog = start(redis.uri());

    assertEquals(new Product("pen", "writes"), catalog.find(1));
    assertEquals(1, entriesInRedis(), "the result is an entry in Redis");
    assertEquals(new Product("pen", "writes"), catalog.find(1));
    assertEquals(1, catalog.finds(), "the second call did not run the method");
  }

  @Test
  void cacheResult_otherApplicationInstance_findsTheEntryInRedis() {
    ProductCatalog first = start(redis.uri());
    first.find(2);

    // another instance: its own container and its own CacheManager (another spelling of the URI)
    ProductCatalog second = startSecond(redis.uri() + "/0");

    assertEquals(new Product("ink", "blue"), second.find(2));
    assertEquals(0, second.finds(), "served by the entry the first instance put in Redis");
  }

  @Test
  void cachePut_writesTableAndEntry_nextFindComesFromRedis() {
    ProductCatalog catalog = start(redis.uri());
    catalog.find(1);

    catalog.save(1, new Product("pen", "writes in red"));

    assertEquals(
        List.of(Map.of("description", "writes in red")),
        TestDatabase.queryRows("SELECT description FROM " + table + " WHERE id = 1"));
    assertEquals(new Product("pen", "writes in red"), catalog.find(1));
    assertEquals(
        1, catalog.finds(), "the put value was served, the method ran only for the first find");
  }

  @Test
  void cacheRemove_deletesRowAndEntry() {
    ProductCatalog catalog = start(redis.uri());
    catalog.find(1);
    catalog.find(2);
    assertEquals(2, entriesInRedis());

    catalog.delete(1);

    assertEquals(1, entriesInRedis());
    assertNull(catalog.find(1), "a miss again: the method ran and found no row");
    assertEquals(3, catalog.finds());
  }

  @Test
  void cacheRemoveAll_emptiesTheCache() {
    ProductCatalog catalog = start(redis.uri());
    catalog.find(1);
    catalog.find(2);

    catalog.reloaded();

    assertEquals(0, entriesInRedis());
    catalog.find(1);
    assertEquals(3, catalog.finds());
  }

  @Test
  void cacheResult_unknownProduct_returnsNullEveryTime() {
    ProductCatalog catalog = start(redis.uri());

    assertNull(catalog.find(404));
    assertNull(catalog.find(404));
  }

  abstract ProductCatalog startSecond(String redisUri);
}
