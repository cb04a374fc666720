package dev.cascade.samples.annotations;

import dev.cascade.testing.TestDatabase;
import dev.cascade.testing.WithRedis;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.Timeout;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.core.env.MapPropertySource;

/** {@link ProductCatalog} under Spring's JCache annotation support, over Cascade. */
@WithRedis
@Timeout(120)
class SpringCatalogTest extends CatalogContract {

  private final List<AnnotationConfigApplicationContext> contexts = new ArrayList<>();

  @Override
  ProductCatalog start(String redisUri) {
    AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext();
    context
        .getEnvironment()
        .getPropertySources()
        .addFirst(
            new MapPropertySource(
                "test", Map.of("cascade.redis.uri", redisUri, "catalog.table", table)));
    context.registerBean(
        DataSource.class, TestDatabase::dataSource, d -> d.setDestroyMethodName(""));
    context.register(SpringCatalogConfiguration.class);
    context.refresh();
    contexts.add(context);
    return context.getBean(ProductCatalog.class);
  }

  @Override
  ProductCatalog startSecond(String redisUri) {
    return start(redisUri);
  }

  @Override
  void stop() {
    contexts.forEach(AnnotationConfigApplicationContext::close);
  }
}
