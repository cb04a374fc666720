package dev.cascade;

/**
 * What this JVM's asynchronous listeners of one cache missed: read-only numbers, as {@link
 * CascadeCache#listeners()} returns them.
 *
 * <pre>{@code
 * long missed = cache.unwrap(CascadeCache.class).listeners().eventsDropped();
 * }</pre>
 */
public interface ListenerStatistics {

  /**
   * Events of this cache that this JVM's asynchronous listeners did not hear because the
   * CacheManager's event queue was full ({@code cascade.event-queue}): this JVM's changes once a
   * wait for room ran out, other JVMs' changes beyond half the queue. Counted once per event, not
   * per listener. Events lost while the pub/sub connection was down are not counted (nobody knows
   * how many there were); a WARNING reports that outage.
   */
  long eventsDropped();
}
