package dev.cascade;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cascade.internal.codec.ApplicationPackages;
import dev.cascade.internal.codec.FrameworkProfiles;
import dev.cascade.internal.codec.SerializationFilter;
import dev.cascade.testapp.hibernate.Author;
import dev.cascade.testapp.hibernate.Book;
import dev.cascade.testapp.hibernate.Chapter;
import dev.cascade.testapp.hibernate.Country;
import dev.cascade.testapp.hibernate.Dimensions;
import dev.cascade.testapp.hibernate.Edition;
import dev.cascade.testapp.hibernate.EditionId;
import dev.cascade.testapp.hibernate.Genre;
import dev.cascade.testing.RawRedis;
import dev.cascade.testing.RedisServer;
import dev.cascade.testing.TestDatabase;
import dev.cascade.testing.WithRedis;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import java.io.ByteArrayInputStream;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.hibernate.Session;
import org.hibernate.SessionFactory;
import org.hibernate.Transaction;
import org.hibernate.cfg.Configuration;
import org.hibernate.stat.Statistics;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Hibernate ORM 6.6's second-level and query caches through {@code hibernate-jcache} on Cascade,
 * with only Hibernate's own JCache properties: the entries Hibernate really writes (READ_WRITE,
 * NONSTRICT_READ_WRITE and READ_ONLY entities, a composite id, collections, natural ids, queries
 * with and without parameters, an update's soft lock) are read back by a second SessionFactory
 * after the first closed its CacheManager, and every class found in them is on the
 * zero-configuration allow-list: the JDK value types, {@link FrameworkProfiles#HIBERNATE}, and the
 * application's package (here given as the main class would give it). Real Redis, real MariaDB.
 */
@WithRedis
@Timeout(180)
class HibernateProfileTest {

  /** What a zero-configuration application whose main class is in this package derives. */
  private static final String APPLICATION = "dev.cascade.testapp.hibernate";

  private static final List<Class<?>> ENTITIES =
      List.of(Book.class, Author.class, Country.class, Chapter.class, Edition.class);

  private static RedisServer redis;

  /** Held, so the level set on it is not lost with a collected logger. */
  private static final Logger HIBERNATE_LOG = Logger.getLogger("org.hibernate");

  @BeforeAll
  static void open(RedisServer server) {
    redis = server;
    // Hibernate's start-up lines, and its warnings that tables to drop do not exist yet
    HIBERNATE_LOG.setLevel(Level.SEVERE);
    System.setProperty(ApplicationPackages.PROPERTY, APPLICATION);
    // Hibernate reads hibernate.javax.cache.uri as a resource, so a user names the Redis the way
    // Cascade's default CacheManager finds it (CASCADE_REDIS_URI, or this property)
    System.setProperty("cascade.redis.uri", redis.uri());
  }

  @AfterAll
  static void close() {
    System.clearProperty(ApplicationPackages.PROPERTY);
    System.clearProperty("cascade.redis.uri");
    System.clearProperty("cascade.codec.strict");
  }

  private static SessionFactory sessionFactory(String regionPrefix, String ddl) {
    Configuration c = new Configuration();
    ENTITIES.forEach(c::addAnnotatedClass);
    c.getProperties().put("hibernate.connection.datasource", TestDatabase.dataSource());
    c.setProperty("hibernate.hbm2ddl.auto", ddl);
    c.setProperty("hibernate.dialect", "org.hibernate.dialect.MariaDBDialect");
    c.setProperty("hibernate.cache.use_second_level_cache", "true");
    c.setProperty("hibernate.cache.use_query_cache", "true");
    c.setProperty("hibernate.cache.region_prefix", regionPrefix);
    c.setProperty("hibernate.generate_statistics", "true");
    // only Hibernate's JCache properties
    c.setProperty("hibernate.cache.region.factory_class", "jcache");
    c.setProperty("hibernate.javax.cache.provider", CascadeCachingProvider.class.getName());
    c.setProperty("hibernate.javax.cache.missing_cache_strategy", "create");
    return c.buildSessionFactory();
  }

  @Test
  void secondLevelAndQueryCaches_writtenByOneSessionFactory_readByTheNext() throws Exception {
    String prefix = "deser-" + UUID.randomUUID().toString().substring(0, 8);
    Set<String> locked;
    try (SessionFactory first = sessionFactory(prefix, "create")) {
      populate(first);
      readEverything(first);
      locked = classesWhileLocked(first, prefix);
    }
    Set<String> stored = classesInRedis(prefix);
    stored.addAll(locked);

    Statistics stats;
    try (SessionFactory second = sessionFactory(prefix, "none")) {
      stats = second.getStatistics();
      stats.clear();
      readEverything(second);
      second.inTransaction(s -> assertEquals("Two", s.find(Chapter.class, 2L).title));
    }

    assertTrue(stats.getSecondLevelCacheHitCount() >= 6, "L2 hits: " + stats);
    // one miss: the chapter whose update was rolled back; its soft lock stays until it times out,
    // and is read (deserialized) as not readable, so Hibernate asks the database
    assertEquals(1, stats.getSecondLevelCacheMissCount(), "L2 misses: " + stats);
    assertEquals(1, stats.getPrepareStatementCount(), "SQL statements: " + stats);
    assertTrue(stats.getNaturalIdCacheHitCount() >= 1, "natural-id hits: " + stats);
    assertEquals(3, stats.getQueryCacheHitCount(), "query cache hits: " + stats);
    assertEquals(0, stats.getQueryCacheMissCount(), "query cache misses: " + stats);

    SerializationFilter zeroConfig = SerializationFilter.defaults();
    for (String name : stored) {
      assertTrue(
          zeroConfig.allows(Class.forName(name, false, getClass().getClassLoader())),
          name + " is stored by Hibernate but not allowed; all stored: " + stored);
    }
    for (String expected :
        List.of(
            "org.hibernate.cache.spi.support.AbstractReadWriteAccess$Item",
            "org.hibernate.cache.spi.support.AbstractReadWriteAccess$SoftLockImpl",
            "org.hibernate.cache.spi.entry.StandardCacheEntryImpl",
            "org.hibernate.cache.spi.entry.CollectionCacheEntry",
            "org.hibernate.cache.internal.NaturalIdCacheKey",
            "org.hibernate.cache.spi.QueryKey",
            "org.hibernate.query.internal.QueryParameterBindingsImpl$ParameterBindingsMementoImpl",
            "org.hibernate.cache.internal.QueryResultsCacheImpl$CacheItem",
            "org.hibernate.cache.internal.CacheKeyImplementation",
            "[Ljava.io.Serializable;",
            Genre.class.getName())) {
      assertTrue(stored.contains(expected), expected + " not stored; stored: " + stored);
    }
    assertFalse(
        stored.stream().anyMatch(n -> n.startsWith("org.hibernate.type.") && !n.contains("$")),
        "a Hibernate type in the cache: " + stored);
  }

  @Test
  void strictMode_refusesHibernatesEntries_withTheClassAndSetting() {
    String prefix = "deser-strict-" + UUID.randomUUID().toString().substring(0, 8);
    try (SessionFactory first = sessionFactory(prefix, "create")) {
      populate(first);
    }
    System.setProperty("cascade.codec.strict", "true");
    try (SessionFactory strict = sessionFactory(prefix, "none")) {
      RuntimeException e =
          assertThrows(
              RuntimeException.class,
              () -> strict.inTransaction(s -> s.find(Book.class, 1L).title.length()));
      String messages = messages(e);
      assertTrue(
          messages.contains(
              "Refusing to deserialize class"
                  + " org.hibernate.cache.spi.support.AbstractReadWriteAccess$Item"),
          messages);
      assertTrue(messages.contains("codec.allow"), messages);
    } finally {
      System.clearProperty("cascade.codec.strict");
    }
  }

  private static String messages(Throwable t) {
    StringBuilder all = new StringBuilder();
    for (Throwable c = t; c != null; c = c.getCause()) {
      all.append(c).append('\n');
    }
    return all.toString();
  }

  private static void populate(SessionFactory sf) {
    sf.inTransaction(
        s -> {
          Country nl = new Country("NL", "Netherlands");
          Author ann = new Author(1L, "Ann");
          Book book = new Book();
          book.id = 1L;
          book.isbn = "978-1";
          book.title = "Zero configuration";
          book.genre = Genre.NOVEL;
          book.price = new BigDecimal("12.50");
          book.published = LocalDate.of(2026, 12, 6);
          book.indexed = Instant.parse("2026-12-06T06:00:00Z");
          book.dimensions = new Dimensions(13, 20);
          book.author = ann;
          book.country = nl;
          book.tags.addAll(List.of("cache", "redis"));
          s.persist(nl);
          s.persist(ann);
          s.persist(book);
          s.persist(new Chapter(1L, "One", book));
          s.persist(new Chapter(2L, "Two", book));
          s.persist(new Edition(new EditionId("978-1", 1), 100));
        });
    // an update: a soft lock, then a new version in the READ_WRITE region
    sf.inTransaction(s -> s.find(Book.class, 1L).title = "Zero configuration, again");
  }

  /**
   * The classes in Redis while an update holds its soft lock (between flush and commit): what a
   * reader in another JVM meets then, or after this JVM died before committing.
   */
  private static Set<String> classesWhileLocked(SessionFactory sf, String prefix) throws Exception {
    try (Session s = sf.openSession()) {
      Transaction tx = s.beginTransaction();
      s.find(Chapter.class, 2L).title = "Two, locked";
      s.flush();
      Set<String> classes = classesInRedis(prefix);
      tx.rollback();
      return classes;
    }
  }

  /** Every kind of cached read, each once: entities, collections, natural id, three queries. */
  private static void readEverything(SessionFactory sf) {
    sf.inTransaction(
        s -> {
          Book book = s.find(Book.class, 1L);
          assertEquals("Zero configuration, again", book.title);
          assertEquals(Genre.NOVEL, book.genre);
          assertEquals(13, book.dimensions.width);
          assertEquals(2, book.chapters.size());
          assertEquals(Set.of("cache", "redis"), book.tags);
          assertEquals("Ann", book.author.name);
          assertEquals("Netherlands", book.country.name);
          assertEquals(100, s.find(Edition.class, new EditionId("978-1", 1)).copies);
        });
    sf.inTransaction(s -> assertEquals(1L, s.bySimpleNaturalId(Book.class).load("978-1").id));
    sf.inTransaction(
        s -> {
          assertEquals(
              1,
              s.createQuery("from Book b where b.genre = :genre", Book.class)
                  .setParameter("genre", Genre.NOVEL)
                  .setCacheable(true)
                  .list()
                  .size());
          assertEquals(
              1,
              s.createQuery(
                      "select b.title, b.price, b.published from Book b where b.published >= :day",
                      Object[].class)
                  .setParameter("day", LocalDate.of(2026, 1, 1))
                  .setCacheable(true)
                  .list()
                  .size());
          assertEquals(
              1L,
              s.createQuery("select count(b) from Book b", Long.class)
                  .setCacheable(true)
                  .getSingleResult());
        });
  }

  /**
   * The classes in the Java-serialized keys and values of every entry under {@code prefix}, read
   * with a raw connection and a filter that only records (array classes by their own name).
   */
  private static Set<String> classesInRedis(String prefix) throws Exception {
    Set<String> classes = new TreeSet<>();
    try (RawRedis c = RawRedis.connect(redis)) {
      ScanCursor cursor = ScanCursor.INITIAL;
      do {
        KeyScanCursor<byte[]> page =
            c.sync().scan(cursor, ScanArgs.Builder.matches("cascade:" + prefix + "*").limit(500));
        for (byte[] key : page.getKeys()) {
          String text = new String(key, StandardCharsets.ISO_8859_1);
          int entry = text.indexOf("}:");
          // entries are hashes cascade:<cache>:{<tag>}:<key>; locks, logs and queues are not
          if (entry < 0 || !"hash".equals(c.sync().type(key))) {
            continue;
          }
          byte[] encodedKey = Arrays.copyOfRange(key, entry + 2, key.length);
          if (encodedKey.length > 2 && encodedKey[0] == 'j' && encodedKey[1] == ':') {
            record(Arrays.copyOfRange(encodedKey, 2, encodedKey.length), classes);
          }
          byte[] value = c.sync().hget(key, "v".getBytes(StandardCharsets.US_ASCII));
          if (value != null && value.length > 1 && value[0] == 0x7F) {
            record(Arrays.copyOfRange(value, 1, value.length), classes);
          }
        }
        cursor = page;
      } while (!cursor.isFinished());
    }
    return classes;
  }

  private static void record(byte[] serialized, Set<String> classes) throws Exception {
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(serialized))) {
      in.setObjectInputFilter(
          info -> {
            if (info.serialClass() != null) {
              classes.add(info.serialClass().getName());
            }
            return ObjectInputFilter.Status.UNDECIDED;
          });
      in.readObject();
    }
  }
}
