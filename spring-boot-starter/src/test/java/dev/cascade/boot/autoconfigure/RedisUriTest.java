package dev.cascade.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/** Spring Data Redis settings in Cascade's URI forms (no server needed). */
class RedisUriTest {

  private static String uri(Map<String, String> settings) {
    return RedisUri.fromSpring(new Binder(new MapConfigurationPropertySource(settings)));
  }

  @Test
  void hostPortDatabaseAndTls() {
    assertThat(
            uri(
                Map.of(
                    "spring.data.redis.host", "redis.internal",
                    "spring.data.redis.port", "6380",
                    "spring.data.redis.database", "3",
                    "spring.data.redis.ssl.enabled", "true")))
        .isEqualTo("rediss://redis.internal:6380/3");
  }

  @Test
  void userAndPassword_percentEncoded() {
    assertThat(
            uri(
                Map.of(
                    "spring.data.redis.username", "app",
                    "spring.data.redis.password", "p@ss/w rd")))
        .isEqualTo("redis://app:p%40ss%2Fw%20rd@localhost:6379");
  }

  @Test
  void sentinel() {
    assertThat(
            uri(
                Map.of(
                    "spring.data.redis.sentinel.master", "mymaster",
                    "spring.data.redis.sentinel.nodes", "10.0.0.1:26379,10.0.0.2:26379",
                    "spring.data.redis.password", "pw")))
        .isEqualTo("redis-sentinel://:pw@10.0.0.1:26379,10.0.0.2:26379#mymaster");
  }

  @Test
  void cluster() {
    assertThat(uri(Map.of("spring.data.redis.cluster.nodes", "10.0.0.1:7000,10.0.0.2:7000")))
        .isEqualTo("redis-cluster://10.0.0.1:7000,10.0.0.2:7000");
  }

  @Test
  void url_winsOverTheRest() {
    assertThat(
            uri(
                Map.of(
                    "spring.data.redis.url", "rediss://u:p@h:6390",
                    "spring.data.redis.host", "ignored")))
        .isEqualTo("rediss://u:p@h:6390");
  }
}
