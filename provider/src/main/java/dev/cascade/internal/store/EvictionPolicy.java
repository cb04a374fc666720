package dev.cascade.internal.store;

import java.util.Locale;

/**
 * What a Redis {@code maxmemory-policy} may take from Cascade when memory runs short.
 *
 * <p>Cascade's guarantees rest on keys Redis must not drop on its own: the write-behind streams and
 * their consumer group (no TTL), and the write-through locks and flush leases (with a TTL). {@code
 * noeviction} evicts nothing (writes fail with "out of memory" instead); {@code allkeys-*} may
 * evict any key, queues included, so acknowledged writes can be lost; {@code volatile-*} evicts
 * keys with a TTL, so a lock or a lease can vanish while its holder still works, and two writers of
 * one key (or two flushers of one partition) can then overlap. Entries with an expiry going early
 * is what a cache is for, and is not a risk.
 */
public final class EvictionPolicy {

  private EvictionPolicy() {}

  /**
   * Why {@code policy} is unsafe for Cascade, or an empty string when it is safe (or unknown: a
   * server that does not say is not warned about).
   */
  public static String risk(String policy) {
    if (policy == null || policy.isBlank()) {
      return "";
    }
    String p = policy.trim().toLowerCase(Locale.ROOT);
    if (p.startsWith("allkeys-")) {
      return "maxmemory-policy "
          + p
          + " lets Redis evict any key when memory is full, write-behind queues,"
          + " write-through locks and flush leases included: acknowledged write-behind changes can be lost."
          + " Use noeviction (changes then fail with 'out of memory' instead), or a Redis of its own for Cascade";
    }
    if (p.startsWith("volatile-")) {
      return "maxmemory-policy "
          + p
          + " lets Redis evict keys with a TTL when memory is full: a write-through lock"
          + " or a write-behind flush lease can vanish while its holder still works, so two writers of one key (or"
          + " two flushers of one partition) can overlap. Use noeviction for caches with a writer";
    }
    return "";
  }
}
