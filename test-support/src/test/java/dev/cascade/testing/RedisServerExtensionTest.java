package dev.cascade.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.ClassOrderer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestClassOrder;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/** The extension's contract, checked through nested classes that run in a fixed order. */
@TestClassOrder(ClassOrderer.OrderAnnotation.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RedisServerExtensionTest {

  static RedisServer serverOfFirstClass;

  @Nested
  @Order(1)
  @WithRedis
  class OneServerPerClass {

    private final RedisServer fromConstructor;

    OneServerPerClass(RedisServer redis) {
      this.fromConstructor = redis;
    }

    @BeforeEach
    void beforeEach(RedisServer redis) {
      assertSame(fromConstructor, redis);
    }

    @Test
    void testMethod_getsTheClassServer_running(RedisServer redis) {
      assertSame(fromConstructor, redis);
      assertTrue(redis.isRunning());
      assertEquals("no", ((List<?>) redis.command("CONFIG", "GET", "appendonly")).get(1));
      serverOfFirstClass = redis;
    }

    @Test
    void nothingFlushed_betweenTests(RedisServer redis) {
      redis.command("SET", "left-by", "a test");
      assertEquals(1L, redis.command("EXISTS", "left-by"));
    }

    @Nested
    class Inner {
      @Test
      void nestedClass_sharesEnclosingServer(RedisServer redis) {
        assertSame(fromConstructor, redis);
      }
    }
  }

  @Nested
  @Order(2)
  class AfterTheClass {
    @Test
    void serverOfFinishedClass_isStoppedAndDeleted() {
      assertNotNull(serverOfFirstClass, "the first nested class ran");
      assertFalse(serverOfFirstClass.isRunning());
      assertFalse(Files.exists(serverOfFirstClass.dataDir()));
    }
  }

  @Nested
  @Order(3)
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  @WithRedis(appendOnly = true, appendFsync = "always")
  class PerClassLifecycleWithSettings {

    private final RedisServer fromConstructor;

    PerClassLifecycleWithSettings(RedisServer redis) {
      // under PER_CLASS the constructor runs before any BeforeAll callback
      this.fromConstructor = redis;
    }

    @BeforeAll
    void beforeAll(RedisServer redis) {
      assertSame(fromConstructor, redis);
    }

    @Test
    void annotationSettings_areApplied(RedisServer redis) {
      assertSame(fromConstructor, redis);
      assertNotSame(serverOfFirstClass, redis);
      assertEquals("yes", ((List<?>) redis.command("CONFIG", "GET", "appendonly")).get(1));
      assertEquals("always", ((List<?>) redis.command("CONFIG", "GET", "appendfsync")).get(1));
    }
  }

  @Nested
  @Order(4)
  @WithRedis(password = "s3cret@with/odd:chars%")
  class WithPassword {
    @Test
    void password_isRequiredAndKnownToTheFixture(RedisServer redis) {
      assertEquals("s3cret@with/odd:chars%", redis.password());
      assertEquals(
          "s3cret@with/odd:chars%",
          ((List<?>) redis.command("CONFIG", "GET", "requirepass")).get(1));
    }
  }
}
