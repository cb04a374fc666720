package dev.cascade.samples.hibernate;

import java.util.HashMap;
import java.util.Map;

/**
 * {@link SecondLevelCacheTest} with hibernate-jcache's own region factory: the sample's
 * cascade-hibernate factory caches what plain puts cache (the counts are the same), so closing the
 * race costs no hits.
 */
class PlainJCacheSecondLevelCacheTest extends SecondLevelCacheTest {

  @Override
  Map<String, Object> settings() {
    Map<String, Object> s = new HashMap<>(super.settings());
    s.put("hibernate.cache.region.factory_class", "jcache");
    return s;
  }
}
