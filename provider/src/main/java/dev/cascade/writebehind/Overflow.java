package dev.cascade.writebehind;

/** What a change does when its partition's write-behind queue is at its bound. */
public enum Overflow {
  /** Wait (polling) until the flushers make room, up to the overflow timeout; then fail. */
  BLOCK,
  /** Fail at once with a {@code CacheWriterException} naming the cache and the bound. */
  FAIL,
  /**
   * Call the writer synchronously, like write-through, then change the cache; the record is still
   * queued (beyond the bound) so the key's earlier queued writes cannot overtake it.
   */
  WRITE_THROUGH
}
