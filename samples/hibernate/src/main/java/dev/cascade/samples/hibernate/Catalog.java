package dev.cascade.samples.hibernate;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import javax.sql.DataSource;
import org.apache.commons.dbcp2.BasicDataSource;
import org.hibernate.Session;
import org.hibernate.SessionFactory;
import org.hibernate.boot.MetadataSources;
import org.hibernate.boot.registry.StandardServiceRegistry;
import org.hibernate.boot.registry.StandardServiceRegistryBuilder;
import org.hibernate.stat.Statistics;

/**
 * A product catalog on Hibernate ORM 6 with Cascade as its second-level cache, bootstrapped with
 * plain Hibernate (no Spring, no JPA container): every setting is in {@link #settings}.
 *
 * <pre>{@code
 * Map<String, Object> settings = Catalog.settings(dataSource, "hibernate-cascade.yaml");
 * try (Catalog catalog = Catalog.open(settings)) {
 *     long id = catalog.addProduct("SKU-1", "Kettle", 2_999, Set.of("kitchen"));
 *     catalog.product(id);             // SQL once, then from Redis in every JVM
 *     catalog.productBySku("SKU-1");   // natural-id region, then the entity region
 *     catalog.productsPricedBelow(5_000); // the query cache, invalidated by any product update
 * }
 * }</pre>
 *
 * <p>Thread-safe: a {@link SessionFactory} is; each method runs in its own session and transaction
 * and returns detached objects.
 */
public final class Catalog implements AutoCloseable {

  /**
   * The Cascade file with the regions and their TTLs, as {@code hibernate.javax.cache.uri} names
   * it: a class path resource (Hibernate looks it up and hands Cascade its {@code file:} or {@code
   * jar:} URL). Hibernate 6.6 strips {@code classpath://} but not {@code classpath:}, which it
   * cannot find.
   */
  public static final String CASCADE_FILE = "hibernate-cascade.yaml";

  private final SessionFactory sessionFactory;

  private Catalog(SessionFactory sessionFactory) {
    this.sessionFactory = sessionFactory;
  }

  /**
   * The settings of a second-level cache on Cascade, as a user writes them in {@code
   * hibernate.properties} or {@code persistence.xml} (docs/hibernate.md), with the connections
   * taken from {@code dataSource}.
   *
   * @param cascadeUri {@code hibernate.javax.cache.uri}: a Cascade file that declares every region
   *     (a class path resource such as {@value #CASCADE_FILE}, or a {@code file:} URL), or a Redis
   *     URI
   */
  public static Map<String, Object> settings(DataSource dataSource, String cascadeUri) {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("hibernate.connection.datasource", dataSource);
    // the second-level cache through hibernate-jcache, with Cascade as the JCache provider and
    // cascade-hibernate's region factory (READ_WRITE safe across JVMs; "jcache" for the plain one)
    s.put("hibernate.cache.use_second_level_cache", "true");
    s.put("hibernate.cache.region.factory_class", "cascade");
    s.put("hibernate.javax.cache.provider", "dev.cascade.CascadeCachingProvider");
    s.put("hibernate.javax.cache.uri", cascadeUri);
    // every region is declared in the Cascade file: a region missing from it is an error at
    // start-up instead of a cache with no TTL created on the fly
    s.put("hibernate.javax.cache.missing_cache_strategy", "fail");
    s.put("hibernate.cache.use_query_cache", "true");
    // counts SQL statements and cache hits (Statistics); cheap, but off by default in Hibernate
    s.put("hibernate.generate_statistics", "true");
    return s;
  }

  /** Builds the SessionFactory: the mapping is {@link Product}, {@link Category}, {@link Stock}. */
  public static Catalog open(Map<String, Object> settings) {
    StandardServiceRegistry registry =
        new StandardServiceRegistryBuilder().applySettings(settings).build();
    try {
      return new Catalog(
          new MetadataSources(registry)
              .addAnnotatedClasses(Product.class, Category.class, Stock.class)
              .buildMetadata()
              .buildSessionFactory());
    } catch (RuntimeException e) {
      StandardServiceRegistryBuilder.destroy(registry);
      throw e;
    }
  }

  public SessionFactory sessionFactory() {
    return sessionFactory;
  }

  /** Hibernate's counters: SQL statements, and hits, misses and puts per region. */
  public Statistics statistics() {
    return sessionFactory.getStatistics();
  }

  public long addProduct(String sku, String name, long priceCents, Set<String> tags) {
    return inTransaction(
        s -> {
          Product p = new Product(sku, name, priceCents, tags);
          s.persist(p);
          return p.getId();
        });
  }

  public void addCategory(long id, String name) {
    inTransaction(
        s -> {
          s.persist(new Category(id, name));
          return null;
        });
  }

  public void setStock(long productId, int quantity) {
    inTransaction(
        s -> {
          Stock stock = s.find(Stock.class, productId);
          if (stock == null) {
            s.persist(new Stock(productId, quantity));
          } else {
            stock.setQuantity(quantity);
          }
          return null;
        });
  }

