package dev.cascade;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cascade.testing.RedisServer;
import dev.cascade.testing.WithRedis;
import java.io.Serializable;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.configuration.FactoryBuilder;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.integration.CacheLoader;
import javax.cache.integration.CacheLoaderException;
import javax.cache.integration.CompletionListener;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * loadAll runs the loader in the background and reports to a completion listener: a loader that
 * throws an Error (a class missing at run time) must reach the listener too, or a caller waiting on
 * it waits for good.
 */
@WithRedis
@Timeout(60)
class LoadAllErrorTest {

  @Test
  void loaderThrowingAnError_reachesTheCompletionListener(RedisServer redis) throws Exception {
    CacheManager manager = Managers.open(redis);
    try {
      Cache<String, String> cache =
          manager.createCache(
              Managers.uniqueName("load-error"),
              new MutableConfiguration<String, String>()
                  .setTypes(String.class, String.class)
                  .setCacheLoaderFactory(FactoryBuilder.factoryOf(MissingClass.class)));
      CompletableFuture<Void> done = new CompletableFuture<>();
      cache.loadAll(
          Set.of("a"),
          false,
          new CompletionListener() {
            @Override
            public void onCompletion() {
              done.complete(null);
            }

            @Override
            public void onException(Exception e) {
              done.completeExceptionally(e);
            }
          });

      ExecutionException e =
          assertThrows(ExecutionException.class, () -> done.get(20, TimeUnit.SECONDS));
      assertInstanceOf(CacheLoaderException.class, e.getCause());
      assertTrue(e.getCause().getMessage().contains("NoClassDefFoundError"), e.getMessage());
    } finally {
      manager.close();
    }
  }

  public static final class MissingClass implements CacheLoader<String, String>, Serializable {
    private static final long serialVersionUID = 1L;

    @Override
    public String load(String key) {
      throw new NoClassDefFoundError("com/acme/Gone");
    }

    @Override
    public Map<String, String> loadAll(Iterable<? extends String> keys) {
      throw new NoClassDefFoundError("com/acme/Gone");
    }
  }
}
