package dev.cascade.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cascade.testing.RedisServer;
import dev.cascade.testing.TestDatabase;
import dev.cascade.testing.WithRedis;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.integration.CacheWriterException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Write-through user profiles on a private Redis and the real MariaDB. */
@WithRedis
@Timeout(120)
class UserProfilesTest {

  private final Tables tables = new Tables();
  private CacheManager manager;
  private String table;
  private UserProfiles users;

  @BeforeEach
  void open(RedisServer redis) {
    manager =
        Caching.getCachingProvider()
            .getCacheManager(URI.create(redis.uri()), getClass().getClassLoader());
    table = TestDatabase.uniqueTableName("users");
    tables.create(table, UserProfiles.createTableSql(table));
    users = new UserProfiles(manager, TestDatabase.dataSource(), table);
  }

  @AfterEach
  void close() {
    manager.destroyCache(table);
    manager.close();
    tables.close();
  }

  private List<Map<String, Object>> rows() {
    return TestDatabase.queryRows("SELECT id, name, email FROM " + table + " ORDER BY id");
  }

  @Test
  void updateUserProfile_accepted_isInTableAndInRedis() {
    UserProfiles.Update u = users.updateUserProfile(123, "John Doe", "john@example.com");

    assertTrue(u.saved(), u.message());
    assertEquals(
        List.of(Map.of("id", 123L, "name", "John Doe", "email", "john@example.com")), rows());
    assertTrue(users.cache().containsKey(123L), "Redis holds it (containsKey never loads)");
    assertEquals(Optional.of(new UserProfile("John Doe", "john@example.com")), users.profile(123));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "an email without @      | John Doe | not-an-email            | email",
        "an email of 300 chars   | John Doe | LONG                    | email",
        "no name (NOT NULL)      | NULL     | john@example.com        | name"
      })
  void updateUserProfile_refusedByDatabase_cacheAndRowKeepTheOldProfile(
      String why, String name, String email, String column) {
    users.updateUserProfile(7, "Jane Roe", "jane@example.com");
    String badName = "NULL".equals(name) ? null : name;
    String badEmail = "LONG".equals(email) ? "x".repeat(290) + "@example.com" : email;

    UserProfiles.Update u = users.updateUserProfile(7, badName, badEmail);

    assertFalse(u.saved(), why);
    assertTrue(u.message().startsWith("Not saved: ") && u.message().contains(column), u.message());
    assertFalse(
        u.message().contains("\n") || u.message().contains("Exception"),
        "one readable line: " + u.message());
    assertEquals(
        List.of(Map.of("id", 7L, "name", "Jane Roe", "email", "jane@example.com")), rows());
    assertEquals(Optional.of(new UserProfile("Jane Roe", "jane@example.com")), users.profile(7));
  }

  @Test
  void put_refusedForNewUser_throwsCacheWriterExceptionAndLeavesNoEntry() {
    CacheWriterException e =
        assertThrows(
            CacheWriterException.class,
            () -> users.cache().put(8L, new UserProfile("Nobody", "nowhere")));

    assertTrue(
        e.getMessage().contains("write to table " + table + " failed for key 8"), e.getMessage());
    assertFalse(users.cache().containsKey(8L), "the writer runs first: nothing reached Redis");
    assertEquals(List.of(), rows());
  }

  @Test
  void profile_notInRedis_isLoadedFromTableOnceAndKept() {
    TestDatabase.execute(
        "INSERT INTO " + table + " (id, name, email) VALUES (5, 'Ada', 'ada@example.com')");
    assertFalse(users.cache().containsKey(5L));

    assertEquals(Optional.of(new UserProfile("Ada", "ada@example.com")), users.profile(5));
    assertTrue(users.cache().containsKey(5L), "kept in Redis after the load");
    assertEquals(Optional.empty(), users.profile(404));
  }

  @Test
  void delete_removesRowAndEntry() {
    users.updateUserProfile(9, "Temp", "temp@example.com");
    users.delete(9);
    assertEquals(List.of(), rows());
    assertFalse(users.cache().containsKey(9L));
  }
}
