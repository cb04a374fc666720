package dev.cascade;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cascade.testing.RedisServer;
import dev.cascade.testing.TestDatabase;
import dev.cascade.writebehind.WriteBehind;
import dev.cascade.writebehind.WriteBehindMXBean;
import io.lettuce.core.ClientOptions;
import java.util.Map;
import java.util.Properties;
import javax.cache.Cache;
import org.junit.jupiter.api.Test;

/**
 * {@link AclContract} over a plain connection ({@code redis://cascade:...@127.0.0.1:port}), plus
 * write-behind with replica acknowledgement (a replica logs in as the admin user).
 */
class AclLeastPrivilegeTest extends AclContract {

  @Override
  RedisServer start() {
    return aclServer().start();
  }

  @Override
  Properties properties() {
    return new Properties();
  }

  @Override
  ClientOptions rawOptions() {
    return ClientOptions.create();
  }

  @Test
  void writeBehindWithReplicaAck_underTheAclUser_waitsForTheReplica() throws Exception {
    try (RedisServer replica =
        RedisServer.builder()
            .replicaOf(redis.host(), redis.port())
            .config("masteruser", "admin")
            .config("masterauth", "admin-secret")
            .start()) {
      long deadline = System.currentTimeMillis() + 30_000;
      while (!"up".equals(replica.info("replication").get("master_link_status"))) {
        assertTrue(System.currentTimeMillis() < deadline, "the replica never linked up");
        Thread.sleep(50);
      }
      String table = TestDatabase.uniqueTableName("acl_ack");
      TestDatabase.execute(
          "CREATE TABLE " + table + " (k VARCHAR(64) PRIMARY KEY, v VARCHAR(255) NOT NULL)");
      try {
        Cache<String, String> cache =
            first.createCache(
                Managers.uniqueName("ack"),
                strings()
                    .setWriteThrough(true)
                    .setCacheWriterFactory(
                        WriteBehind.of(new TableWriterFactory(table))
                            .maxDelay(java.time.Duration.ofMillis(50))
                            .replicaAck(1, java.time.Duration.ofSeconds(5))
                            .build()));
        cache.put("k", "v");
        cache.putAll(Map.of("a", "1", "b", "2"));
        cache.remove("b");
        WriteBehindMXBean wb = cache.unwrap(CascadeCache.class).writeBehind();
        while (wb.getQueueDepth() > 0
            || TestDatabase.queryMap("SELECT k, v FROM " + table, String.class, String.class).size()
                != 2) {
          assertTrue(
              System.currentTimeMillis() < deadline + 30_000,
              "flushed: last error " + wb.getLastError());
          Thread.sleep(50);
        }
        assertEquals(
            Map.of("k", "v", "a", "1"),
            TestDatabase.queryMap("SELECT k, v FROM " + table, String.class, String.class));
      } finally {
        TestDatabase.dropTable(table);
      }
    }
  }
}
