package dev.cascade.samples;

import dev.cascade.jdbc.JdbcCacheLoader;
import dev.cascade.jdbc.JdbcCacheWriter;
import dev.cascade.jdbc.TableMapping;
import java.util.Optional;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.integration.CacheWriterException;
import javax.sql.DataSource;

/**
 * User profiles, written through and read through: the tutorial's {@code update_user_profile} done
 * right.
 *
 * <p>The tutorial updates Redis first and the database second, so a refused database write leaves
 * Redis holding a profile the database never accepted, and every later read serves it. Here the
 * cache is write-through: {@code cache.put} runs the {@link JdbcCacheWriter} <em>first</em>, and
 * the entry in Redis changes only if the database accepted the row. When the database refuses (the
 * {@code CHECK} on {@code email}, a {@code NOT NULL}, a value too long), {@code put} throws a
 * {@link CacheWriterException}, Redis still holds the previous profile, and the caller shows the
 * database's reason to the user.
 *
 * <p>Read-through: a profile that is not in Redis is loaded from the table once (however many
 * threads miss at the same time) and kept.
 *
 * <pre>{@code
 * UserProfiles users = new UserProfiles(cacheManager, dataSource, "users");
 * UserProfiles.Update u = users.updateUserProfile(123, "John Doe", "john@example.com");
 * if (!u.saved()) {
 *     show(u.message());                  // "Not saved: CONSTRAINT `users.email` failed ..."
 * }
 * users.profile(123);                     // from Redis; from the table on a miss
 * }</pre>
 *
 * <p>Thread-safe: the cache is; concurrent updates of one user are serialised per key by Cascade,
 * so the table and Redis end with the same profile.
 */
public final class UserProfiles {

  /** The table the tutorial uses. */
  public static final String DEFAULT_TABLE = "users";

  private final Cache<Long, UserProfile> cache;

  /**
   * Creates (or joins, if another JVM registered it) the cache named like {@code table}.
   *
   * @param table an existing table shaped as {@link #createTableSql(String)} makes it
   */
  public UserProfiles(CacheManager manager, DataSource dataSource, String table) {
    TableMapping<Long, UserProfile> mapping = mapping(table);
    this.cache =
        manager.createCache(
            table,
            new MutableConfiguration<Long, UserProfile>()
                .setTypes(Long.class, UserProfile.class)
                .setReadThrough(true)
                .setCacheLoaderFactory(JdbcCacheLoader.factory(dataSource, mapping))
                .setWriteThrough(true)
                .setCacheWriterFactory(JdbcCacheWriter.factory(dataSource, mapping)));
  }

  /**
   * The table this sample expects. The {@code CHECK} is the database's own rule, the kind of rule a
   * cache must never bypass; it works on MariaDB 10.2+, MySQL 8.0.16+ and H2.
   */
  public static String createTableSql(String table) {
    return "CREATE TABLE "
        + table
        + " ("
        + "id BIGINT PRIMARY KEY, "
        + "name VARCHAR(100) NOT NULL, "
        + "email VARCHAR(254) NOT NULL CHECK (email LIKE '%_@_%'))";
  }

  /**
   * One row per user: the key is {@code id}, the value's parts are {@code name} and {@code email}.
   */
  public static TableMapping<Long, UserProfile> mapping(String table) {
    return TableMapping.builder(table)
        .key("id", Long.class)
        .column("name", UserProfile::name)
        .column("email", UserProfile::email)
        .reader(row -> new UserProfile(row.getString("name"), row.getString("email")))
        .build();
  }

  /** What an update did, in words a user may see. */
  public record Update(boolean saved, String message) {}

  /**
   * Saves the profile in the database and then in Redis, or in neither.
   *
   * @return saved, or not saved with the database's reason (never throws for a refused row)
   */
  public Update updateUserProfile(long userId, String name, String email) {
    try {
      cache.put(userId, new UserProfile(name, email));
      return new Update(true, "Saved the profile of user " + userId);
    } catch (CacheWriterException refused) {
      // The writer ran first and threw: the database refused the row, and Cascade left the entry
      // in Redis as it was. Nothing to undo; tell the user why.
      return new Update(false, "Not saved: " + DatabaseMessages.reason(refused));
    }
  }

  /** The profile from Redis, or from the table on a miss; empty if neither has it. */
  public Optional<UserProfile> profile(long userId) {
    return Optional.ofNullable(cache.get(userId));
  }

  /** Deletes the user from the table, then from Redis. */
  public void delete(long userId) {
    cache.remove(userId);
  }

  /** The underlying cache, for code (and tests) that want to look at Redis directly. */
  public Cache<Long, UserProfile> cache() {
    return cache;
  }
}
