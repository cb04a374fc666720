package dev.cascade.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cascade.boot.actuate.CascadeHealthAutoConfiguration;
import dev.cascade.boot.actuate.CascadeHealthIndicator;
import dev.cascade.boot.actuate.CascadeMetricsAutoConfiguration;
import dev.cascade.boot.app.BlockingWriter;
import dev.cascade.boot.app.GreetingsApplication;
import dev.cascade.boot.app.PoisonWriter;
import dev.cascade.boot.autoconfigure.CascadeCacheAutoConfiguration;
import dev.cascade.boot.autoconfigure.CascadeEnvironmentPostProcessor;
import dev.cascade.testing.RedisServer;
import dev.cascade.testing.WithRedis;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Map;
import javax.cache.Cache;
import javax.cache.CacheManager;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.Status;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.cache.CacheAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * The {@code cascade} health indicator and the write-behind meters, on a private redis-server: UP
 * with the queue's numbers, OUT_OF_SERVICE and DOWN at their thresholds, DOWN within the ping
 * timeout when Redis stops answering.
 */
@WithRedis
class CascadeActuatorTest {

  private static RedisServer redis;

  @BeforeAll
  static void open(RedisServer server) {
    redis = server;
  }

  private static ApplicationContextRunner app(String uri, String... properties) {
    return new ApplicationContextRunner()
        .withInitializer(
            ctx ->
                new CascadeEnvironmentPostProcessor()
                    .postProcessEnvironment(ctx.getEnvironment(), null))
        .withConfiguration(
            AutoConfigurations.of(
                CascadeCacheAutoConfiguration.class,
                CacheAutoConfiguration.class,
                CascadeHealthAutoConfiguration.class,
                CascadeMetricsAutoConfiguration.class))
        .withUserConfiguration(GreetingsApplication.class)
        .withBean("blockingWriter", BlockingWriter.class, BlockingWriter::new)
        .withPropertyValues("cascade.redis.uri=" + uri)
        .withPropertyValues(
            "cascade.caches.boot-queue.writer=blockingWriter",
            "cascade.caches.boot-queue.write-behind.max-delay=20ms",
            "cascade.caches.boot-queue.write-behind.flush-threads=1",
            "cascade.caches.boot-queue.write-behind.drain-timeout=1s")
        .withPropertyValues(properties);
  }

  @Test
  void queueOverItsThresholds_outOfServiceThenDown_andUpOnceDrained() {
    app(
            redis.uri(),
            "cascade.health.queue-depth.out-of-service=3",
            "cascade.health.queue-depth.down=6")
        .run(
            ctx -> {
              assertThat(ctx).hasNotFailed();
              CascadeHealthIndicator health = ctx.getBean(CascadeHealthIndicator.class);
              BlockingWriter writer = ctx.getBean(BlockingWriter.class);
              Cache<Object, Object> cache = ctx.getBean(CacheManager.class).getCache("boot-queue");

              Health up = health.health();
              assertThat(up.getStatus()).isEqualTo(Status.UP);
              assertThat(up.getDetails()).containsEntry("redis", "reachable");
              assertThat(queue(up)).containsEntry("queueDepth", 0L).containsEntry("status", "UP");

              for (int i = 0; i < 4; i++) {
                cache.put("k" + i, i);
              }
              Health oos = health.health();
              assertThat(oos.getStatus()).isEqualTo(Status.OUT_OF_SERVICE);
              assertThat(queue(oos).get("reason").toString())
                  .contains("queueDepth 4 >= out-of-service threshold 3");

              for (int i = 4; i < 8; i++) {
                cache.put("k" + i, i);
              }
              assertThat(health.health().getStatus()).isEqualTo(Status.DOWN);

              writer.open.countDown();
              await().atMost(Duration.ofSeconds(20)).until(() -> writer.rows.size() == 8);
              await()
                  .atMost(Duration.ofSeconds(20))
                  .until(() -> health.health().getStatus().equals(Status.UP));
            });
  }

  @Test
  void deadLetterAndOldAge_overTheirThresholds() {
    app(
            redis.uri(),
            "cascade.caches.boot-poison.writer=poisonWriter",
            "cascade.caches.boot-poison.partitions=1",
            "cascade.caches.boot-poison.write-behind.max-delay=300ms",
            "cascade.caches.boot-poison.write-behind.retry-limit=1",
            "cascade.caches.boot-poison.write-behind.flush-threads=1",
            "cascade.health.dead-letters.out-of-service=1",
            "cascade.health.oldest-age.down=1ms")
        .withBean("poisonWriter", PoisonWriter.class, PoisonWriter::new)
        .run(
            ctx -> {
              assertThat(ctx).hasNotFailed();
              CascadeHealthIndicator health = ctx.getBean(CascadeHealthIndicator.class);
              CacheManager manager = ctx.getBean(CacheManager.class);

              // the held-back writer of boot-queue: its oldest record ages past 1ms
              manager.getCache("boot-queue").put("old", 1);
              await()
                  .atMost(Duration.ofSeconds(20))
                  .until(() -> health.health().getStatus().equals(Status.DOWN));
              assertThat(queue(health.health()).get("reason").toString())
                  .contains("oldestPendingAgeMillis")
                  .contains(">= down threshold 1");
              ctx.getBean(BlockingWriter.class).open.countDown();

              Cache<Object, Object> poisoned = manager.getCache("boot-poison");
              poisoned.put("good", "fine");
              poisoned.put("bad", "poison");
              PoisonWriter writer = ctx.getBean(PoisonWriter.class);
              await().atMost(Duration.ofSeconds(30)).until(() -> writer.rows.containsKey("good"));
              await()
                  .atMost(Duration.ofSeconds(30))
                  .until(() -> health.health().getStatus().equals(Status.OUT_OF_SERVICE));
              Map<String, Object> cache = cache(health.health(), "boot-poison");
              assertThat(cache).containsEntry("deadLetters", 1L);
              assertThat(cache.get("reason").toString())
                  .contains("deadLetters 1 >= out-of-service threshold 1");
              assertThat(cache.get("lastError").toString()).contains("poison");
            });
  }

