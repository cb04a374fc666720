package dev.cascade.internal.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.cache.configuration.Factory;
import javax.cache.expiry.AccessedExpiryPolicy;
import javax.cache.expiry.CreatedExpiryPolicy;
import javax.cache.expiry.EternalExpiryPolicy;
import javax.cache.expiry.ExpiryPolicy;
import javax.cache.expiry.ModifiedExpiryPolicy;
import javax.cache.expiry.TouchedExpiryPolicy;

/**
 * A declared cache's {@code expiry}: {@code eternal}, or exactly one of the four standard policies
 * of JCache with a duration. The standard policies keep the engine on its one-round-trip path.
 */
final class DeclaredExpiry {

  static final List<String> KINDS = List.of("created", "accessed", "modified", "touched");

  private DeclaredExpiry() {}

  static Factory<? extends ExpiryPolicy> factory(ConfigNode node) {
    if (node == null) {
      return EternalExpiryPolicy.factoryOf();
    }
    if (!node.isSection()) {
      String t = node.text().toLowerCase(Locale.ROOT);
      if (t.equals("eternal")) {
        return EternalExpiryPolicy.factoryOf();
      }
      throw node.fail(
          "expected 'eternal', or one of "
              + String.join(", ", KINDS)
              + " with a duration (expiry.created: 10m), found "
              + node.shown()
              + Suggestions.didYouMean(t, List.of("eternal")));
    }
    Map<String, ConfigNode> kinds = node.children();
    if (kinds.isEmpty()) {
      throw node.fail("give one of " + String.join(", ", KINDS) + " with a duration, or 'eternal'");
    }
    if (kinds.size() > 1) {
      List<String> given = new ArrayList<>();
      for (ConfigNode k : kinds.values()) {
        given.add(k.name() + " (" + k.place() + ")");
      }
      throw node.fail(
          "two expiry kinds: "
              + String.join(" and ", given)
              + "; a cache has one expiry, give one");
    }
    ConfigNode kind = kinds.values().iterator().next();
    Duration d = kind.durationValue();
    if (d.isZero() || d.isNegative()) {
      throw kind.fail("expected a positive duration, found " + kind.shown());
    }
    javax.cache.expiry.Duration jcache =
        new javax.cache.expiry.Duration(TimeUnit.MILLISECONDS, d.toMillis());
    switch (kind.name()) {
      case "created":
        return CreatedExpiryPolicy.factoryOf(jcache);
      case "accessed":
        return AccessedExpiryPolicy.factoryOf(jcache);
      case "modified":
        return ModifiedExpiryPolicy.factoryOf(jcache);
      default:
        return TouchedExpiryPolicy.factoryOf(jcache);
    }
  }
}