  /** The product, or {@code null}. */
  public Product product(long id) {
    return read(s -> s.find(Product.class, id));
  }

  /** The lookup by natural id: SKU to id from its region, then the product from its own. */
  public Optional<Product> productBySku(String sku) {
    return read(s -> s.bySimpleNaturalId(Product.class).loadOptional(sku));
  }

  /** The product's tags, sorted (a copy); empty for an unknown product. */
  public Set<String> tags(long id) {
    return read(
        s -> {
          Product p = s.find(Product.class, id);
          return p == null ? new TreeSet<>() : new TreeSet<>(p.getTags());
        });
  }

  public Category category(long id) {
    return read(s -> s.find(Category.class, id));
  }

  /** The quantity in stock, or -1 when the product has no stock row. */
  public int stock(long productId) {
    return read(
        s -> {
          Stock stock = s.find(Stock.class, productId);
          return stock == null ? -1 : stock.getQuantity();
        });
  }

  /** A cached query: its result is reused until a product row changes (in any JVM). */
  public List<Product> productsPricedBelow(long priceCents) {
    return read(
        s ->
            s.createSelectionQuery(
                    "from Product p where p.priceCents < :max order by p.id", Product.class)
                .setParameter("max", priceCents)
                .setCacheable(true)
                .getResultList());
  }

  public void reprice(long id, long priceCents) {
    inTransaction(
        s -> {
          s.find(Product.class, id).setPriceCents(priceCents);
          return null;
        });
  }

  public void addTag(long id, String tag) {
    inTransaction(
        s -> {
          s.find(Product.class, id).getTags().add(tag);
          return null;
        });
  }

  private <T> T read(Function<Session, T> work) {
    return inTransaction(work);
  }

  private <T> T inTransaction(Function<Session, T> work) {
    return sessionFactory.fromTransaction(work);
  }

  /** Closes the SessionFactory, and with it the CacheManager hibernate-jcache opened. */
  @Override
  public void close() {
    sessionFactory.close();
  }

  /**
   * What one round of {@link #readRound} cost: SQL statements, and second-level cache hits and
   * misses (entities and collections), natural-id hits, query cache hits.
   */
  public record Round(
      long statements, long hits, long misses, long naturalIdHits, long queryCacheHits) {
    @Override
    public String toString() {
      return String.format(
          "%d SQL statements, %d L2 hits, %d L2 misses, %d natural-id hits, %d query cache hits",
          statements, hits, misses, naturalIdHits, queryCacheHits);
    }
  }

  /**
   * Reads what a product page shows, for each product: the product, its tags and its stock; then
   * one lookup by SKU, one category and one cached query. Counts with {@link #statistics()}, which
   * it clears first.
   */
  public Round readRound(long[] productIds, String sku, long categoryId) {
    Statistics stats = statistics();
    stats.clear();
    for (long id : productIds) {
      product(id);
      tags(id);
      stock(id);
    }
    productBySku(sku);
    category(categoryId);
    productsPricedBelow(2_500);
    return new Round(
        stats.getPrepareStatementCount(),
        stats.getSecondLevelCacheHitCount(),
        stats.getSecondLevelCacheMissCount(),
        stats.getNaturalIdCacheHitCount(),
        stats.getQueryCacheHitCount());
  }

  /**
   * Seeds a few products and reads them in rounds, printing what each round cost: round 1 goes to
   * MariaDB, the next ones to Redis only.
   *
   * <pre>
   * java ... dev.cascade.samples.hibernate.Catalog [jdbc-url]
   * </pre>
   *
   * Redis: {@code -Dcascade.redis.uri=redis://host:6379} (default {@code redis://127.0.0.1:6379}).
   * Creates, then drops, the tables {@code product}, {@code product_tag}, {@code category}, {@code
   * stock} of the database in the URL.
   */
  public static void main(String[] args) {
    String url = args.length > 0 ? args[0] : "jdbc:mariadb://127.0.0.1:3306/test?user=root";
    try (BasicDataSource pool = new BasicDataSource()) {
      pool.setUrl(url);
      Map<String, Object> settings = settings(pool, CASCADE_FILE);
      settings.put("hibernate.hbm2ddl.auto", "create-drop");
      try (Catalog catalog = open(settings)) {
        long[] ids = catalog.seed();
        for (int round = 1; round <= 3; round++) {
          System.out.println("round " + round + ": " + catalog.readRound(ids, "SKU-1", 1));
        }
      }
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException("Cannot close the pool: " + e.getMessage(), e);
    }
  }

  /** Three products (SKU-0..2) with tags and stock, and category 1; returns the products' ids. */
  public long[] seed() {
    long[] ids = new long[3];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = addProduct("SKU-" + i, "Product " + i, 1_000 + i * 1_000, Set.of("new", "tag" + i));
      setStock(ids[i], 10);
    }
    addCategory(1, "Kitchen");
    return ids;
  }
}
