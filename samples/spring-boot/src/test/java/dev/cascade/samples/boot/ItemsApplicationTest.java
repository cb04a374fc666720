package dev.cascade.samples.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cascade.testing.RedisServer;
import dev.cascade.testing.TestDatabase;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The sample as a user meets it: the application on a random loopback port with its own
 * application.yml, a private redis-server and the real MariaDB (a table of its own); HTTP requests,
 * the row in the table once the write-behind queue drained, and what Actuator shows. The JSON
 * Actuator returned is written to {@code target/actuator/} (docs/spring-boot.md quotes it).
 */
// Cleanup first: JUnit runs after-all callbacks in reverse order, so it runs after Spring closed
// the
// application (DirtiesContext), whose write-behind drains into Redis and the table as it closes
@ExtendWith(ItemsApplicationTest.Cleanup.class)
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {"server.address=127.0.0.1", "spring.main.banner-mode=off"})
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class ItemsApplicationTest {

  // configured as docs/benchmarks.md recommends for Cascade (compact entries up to 1 KB), so the
  // application starts without the warning a default Redis earns
  private static final RedisServer REDIS =
      RedisServer.builder().config("hash-max-ziplist-value", "1024").start();
  private static final String TABLE = TestDatabase.uniqueTableName("boot_items");
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final ObjectMapper JSON = new ObjectMapper();

  @DynamicPropertySource
  static void environment(DynamicPropertyRegistry registry) {
    registry.add("cascade.redis.uri", REDIS::uri);
    registry.add("spring.datasource.url", TestDatabase::jdbcUrl);
    registry.add("items.table", () -> TABLE);
  }

  @LocalServerPort int port;
  @Autowired ItemReports reports;

  /** Stops the private redis-server and drops the table, once the application is closed. */
  static final class Cleanup implements AfterAllCallback {
    @Override
    public void afterAll(ExtensionContext extension) {
      try {
        TestDatabase.dropTable(TABLE);
      } finally {
        REDIS.close();
      }
    }
  }

  @Test
  void putThenGet_rowReachesTheTable_andActuatorShowsTheCaches() throws Exception {
    HttpResponse<String> put = send("PUT", "/items/7", "{\"name\": \"anvil\", \"quantity\": 3}");
    assertThat(put.statusCode()).isEqualTo(200);
    HttpResponse<String> get = send("GET", "/items/7", null);
    assertThat(get.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(get.body()).get("name").asText()).isEqualTo("anvil");

    // write-behind: the row arrives once the queue drained
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                TestDatabase.queryRows("SELECT name, quantity FROM " + TABLE + " WHERE id = 7")
                    .equals(List.of(Map.of("name", "anvil", "quantity", 3))));

    // read-through: a row only the table has
    TestDatabase.execute(
        "INSERT INTO " + TABLE + " (id, name, quantity, revision) VALUES (8, 'bolt', 40, 1)");
    HttpResponse<String> loaded = send("GET", "/items/8", null);
    assertThat(loaded.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(loaded.body()).get("quantity").asInt()).isEqualTo(40);
    assertThat(send("GET", "/items/9", null).statusCode()).isEqualTo(404);

    // @Cacheable on the application's own class: the second report is read back from Redis
    JsonNode first = JSON.readTree(send("GET", "/items/7/report", null).body());
    JsonNode second = JSON.readTree(send("GET", "/items/7/report", null).body());
    assertThat(second).isEqualTo(first);
    assertThat(first.get("summary").asText()).isEqualTo("anvil: 3 in stock");
    assertThat(reports.computed()).isEqualTo(1);

    // Actuator: health with the cascade details, once the queue is empty
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                JSON.readTree(send("GET", "/actuator/health", null).body())
                        .at("/components/cascade/details/writeBehind/items/queueDepth")
                        .asLong(-1)
                    == 0);
    HttpResponse<String> health = send("GET", "/actuator/health", null);
    assertThat(health.statusCode()).isEqualTo(200);
    JsonNode cascade = JSON.readTree(health.body()).at("/components/cascade");
    assertThat(cascade.get("status").asText()).isEqualTo("UP");
    assertThat(cascade.at("/details/redis").asText()).isEqualTo("reachable");
    assertThat(cascade.at("/details/writeBehind/items/deadLetters").asLong()).isZero();
    save("health.json", health.body());

    // cache.* meters: Boot's JCacheMetrics on Cascade's statistics MBeans (tagged name and cache)
    HttpResponse<String> gets = send("GET", "/actuator/metrics/cache.gets?tag=name:items", null);
    assertThat(gets.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(gets.body()).at("/measurements/0/value").asDouble()).isGreaterThan(0);
    save("metrics-cache.gets.json", gets.body());
    HttpResponse<String> hits =
        send("GET", "/actuator/metrics/cache.gets?tag=cache:items&tag=result:hit", null);
    assertThat(JSON.readTree(hits.body()).at("/measurements/0/value").asDouble()).isGreaterThan(0);
    HttpResponse<String> flushed =
        send("GET", "/actuator/metrics/cascade.write.behind.flushed?tag=cache:items", null);
    assertThat(flushed.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(flushed.body()).at("/measurements/0/value").asDouble())
        .isGreaterThanOrEqualTo(1);
    save("metrics-cascade.write.behind.flushed.json", flushed.body());

    // /actuator/caches: Boot's CachesEndpoint lists the Cascade caches
    HttpResponse<String> caches = send("GET", "/actuator/caches", null);
    assertThat(caches.statusCode()).isEqualTo(200);
    JsonNode listed = JSON.readTree(caches.body()).at("/cacheManagers/cacheManager/caches");
    assertThat(listed.has("items")).isTrue();
    assertThat(listed.has("item-reports")).isTrue();
    assertThat(listed.get("items").get("target").asText()).startsWith("dev.cascade.CascadeCache");
    save("caches.json", caches.body());
  }

  private HttpResponse<String> send(String method, String path, String body)
      throws IOException, InterruptedException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(20));
    if (body == null) {
      request.method(method, HttpRequest.BodyPublishers.noBody());
    } else {
      request
          .header("Content-Type", "application/json")
          .method(method, HttpRequest.BodyPublishers.ofString(body));
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static void save(String name, String json) throws IOException {
    Path dir = Path.of("target", "actuator");
    Files.createDirectories(dir);
    Files.writeString(
        dir.resolve(name),
        JSON.writerWithDefaultPrettyPrinter().writeValueAsString(JSON.readTree(json)));
  }
}
