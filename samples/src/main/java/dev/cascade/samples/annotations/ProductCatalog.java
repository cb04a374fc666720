package dev.cascade.samples.annotations;

import dev.cascade.samples.Product;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicInteger;
import javax.cache.annotation.CacheDefaults;
import javax.cache.annotation.CachePut;
import javax.cache.annotation.CacheRemove;
import javax.cache.annotation.CacheRemoveAll;
import javax.cache.annotation.CacheResult;
import javax.cache.annotation.CacheValue;
import javax.inject.Inject;
import javax.inject.Named;
import javax.sql.DataSource;

/**
 * A product catalog over a {@code products} table whose methods say, with the standard JCache
 * annotations, how their results are cached; the container (Spring, Guice + the annotation RI, CDI)
 * does the caching, Cascade keeps the entries in Redis, shared by every instance of the
 * application.
 *
 * <ul>
 *   <li>{@link #find}: {@code @CacheResult}, the cache-aside read: the method runs on a miss only.
 *   <li>{@link #save}: {@code @CachePut}: the method writes the table, then the container puts the
 *       value (after the method returned, and only if it did not throw).
 *   <li>{@link #delete}: {@code @CacheRemove}: the table row, then the entry.
 *   <li>{@link #reloaded}: {@code @CacheRemoveAll}: after a bulk change of the table, forget
 *       everything.
 * </ul>
 *
 * <p>Unlike {@link dev.cascade.samples.UserProfiles} (write-through: the cache calls the database),
 * here the application calls the database and the annotations keep the cache in step. The key is
 * what the container makes of the parameters (Spring: the id itself; the RI: a {@code
 * GeneratedCacheKey} holding it), so the cache is declared with {@code Object} keys.
 *
 * <p>Not final, methods not final: containers cache by subclassing. Thread-safe.
 */
@CacheDefaults(cacheName = CatalogCache.NAME)
public class ProductCatalog {

  private final DataSource dataSource;
  private final String table;
  private final AtomicInteger finds = new AtomicInteger();

  /**
   * @param table a table shaped as {@code Shop.createTableSql} makes {@code products}
   */
  @Inject
  public ProductCatalog(DataSource dataSource, @Named("catalog.table") String table) {
    this.dataSource = dataSource;
    this.table = table;
  }

  /** The product, from the cache; from the table only on a miss (then cached). Null if unknown. */
  @CacheResult
  public Product find(long id) {
    finds.incrementAndGet();
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement("SELECT name, description FROM " + table + " WHERE id = ?")) {
      ps.setLong(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? new Product(rs.getString(1), rs.getString(2)) : null;
      }
    } catch (SQLException e) {
      throw new IllegalStateException(
          "cannot read product " + id + " from " + table + ": " + e.getMessage(), e);
    }
  }

  /** Writes the table; the container then caches {@code product} under {@code id}. */
  @CachePut
  public void save(long id, @CacheValue Product product) {
    try (Connection c = dataSource.getConnection()) {
      // update, else insert: portable across MariaDB, H2 and PostgreSQL without a dialect
      int updated;
      try (PreparedStatement ps =
          c.prepareStatement("UPDATE " + table + " SET name = ?, description = ? WHERE id = ?")) {
        ps.setString(1, product.name());
        ps.setString(2, product.description());
        ps.setLong(3, id);
        updated = ps.executeUpdate();
      }
      if (updated == 0) {
        try (PreparedStatement ps =
            c.prepareStatement(
                "INSERT INTO " + table + " (id, name, description) VALUES (?, ?, ?)")) {
          ps.setLong(1, id);
          ps.setString(2, product.name());
          ps.setString(3, product.description());
          ps.executeUpdate();
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException(
          "cannot save product " + id + " to " + table + ": " + e.getMessage(), e);
    }
  }

  /** Deletes the row; the container then removes the entry. */
  @CacheRemove
  public void delete(long id) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement("DELETE FROM " + table + " WHERE id = ?")) {
      ps.setLong(1, id);
      ps.executeUpdate();
    } catch (SQLException e) {
      throw new IllegalStateException(
          "cannot delete product " + id + " from " + table + ": " + e.getMessage(), e);
    }
  }

  /** Call after the table changed in bulk (an import): the container empties the cache. */
  @CacheRemoveAll
  public void reloaded() {}

  /** How often {@link #find} really ran, i.e. missed the cache. */
  public int finds() {
    return finds.get();
  }
}
