package dev.cascade.testing;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Gives the annotated test class its own private redis-server, injected as a {@link RedisServer}
 * parameter. See {@link RedisServerExtension}.
 *
 * <pre>{@code
 * @WithRedis(appendOnly = true, appendFsync = "always")
 * class WriteBehindDurabilityTest {
 *     @Test
 *     void queue_survivesRedisKill(RedisServer redis) {
 *         ...
 *         redis.kill();
 *         redis.restart(); // the AOF is replayed
 *     }
 * }
 * }</pre>
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(RedisServerExtension.class)
public @interface WithRedis {

  /**
   * {@code appendonly yes}: needed by tests that kill and restart the server and expect data back.
   */
  boolean appendOnly() default false;

  /**
   * {@code appendfsync}: {@code always} loses nothing on SIGKILL, {@code everysec} up to a second.
   */
  String appendFsync() default "everysec";

  /**
   * {@code requirepass}: clients must authenticate with this password; empty (the default) for
   * none.
   */
  String password() default "";
}
