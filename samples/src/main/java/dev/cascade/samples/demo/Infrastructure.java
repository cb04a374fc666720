package dev.cascade.samples.demo;

import dev.cascade.samples.Shop;
import dev.cascade.testing.RedisServer;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.net.URI;
import java.net.URISyntaxException;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import javax.cache.CacheException;
import javax.cache.CacheManager;
import javax.cache.Caching;
import org.apache.commons.dbcp2.BasicDataSource;

/**
 * What the demo runs on: a Redis (the one given, or a private {@code redis-server} it starts) and a
 * database (the JDBC URL given, or an in-memory H2 in MySQL mode), checked up front so that a wrong
 * address becomes one line with the fix, and the shop's tables, created when missing.
 *
 * <p>Not thread-safe; made and closed by the demo's main thread.
 */
final class Infrastructure implements AutoCloseable {

  static final String H2_URL = "jdbc:h2:mem:cascade-demo;MODE=MySQL;DB_CLOSE_DELAY=-1";
  private static final Set<String> REDIS_SCHEMES =
      Set.of(
          "redis", "rediss", "redis-sentinel", "redis-cluster", "rediss-cluster", "redis-socket");

  final String redisUri;
  final String redisDescription;
  final String jdbcDescription;
  final BasicDataSource dataSource;
  private final RedisServer ownRedis;
  private CacheManager cacheManager;

  private Infrastructure(
      String redisUri,
      String redisDescription,
      RedisServer ownRedis,
      BasicDataSource dataSource,
      String jdbcDescription) {
    this.redisUri = redisUri;
    this.redisDescription = redisDescription;
    this.ownRedis = ownRedis;
    this.dataSource = dataSource;
    this.jdbcDescription = jdbcDescription;
  }

  /**
   * Starts or reaches Redis, then the database; on any failure releases what it made and throws a
   * {@link DemoException}.
   */
  static Infrastructure open(String redisOption, String jdbcOption, int poolSize) {
    RedisServer own = null;
    String uri;
    String description;
    if (redisOption == null) {
      try {
        own = RedisServer.start();
      } catch (RuntimeException e) {
        throw new DemoException(
            "Cannot start a private redis-server (" + DemoException.rootMessage(e) + ")",
            "install redis-server, or pass --redis redis://host:6379 to use a running one");
      }
      uri = own.uri();
      description =
          uri
              + " (a private redis-server "
              + own.binary().version()
              + " started for this run: "
              + own.binary().path()
              + ")";
    } else {
      uri = checkRedisUri(redisOption);
      description = uri;
    }
    BasicDataSource pool = null;
    try {
      String url = jdbcOption == null ? H2_URL : jdbcUrl(jdbcOption);
      pool = pool(url, jdbcOption == null ? url : jdbcOption, poolSize);
      String jdbcDescription =
          masked(url)
              + (jdbcOption == null
                  ? " (in-memory H2 in MySQL mode; pass" + " --jdbc-url to use MariaDB/MySQL)"
                  : "");
      Infrastructure infrastructure =
          new Infrastructure(uri, description, own, pool, jdbcDescription);
      infrastructure.cacheManager(); // reach Redis now, not in the middle of the run
      return infrastructure;
    } catch (RuntimeException e) {
      closeQuietly(pool);
      if (own != null) {
        own.close();
      }
      throw e;
    }
  }

  /** Cascade's CacheManager on this Redis, opened once. */
  CacheManager cacheManager() {
    if (cacheManager == null) {
      try {
        cacheManager =
            Caching.getCachingProvider()
                .getCacheManager(URI.create(redisUri), Infrastructure.class.getClassLoader());
      } catch (CacheException | IllegalArgumentException e) {
        throw new DemoException(
            "Cannot reach Redis at " + masked(redisUri) + " (" + DemoException.rootMessage(e) + ")",
            "start Redis there, correct --redis, or leave --redis out and the demo starts its own redis-server");
      }
    }
    return cacheManager;
  }

