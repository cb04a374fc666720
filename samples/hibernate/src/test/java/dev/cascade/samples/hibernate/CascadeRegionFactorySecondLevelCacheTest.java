package dev.cascade.samples.hibernate;

import java.util.HashMap;
import java.util.Map;

/**
 * {@link SecondLevelCacheTest} with {@link CascadeRegionFactory}: its compare-and-set writes cache
 * what plain puts cache (the counts are the same), so closing the race costs no hits.
 */
class CascadeRegionFactorySecondLevelCacheTest extends SecondLevelCacheTest {

  @Override
  Map<String, Object> settings() {
    Map<String, Object> s = new HashMap<>(super.settings());
    s.put("hibernate.cache.region.factory_class", CascadeRegionFactory.class.getName());
    return s;
  }
}
