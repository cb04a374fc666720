package dev.cascade.samples;

import dev.cascade.jdbc.JdbcCacheLoader;
import dev.cascade.jdbc.JdbcCacheWriter;
import dev.cascade.jdbc.TableMapping;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.configuration.Factory;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.expiry.CreatedExpiryPolicy;
import javax.cache.integration.CacheWriter;
import javax.cache.integration.CacheWriterException;
import javax.sql.DataSource;

/**
 * The tutorial's e-commerce shop: each kind of data gets the strategy its value deserves.
 *
 * <table>
 *   <caption>one cache per kind of data</caption>
 *   <tr><th>data</th><th>table</th><th>strategy</th><th>why</th></tr>
 *   <tr><td>prices</td><td>{@code product_prices}</td><td>write-through + read-through</td>
 *       <td>a price a customer saw must be the price the database charges: the update returns only
 *       once the database has it, and a refused price never reaches Redis</td></tr>
 *   <tr><td>view counts</td><td>{@code product_views}</td><td>write-behind ({@link ViewCounts})</td>
 *       <td>written on every page view, read rarely from the database: batched and coalesced</td></tr>
 *   <tr><td>details</td><td>{@code products}</td><td>read-through, expiring after 10 minutes</td>
 *       <td>maintained elsewhere (a catalog tool); loaded on a miss, refreshed by expiry</td></tr>
 * </table>
 *
 * <p>Why three tables and not the tutorial's one {@code products} row with price and views: a
 * writer upserts the columns of its mapping, and two caches writing different columns of one row
 * would each need the other's columns to insert a new row. One table per cache keeps every writer
 * the sole owner of its rows.
 *
 * <pre>{@code
 * Shop shop = new Shop(cacheManager, dataSource, Shop.Tables.DEFAULT, Duration.ofMillis(200));
 * shop.updateProductPrice(42, new BigDecimal("19.99"));   // database first, then Redis
 * shop.recordView(42);                                    // Redis now, database in the next batch
 * shop.productPage(42);                                   // details, price and views, from Redis
 * }</pre>
 *
 * <p>Thread-safe.
 */
public final class Shop {

  /** The tables (and equally named caches) of one shop; a prefix keeps several shops apart. */
  public record Tables(String products, String prices, String views) {
    public static final Tables DEFAULT = withPrefix("");

    public static Tables withPrefix(String prefix) {
      return new Tables(prefix + "products", prefix + "product_prices", prefix + "product_views");
    }

    public List<String> all() {
      return List.of(products, prices, views);
    }
  }

  /** What a product page shows. */
  public record ProductPage(long id, Product details, BigDecimal price, long views) {}

  private final Tables tables;
  private final Cache<Long, Product> products;
  private final Cache<Long, BigDecimal> prices;
  private final ViewCounts views;

  /** A shop over {@code tables} with the JDBC writers. */
  public Shop(CacheManager manager, DataSource dataSource, Tables tables, Duration viewFlushDelay) {
    this(
        manager,
        dataSource,
        tables,
        JdbcCacheWriter.factory(dataSource, priceMapping(tables.prices())),
        ViewCounts.writerFactory(dataSource, tables.views()),
        viewFlushDelay);
  }

  /**
   * A shop with your own writers for prices and view counts (the demo wraps the JDBC writers to
   * count the statements they send).
   */
  public Shop(
      CacheManager manager,
      DataSource dataSource,
      Tables tables,
      Factory<? extends CacheWriter<? super Long, ? super BigDecimal>> priceWriter,
      Factory<? extends CacheWriter<? super Long, ? super Long>> viewWriter,
      Duration viewFlushDelay) {
    this.tables = tables;
    this.products =
        manager.createCache(
            tables.products(),
            new MutableConfiguration<Long, Product>()
                .setTypes(Long.class, Product.class)
                .setReadThrough(true)
                .setCacheLoaderFactory(
                    JdbcCacheLoader.factory(dataSource, productMapping(tables.products())))
                // no writer: details are maintained elsewhere; expiry brings their changes in
                .setExpiryPolicyFactory(
                    CreatedExpiryPolicy.factoryOf(
                        new javax.cache.expiry.Duration(TimeUnit.MINUTES, 10))));
    this.prices =
        manager.createCache(
            tables.prices(),
            new MutableConfiguration<Long, BigDecimal>()
                .setTypes(Long.class, BigDecimal.class)
                .setReadThrough(true)
                .setCacheLoaderFactory(
                    JdbcCacheLoader.factory(dataSource, priceMapping(tables.prices())))
                .setWriteThrough(true)
                .setCacheWriterFactory(priceWriter));
    this.views = new ViewCounts(manager, tables.views(), dataSource, viewWriter, viewFlushDelay);
  }

  /**
   * The three tables; the {@code CHECK} on prices is a rule the database enforces, not the cache.
   */
  public static List<String> createTableSql(Tables tables) {
    return List.of(
        "CREATE TABLE "
            + tables.products()
            + " (id BIGINT PRIMARY KEY, name VARCHAR(200) NOT NULL,"
            + " description VARCHAR(2000) NOT NULL)",
        "CREATE TABLE "
            + tables.prices()
            + " (product_id BIGINT PRIMARY KEY,"
            + " price DECIMAL(12,2) NOT NULL CHECK (price > 0))",
        ViewCounts.createTableSql(tables.views()));
  }

  public static TableMapping<Long, Product> productMapping(String table) {
    return TableMapping.builder(table)
        .key("id", Long.class)
        .column("name", Product::name)
        .column("description", Product::description)
        .reader(row -> new Product(row.getString("name"), row.getString("description")))
        .build();
  }

  public static TableMapping<Long, BigDecimal> priceMapping(String table) {
    return TableMapping.scalar(table, "product_id", Long.class, "price", BigDecimal.class);
  }

  /**
   * Write-through: returns once the table has the price, and only then does Redis.
   *
   * @throws CacheWriterException if the database refused it (e.g. a price of 0); Redis keeps the
   *     old price
   */
  public void updateProductPrice(long productId, BigDecimal price) {
    prices.put(productId, price);
  }

  /** Write-behind: returns once Redis has the new count and its queue record. */
  public long recordView(long productId) {
    return views.recordView(productId);
  }

  /**
   * Details, price and view count, each from Redis, loaded from its table on a miss (the count is
   * Redis's, which may be ahead of the table).
   *
   * @return empty if the product does not exist
   */
  public Optional<ProductPage> productPage(long productId) {
    Product details = products.get(productId);
    if (details == null) {
      return Optional.empty();
    }
    return Optional.of(
        new ProductPage(productId, details, prices.get(productId), views.views(productId)));
  }

  public Tables tables() {
    return tables;
  }

  public Cache<Long, Product> products() {
    return products;
  }

  public Cache<Long, BigDecimal> prices() {
    return prices;
  }

  public ViewCounts views() {
    return views;
  }
}