  static String checkRedisUri(String text) {
    try {
      URI uri = new URI(text);
      if (uri.getScheme() == null
          || !REDIS_SCHEMES.contains(uri.getScheme().toLowerCase(Locale.ROOT))) {
        throw new DemoException(
            "--redis '" + text + "' is not a Redis URI",
            "write it as redis://host:6379 (or rediss://, redis-sentinel://, redis-cluster://)");
      }
      return text;
    } catch (URISyntaxException e) {
      throw new DemoException(
          "--redis '" + text + "' is not a valid URI (" + e.getReason() + ")",
          "write it as redis://host:6379");
    }
  }

  /** MySQL/MariaDB URLs get the options the demo relies on, unless they set them already. */
  static String jdbcUrl(String url) {
    String lower = url.toLowerCase(Locale.ROOT);
    if (!lower.startsWith("jdbc:")) {
      throw new DemoException(
          "--jdbc-url '" + url + "' is not a JDBC URL",
          "write it as jdbc:mysql://127.0.0.1:3306/test?user=root, or leave it out to use an in-memory H2");
    }
    if (lower.startsWith("jdbc:mysql:") || lower.startsWith("jdbc:mariadb:")) {
      // a writer batch becomes one multi-row INSERT instead of one round trip per row
      url = withOption(url, "rewriteBatchedStatements", "true");
      url = withOption(url, "connectTimeout", "5000");
      String rest = url.replaceFirst("^jdbc:[a-z]+://", "");
      if (rest.startsWith("127.") || rest.startsWith("localhost") || rest.startsWith("[::1]")) {
        url = withOption(url, "useSSL", "false");
        url = withOption(url, "allowPublicKeyRetrieval", "true");
      }
    }
    return url;
  }

  static String withOption(String url, String name, String value) {
    if (url.toLowerCase(Locale.ROOT).matches(".*[?&;]" + name.toLowerCase(Locale.ROOT) + "=.*")) {
      return url;
    }
    return url + (url.contains("?") ? "&" : "?") + name + "=" + value;
  }

  static String masked(String url) {
    return url.replaceAll("(?i)(password=)[^&;]*", "$1***")
        .replaceAll("//([^/@:]+):[^@/]*@", "//$1:***@");
  }

  /**
   * @param shown the URL as the user wrote it, for messages
   */
  private static BasicDataSource pool(String url, String shown, int size) {
    BasicDataSource pool = new BasicDataSource();
    pool.setUrl(url);
    pool.setMaxTotal(size);
    pool.setMaxIdle(size);
    pool.setMaxWait(Duration.ofSeconds(10));
    try (Connection c = pool.getConnection()) {
      c.isValid(5);
      return pool;
    } catch (SQLException e) {
      closeQuietly(pool);
      String reason = DemoException.rootMessage(e);
      if (reason.contains("No suitable driver")) {
        throw new DemoException(
            "No JDBC driver for " + masked(shown),
            "the demo ships MySQL Connector/J (jdbc:mysql://...) and H2 (jdbc:h2:...); use one of them");
      }
      throw new DemoException(
          "Cannot reach the database at " + masked(shown) + " (" + reason + ")",
          "start MariaDB/MySQL there (scripts/test.sh installs and starts MariaDB), correct --jdbc-url,"
              + " or leave --jdbc-url out to use an in-memory H2");
    }
  }

