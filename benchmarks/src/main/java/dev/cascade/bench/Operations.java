package dev.cascade.bench;

/**
 * One system under test, opened for one operation: {@link #open} prepares only what that operation
 * needs (a cache with a listener for the listener operations, a counter cache for invoke), with
 * every key of {@link Data} present. The same calls are timed by JMH and counted by {@link
 * RoundTrips}, so both see exactly the same work.
 *
 * <p>Thread-safe: JMH calls one instance from all benchmark threads.
 */
interface Operations extends AutoCloseable {

  /** A present key. */
  Object getHit();

  /** A key that is never stored. */
  Object getMiss();

  /** A present key, a new value; for the listener operations, on the cache with the listener. */
  Object put();

  /** {@value Data#BATCH} present keys. */
  Object getAll();

  /** {@value Data#BATCH} present keys, new values. */
  Object putAll();

  /** Adds one to a Long. */
  Object invoke();

  /** Adds one to a Long with one {@code HINCRBY}: raw Lettuce only. */
  default Object invokeHincrby() {
    throw new UnsupportedOperationException(Op.INVOKE_HINCRBY + " is an operation of Lettuce only");
  }

  /** The call that times {@code op}. */
  default Object run(Op op) {
    switch (op) {
      case GET_HIT:
      case GET_HIT_NEAR:
        return getHit();
      case GET_MISS:
        return getMiss();
      case GET_ALL:
        return getAll();
      case PUT_ALL:
        return putAll();
      case INVOKE:
        return invoke();
      case INVOKE_HINCRBY:
        return invokeHincrby();
      default:
        return put();
    }
  }

  @Override
  void close();
}
