package dev.cascade.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cascade.testapp.zero.ZeroConfigApp;
import dev.cascade.testing.ChildJvm;
import dev.cascade.testing.RedisServer;
import dev.cascade.testing.WithRedis;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A Spring application whose main class is {@code dev.cascade.testapp.zero.ZeroConfigApp}, run as a
 * JVM of its own twice (a restart), with no Cascade setting: Spring's {@code @Cacheable} and
 * JSR-107's {@code @CacheResult} store the application's own {@code Serializable} class, and the
 * second JVM reads it back instead of computing it, because the main class's package is allowed.
 */
@WithRedis
@Timeout(240)
class ZeroConfigurationTest {

  private static final String SECRET = "zero-config-secret-0123456789abcdef";

  private RedisServer redis;

  @BeforeEach
  void clean(RedisServer server) {
    redis = server;
    redis.flushAll();
  }

  @Test
  void springCacheable_applicationClass_noSetting_isReadBackAfterARestart() {
    String first = run();
    String second = run();

    assertTrue(first.contains("computed=2"), first);
    assertTrue(second.contains("computed=0"), second);
    assertEquals(line(first, "greeting="), line(second, "greeting="));
    assertEquals(line(first, "formal="), line(second, "formal="));
    assertTrue(
        second.contains(
            "allowing the application's own classes, dev.cascade.testapp.zero.** (the package of"
                + " the main class dev.cascade.testapp.zero.ZeroConfigApp)"),
        second);
  }

  @Test
  void strictMode_refusesTheApplicationClass_naming_itAndTheSetting() {
    run();
    String strict = run("-Dcascade.codec.strict=true");

    assertTrue(
        strict.contains(
            "Refusing to deserialize class dev.cascade.testapp.zero.model.Greeting of cache"
                + " 'greetings': it is not on the deserialization allow-list"),
        strict);
    assertTrue(strict.contains("cascade.cache.greetings.codec.allow="), strict);
  }

  @Test
  void withSecret_applicationClassIsReadBackAfterARestart() {
    String first = run("-Dcascade.codec.hmac-key=" + SECRET);
    String second = run("-Dcascade.codec.hmac-key=" + SECRET);

    assertTrue(first.contains("computed=2"), first);
    assertTrue(second.contains("computed=0"), second);
    assertTrue(!second.contains(SECRET.substring(20)), "the secret was printed: " + second);
  }

  /** Runs the application to its end; its output. */
  private String run(String... jvmOptions) {
    ChildJvm.Builder builder =
        ChildJvm.builder(ZeroConfigApp.class)
            .systemProperty("cascade.redis.uri", redis.uri())
            // the samples log at WARN (simplelogger.properties); show the line saying what was
            // derived from the main class
            .systemProperty(
                "org.slf4j.simpleLogger.log.dev.cascade.internal.codec.ApplicationPackages",
                "info");
    for (String option : jvmOptions) {
      builder.jvmArg(option);
    }
    try (ChildJvm child = builder.start()) {
      assertTrue(child.waitFor(Duration.ofSeconds(90)), "the application did not end: " + child);
      return child.outputTail(400);
    }
  }

  private static String line(String output, String prefix) {
    return output
        .lines()
        .filter(l -> l.startsWith(prefix))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no line " + prefix + " in " + output));
  }
}