  @Test
  void redisNotAnswering_downWithinThePingTimeout() {
    try (RedisServer paused = RedisServer.start()) {
      app(paused.uri(), "cascade.health.timeout=300ms")
          .run(
              ctx -> {
                assertThat(ctx).hasNotFailed();
                CascadeHealthIndicator health = ctx.getBean(CascadeHealthIndicator.class);
                ctx.getBean(BlockingWriter.class).open.countDown();
                assertThat(health.health().getStatus()).isEqualTo(Status.UP);
                paused.pause();
                try {
                  long start = System.nanoTime();
                  Health down = health.health();
                  long tookMillis = (System.nanoTime() - start) / 1_000_000;
                  assertThat(down.getStatus()).isEqualTo(Status.DOWN);
                  assertThat(down.getDetails()).containsEntry("redis", "unreachable");
                  assertThat(down.getDetails().get("error").toString()).contains("PING");
                  assertThat(tookMillis).isLessThan(5_000);
                } finally {
                  paused.resume();
                }
              });
    }
  }

  @Test
  void writeBehindAndNearCacheMeters_tagTheCache() {
    app(redis.uri(), "cascade.caches.boot-near.near-cache=100")
        .run(
            ctx -> {
              assertThat(ctx).hasNotFailed();
              ctx.getBean(BlockingWriter.class).open.countDown();
              SimpleMeterRegistry registry = new SimpleMeterRegistry();
              ctx.getBean("cascadeMetrics", MeterBinder.class).bindTo(registry);
              Cache<Object, Object> cache = ctx.getBean(CacheManager.class).getCache("boot-queue");
              cache.put("m", 1);
              await()
                  .atMost(Duration.ofSeconds(20))
                  .until(
                      () ->
                          registry
                                  .get("cascade.write.behind.flushed")
                                  .tag("cache", "boot-queue")
                                  .functionCounter()
                                  .count()
                              >= 1);
              assertThat(
                      registry
                          .get("cascade.write.behind.queue.depth")
                          .tag("cache", "boot-queue")
                          .gauge()
                          .value())
                  .isZero();
              assertThat(registry.get("cascade.write.behind.oldest.age").timeGauge()).isNotNull();
              assertThat(registry.get("cascade.write.behind.dead.letters").gauge().value())
                  .isZero();
              Cache<Object, Object> near = ctx.getBean(CacheManager.class).getCache("boot-near");
              near.put("n", 1);
              // a near cache serves reads once Redis confirmed its invalidations (asynchronous)
              long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
              do {
                near.get("n");
              } while (registry
                          .get("cascade.near.cache.gets")
                          .tags("cache", "boot-near", "result", "hit")
                          .functionCounter()
                          .count()
                      < 1
                  && System.nanoTime() < deadline);
              assertThat(
                      registry
                          .get("cascade.near.cache.gets")
                          .tags("cache", "boot-near", "result", "hit")
                          .functionCounter()
                          .count())
                  .isGreaterThanOrEqualTo(1);
              // the cache.* meters are Boot's (JCacheMetrics): binding them too would clash
              assertThat(registry.find("cache.gets").meters()).isEmpty();
              assertThat(registry.find("cache.removals").meters()).isEmpty();
            });
  }

  @Test
  void withoutCaching_noIndicatorAndNoMeters() {
    new ApplicationContextRunner()
        .withConfiguration(
            AutoConfigurations.of(
                CascadeCacheAutoConfiguration.class,
                CacheAutoConfiguration.class,
                CascadeHealthAutoConfiguration.class,
                CascadeMetricsAutoConfiguration.class))
        .withPropertyValues("cascade.redis.uri=" + redis.uri())
        .run(
            ctx -> {
              assertThat(ctx).hasNotFailed();
              assertThat(ctx).doesNotHaveBean(CascadeHealthIndicator.class);
              assertThat(ctx).doesNotHaveBean("cascadeMetrics");
            });
  }

  private static Map<String, Object> queue(Health health) {
    return cache(health, "boot-queue");
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> cache(Health health, String name) {
    Map<String, Object> wb = (Map<String, Object>) health.getDetails().get("writeBehind");
    return (Map<String, Object>) wb.get(name);
  }

  /** A zero timeout made every PING fail: DOWN "redis: unreachable" forever, with Redis fine. */
  @Test
  void zeroHealthTimeout_failsAtStartNamingTheKey() {
    app(redis.uri(), "cascade.health.timeout=0s")
        .run(
            ctx -> {
              assertThat(ctx).hasFailed();
              StringBuilder messages = new StringBuilder();
              for (Throwable c = ctx.getStartupFailure(); c != null; c = c.getCause()) {
                messages.append(c.getMessage()).append('\n');
              }
              assertThat(messages.toString())
                  .contains("cascade.health.timeout must be a positive duration, not PT0S");
            });
  }
}
