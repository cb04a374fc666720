package dev.cascade;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.cascade.testing.MapDatabase;
import dev.cascade.testing.RedisServer;
import dev.cascade.testing.WithRedis;
import dev.cascade.writebehind.WriteBehind;
import java.net.URI;
import javax.cache.CacheManager;
import javax.cache.configuration.MutableConfiguration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The shutdown hook that drains write-behind caches when the JVM exits holds the provider, and
 * through it every class loader it served: once the provider's last manager closed, the hook must
 * be gone, or an application server that redeploys could never unload the application.
 */
@WithRedis
@Timeout(60)
class ProviderShutdownHookTest {

  @Test
  void theLastManagerClosing_unregistersTheShutdownHook(RedisServer redis) {
    CascadeCachingProvider provider = new CascadeCachingProvider();
    CacheManager manager =
        provider.getCacheManager(URI.create(redis.uri()), getClass().getClassLoader());
    manager.createCache(
        Managers.uniqueName("hooked"),
        new MutableConfiguration<String, String>()
            .setTypes(String.class, String.class)
            .setWriteThrough(true)
            .setCacheWriterFactory(
                WriteBehind.of(MapDatabase.<String, String>writerFactory("hooked")).build()));
    Thread hook = provider.exitHook();
    assertNotNull(hook, "a write-behind cache registers the hook");

    manager.close();

    assertNull(provider.exitHook());
    assertFalse(
        Runtime.getRuntime().removeShutdownHook(hook), "the hook is still registered with the JVM");
  }
}
