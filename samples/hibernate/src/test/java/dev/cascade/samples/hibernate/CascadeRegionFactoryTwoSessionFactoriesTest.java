package dev.cascade.samples.hibernate;

import java.util.HashMap;
import java.util.Map;

/** {@link TwoSessionFactoriesTest} with {@link CascadeRegionFactory} in both factories. */
class CascadeRegionFactoryTwoSessionFactoriesTest extends TwoSessionFactoriesTest {

  @Override
  Map<String, Object> settings() {
    Map<String, Object> s = new HashMap<>(super.settings());
    s.put("hibernate.cache.region.factory_class", CascadeRegionFactory.class.getName());
    return s;
  }
}