  /**
   * Makes sure the shop's three tables exist with the columns the shop maps (creating missing ones
   * when allowed, and saying so), and that products 1..n exist with a price.
   */
  void prepareTables(Shop.Tables tables, int products, boolean create, PrintStream out) {
    List<String> ddl = Shop.createTableSql(tables);
    List<String> names = tables.all();
    List<String> columns =
        List.of("id, name, description", "product_id, price", "product_id, views");
    try (Connection c = dataSource.getConnection()) {
      for (int i = 0; i < names.size(); i++) {
        String table = names.get(i);
        if (!exists(c, table)) {
          if (!create) {
            throw new DemoException(
                "Table " + table + " does not exist",
                "create it (" + ddl.get(i) + "), or drop --no-create-tables");
          }
          try (Statement s = c.createStatement()) {
            s.execute(ddl.get(i));
          }
          out.println("Created table " + table + " (it was missing): " + ddl.get(i));
        }
        try (Statement s = c.createStatement()) {
          s.executeQuery("SELECT " + columns.get(i) + " FROM " + table + " WHERE 1 = 0").close();
        } catch (SQLException e) {
          throw new DemoException(
              "Table "
                  + table
                  + " exists but is not shaped as the demo needs ("
                  + DemoException.rootMessage(e)
                  + ")",
              "drop it, or pick other tables with --table-prefix");
        }
      }
      int added =
          seed(
              c,
              tables.products(),
              "id",
              "INSERT INTO " + tables.products() + " (id, name, description) VALUES (?, ?, ?)",
              products,
              (ps, id) -> {
                ps.setLong(1, id);
                ps.setString(2, "Product " + id);
                ps.setString(
                    3,
                    "The description of product " + id + ", loaded from the table on a cache miss");
              });
      int priced =
          seed(
              c,
              tables.prices(),
              "product_id",
              "INSERT INTO " + tables.prices() + " (product_id, price) VALUES (?, ?)",
              products,
              (ps, id) -> {
                ps.setLong(1, id);
                ps.setBigDecimal(2, BigDecimal.valueOf(1000 + id % 9000, 2));
              });
      if (added > 0 || priced > 0) {
        out.println(
            "Added "
                + added
                + " products and "
                + priced
                + " prices (products 1.."
                + products
                + ")");
      }
    } catch (SQLException e) {
      throw new DemoException(
          "Cannot prepare the tables (" + DemoException.rootMessage(e) + ")",
          "check that the database user may create and write tables in this database");
    }
  }

  private interface RowBinder {
    void bind(PreparedStatement ps, long id) throws SQLException;
  }

  /** Inserts rows 1..n that are missing, in batches; returns how many. */
  private static int seed(
      Connection c, String table, String key, String insert, int n, RowBinder binder)
      throws SQLException {
    Set<Long> present = new HashSet<>();
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT " + key + " FROM " + table)) {
      while (rs.next()) {
        present.add(rs.getLong(1));
      }
    }
    List<Long> missing = new ArrayList<>();
    for (long id = 1; id <= n; id++) {
      if (!present.contains(id)) {
        missing.add(id);
      }
    }
    try (PreparedStatement ps = c.prepareStatement(insert)) {
      for (int i = 0; i < missing.size(); i++) {
        binder.bind(ps, missing.get(i));
        ps.addBatch();
        if (i % 500 == 499 || i == missing.size() - 1) {
          ps.executeBatch();
        }
      }
    }
    return missing.size();
  }

  private static boolean exists(Connection c, String table) throws SQLException {
    DatabaseMetaData meta = c.getMetaData();
    // unquoted names fold to upper case on H2 and stay as written on MySQL/MariaDB
    for (String name :
        new String[] {table, table.toUpperCase(Locale.ROOT), table.toLowerCase(Locale.ROOT)}) {
      try (ResultSet rs = meta.getTables(c.getCatalog(), null, name, new String[] {"TABLE"})) {
        if (rs.next()) {
          return true;
        }
      }
    }
    return false;
  }

  /** Closes the CacheManager, the pool and the private Redis, if any. */
  @Override
  public void close() {
    if (cacheManager != null) {
      cacheManager.close();
    }
    closeQuietly(dataSource);
    if (ownRedis != null) {
      ownRedis.close();
    }
  }

  private static void closeQuietly(BasicDataSource pool) {
    if (pool != null) {
      try {
        pool.close();
      } catch (SQLException ignored) {
        // nothing was borrowed that needs returning
      }
    }
  }
}
