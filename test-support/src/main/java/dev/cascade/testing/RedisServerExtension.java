package dev.cascade.testing;

import java.util.Optional;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * Starts one private {@link RedisServer} per test class (before all tests, stopped and deleted
 * after all) and injects it into parameters of type {@code RedisServer}: constructors,
 * {@code @BeforeAll}, {@code @BeforeEach}, {@code @Test} methods. Nothing is flushed between tests;
 * a test that needs an empty server calls {@link RedisServer#flushAll()}.
 *
 * <pre>{@code
 * @WithRedis
 * class PutTest {
 *     @Test
 *     void put_newKey_isReadable(RedisServer redis) { ... redis.uri() ... }
 * }
 * }</pre>
 *
 * Settings come from {@link WithRedis} on the test class; registered with a plain
 * {@code @ExtendWith(RedisServerExtension.class)} the server has the defaults.
 *
 * <p>Concurrency: see {@link FixtureExtension}; the server itself is thread-safe.
 */
public final class RedisServerExtension extends FixtureExtension<RedisServer> {

  public RedisServerExtension() {
    super(RedisServer.class);
  }

  @Override
  RedisServer start(ExtensionContext classContext) {
    RedisServer.Builder builder = RedisServer.builder();
    Optional<WithRedis> settings =
        AnnotationSupport.findAnnotation(classContext.getRequiredTestClass(), WithRedis.class);
    settings.ifPresent(
        s -> {
          builder.appendOnly(s.appendOnly()).appendFsync(s.appendFsync());
          if (!s.password().isEmpty()) {
            builder.password(s.password());
          }
        });
    return builder.start();
  }
}
