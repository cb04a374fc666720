package dev.cascade.samples.hibernate;

import java.util.HashMap;
import java.util.Map;

/**
 * {@link TwoSessionFactoriesTest} with hibernate-jcache's own region factory in both factories:
 * what docs/hibernate.md says plain hibernate-jcache guarantees across JVMs.
 */
class PlainJCacheTwoSessionFactoriesTest extends TwoSessionFactoriesTest {

  @Override
  Map<String, Object> settings() {
    Map<String, Object> s = new HashMap<>(super.settings());
    s.put("hibernate.cache.region.factory_class", "jcache");
    return s;
  }
}
