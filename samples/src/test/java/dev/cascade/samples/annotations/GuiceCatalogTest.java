package dev.cascade.samples.annotations;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.inject.Guice;
import dev.cascade.testing.TestDatabase;
import dev.cascade.testing.WithRedis;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import javax.cache.CacheManager;
import javax.cache.Caching;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link ProductCatalog} under Guice 6 and the JSR-107 annotation RI, over Cascade. */
@WithRedis
@Timeout(120)
class GuiceCatalogTest extends CatalogContract {

  private final List<URI> uris = new ArrayList<>();

  private CacheManager manager(URI uri) {
    return Caching.getCachingProvider().getCacheManager(uri, getClass().getClassLoader());
  }

  @Override
  ProductCatalog start(String redisUri) {
    URI uri = URI.create(redisUri);
    uris.add(uri);
    return Guice.createInjector(
            new GuiceCatalogModule(() -> manager(uri), TestDatabase.dataSource(), table))
        .getInstance(ProductCatalog.class);
  }

  @Override
  ProductCatalog startSecond(String redisUri) {
    return start(redisUri);
  }

  @Override
  void stop() {
    uris.forEach(uri -> manager(uri).close());
  }

  @Test
  void cacheResult_afterTheCacheManagerWasClosed_resolvesTheReopenedOne() {
    ProductCatalog catalog = start(redis.uri());
    catalog.find(1);

    manager(URI.create(redis.uri())).close(); // e.g. an application restarting its cache layer

    assertEquals(new dev.cascade.samples.Product("pen", "writes"), catalog.find(1));
    assertEquals(1, catalog.finds(), "served from Redis through the newly opened manager");
  }
}
