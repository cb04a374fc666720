package dev.cascade.hibernate;

import java.util.List;
import org.hibernate.boot.registry.selector.SimpleStrategyRegistrationImpl;
import org.hibernate.boot.registry.selector.StrategyRegistration;
import org.hibernate.boot.registry.selector.StrategyRegistrationProvider;
import org.hibernate.cache.spi.RegionFactory;

/**
 * Registers {@link CascadeRegionFactory} under the short name {@value #SHORT_NAME}, as
 * hibernate-jcache registers its own as {@code jcache}: Hibernate finds this class through {@code
 * META-INF/services} when it builds its service registry.
 */
public final class CascadeStrategyRegistrations implements StrategyRegistrationProvider {

  /** The value of {@code hibernate.cache.region.factory_class} that selects Cascade's factory. */
  public static final String SHORT_NAME = "cascade";

  @Override
  @SuppressWarnings("rawtypes") // Hibernate's own signature
  public Iterable<StrategyRegistration> getStrategyRegistrations() {
    return List.of(
        new SimpleStrategyRegistrationImpl<>(
            RegionFactory.class,
            CascadeRegionFactory.class,
            SHORT_NAME,
            CascadeRegionFactory.class.getName()));
  }
}
