package dev.cascade.internal.store;

import io.lettuce.core.cluster.SlotHash;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;

/**
 * Every Redis key and channel one cache uses, in one place.
 *
 * <pre>
 * cascade:&lt;cache&gt;:{&lt;cache&gt;#&lt;p&gt;}:&lt;key&gt;     an entry (a hash: v = value, x = logical expiry)
 * cascade:&lt;cache&gt;#lock:{&lt;cache&gt;#&lt;p&gt;}:&lt;key&gt; the write-through lock of an entry
 * cascade:&lt;cache&gt;#listen:{&lt;cache&gt;#&lt;p&gt;}      the JVMs listening to the cache (a hash: origin, grace)
 * cascade:&lt;cache&gt;#wb:{&lt;cache&gt;#&lt;p&gt;}          the write-behind stream of partition p
 * cascade:&lt;cache&gt;#lease:{&lt;cache&gt;#&lt;p&gt;}       the flush lease of partition p (and #epoch: its counter)
 * cascade:&lt;cache&gt;#dead                       dead letters: records the writer kept refusing
 * cascade:&lt;cache&gt;#flushers                   heartbeats of the JVMs that flush the cache
 * cascade:&lt;cache&gt;#listeners                  the listening JVMs, and when each last renewed its marks
 * cascade:&lt;cache&gt;:meta                       the cache's registry entry
 * cascade:&lt;cache&gt;#events                     the channel that carries entry events
 * cascade:&lt;cache&gt;#control                    the channel that says the listeners changed
 * </pre>
 *
 * The hash tag {@code {<cache>#<p>}} (or {@code {<cache>#<p>.<n>}}, see {@link #hashTag}) puts an
 * entry, its lock, its partition's listener flag, its write-behind stream and its flush lease in
 * one cluster slot, so one script may touch them together, and spreads the partitions evenly over
 * the slots, so a cluster's masters share a cache evenly. Auxiliary keys put their role after a
 * {@code #} before the hash tag, never after it: a user key such as {@code "wb"} can therefore
 * never collide with them, and {@code SCAN MATCH cascade:<cache>:&#123;*} finds entries only. The
 * cache name is percent-encoded where it holds a character that has a meaning in keys, hash tags or
 * glob patterns.
 *
 * <p>Immutable and thread-safe.
 */
public final class KeyLayout {

  private final String cacheName;
  private final String escaped;
  private final int partitions;
  private final byte[][] entryPrefixes;
  private final byte[][] lockPrefixes;
  private final byte[][] listenerFlags;
  private final byte[][] streams;
  private final byte[][] leases;
  private final byte[][] epochs;
  private final byte[][] opLogPrefixes;
  private final int tagStart;

  public KeyLayout(String cacheName, int partitions) {
    if (partitions < 1 || partitions > 16384) {
      throw new IllegalArgumentException(
          "partitions must be between 1 and 16384, not "
              + partitions
              + " (cache '"
              + cacheName
              + "')");
    }
    this.cacheName = cacheName;
    this.escaped = escape(cacheName);
    this.partitions = partitions;
    this.entryPrefixes = new byte[partitions][];
    this.lockPrefixes = new byte[partitions][];
    this.listenerFlags = new byte[partitions][];
    this.streams = new byte[partitions][];
    this.leases = new byte[partitions][];
    this.epochs = new byte[partitions][];
    this.opLogPrefixes = new byte[partitions][];
    for (int p = 0; p < partitions; p++) {
      String tag = "{" + hashTag(escaped, p, partitions) + "}";
      entryPrefixes[p] = bytes("cascade:" + escaped + ":" + tag + ":");
      lockPrefixes[p] = bytes("cascade:" + escaped + "#lock:" + tag + ":");
      listenerFlags[p] = bytes("cascade:" + escaped + "#listen:" + tag);
      streams[p] = bytes("cascade:" + escaped + "#wb:" + tag);
      leases[p] = bytes("cascade:" + escaped + "#lease:" + tag);
      epochs[p] = bytes("cascade:" + escaped + "#epoch:" + tag);
      opLogPrefixes[p] = bytes("cascade:" + escaped + "#ops:" + tag + ":");
    }
    this.tagStart = ("cascade:" + escaped + ":{").length();
  }

  /** Slot ranges the partitions' hash tags are spread over: one per partition, up to this many. */
  static final int SPREAD_RANGES = 256;

  private static final int SLOTS = 16384;

  /**
   * The hash tag of partition {@code p}: {@code <cache>#<p>}, or {@code <cache>#<p>.<n>} with the
   * smallest {@code n} that puts the tag's cluster slot in the middle half of partition p's share
   * of the 16,384 slots ({@code P} equal, consecutive shares; partitions beyond 256 share them
   * round-robin).
   *
   * <p>Why: a cluster gives each master a consecutive range of slots. With plain {@code
   * <cache>#<p>} tags the slots of 16 partitions fall where CRC-16 puts them, and one master of
   * three held 62% of a 30,000-entry cache in {@code ClusterCacheTest} (over 2,010 cache names: the
   * busiest master held 44% at the median, 56% at the 95th percentile). Spread evenly over the slot
   * space, partitions split over masters like the slots do: 5, 5 and 6 of 16 on three masters.
   * Deterministic, so every JVM computes the same keys; about P·min(P, 256)·2 CRC-16s once per
   * cache opened.
   */
  static String hashTag(String escaped, int p, int partitions) {
    String base = escaped + "#" + p;
    if (partitions == 1) {
      return base;
    }
    int ranges = Math.min(partitions, SPREAD_RANGES);
    int range = p % ranges;
    long from = (long) range * SLOTS / ranges;
    long width = (long) (range + 1) * SLOTS / ranges - from;
    long lo = from + width / 4;
    long hi = Math.max(lo + 1, from + width - width / 4);
    if (inRange(base, lo, hi)) {
      return base;
    }
    for (int n = 1; n < 10_000_000; n++) {
      String salted = base + "." + n;
      if (inRange(salted, lo, hi)) {
        return salted;
      }
    }
    return base; // unreachable: CRC-16 of the salted tags covers every slot range long before
  }

  private static boolean inRange(String tag, long lo, long hi) {
    int slot = SlotHash.getSlot(bytes(tag));
    return slot >= lo && slot < hi;
  }

  /** "cache 'name'", for messages. */
  public String describe() {
    return "cache '" + cacheName + "'";
  }

  public String cacheName() {
    return cacheName;
  }

  public int partitions() {
    return partitions;
  }

  /** The partition of an encoded key: a stable hash (CRC-32) of its bytes, modulo P. */
  public int partition(byte[] encodedKey) {
    if (partitions == 1) {
      return 0;
    }
    CRC32 crc = new CRC32();
    crc.update(encodedKey);
    return (int) (crc.getValue() % partitions);
  }

  public byte[] entryKey(byte[] encodedKey) {
    return concat(entryPrefixes[partition(encodedKey)], encodedKey);
  }

  public byte[] lockKey(byte[] encodedKey) {
    return concat(lockPrefixes[partition(encodedKey)], encodedKey);
  }

  /** The listener flag in the same slot as {@code entryKey}. */
  public byte[] listenerFlagFor(byte[] encodedKey) {
    return listenerFlags[partition(encodedKey)];
  }

  public byte[] listenerFlag(int partition) {
    return listenerFlags[partition];
  }

  public byte[] streamKey(int partition) {
    return streams[partition];
  }

  public byte[] streamKeyFor(byte[] encodedKey) {
    return streams[partition(encodedKey)];
  }

  public byte[] leaseKey(int partition) {
    return leases[partition];
  }

  public byte[] epochKey(int partition) {
    return epochs[partition];
  }

  /**
   * The operation log of one JVM ({@code origin}) in a partition: the replies of its recent {@code
   * mutate.lua} calls, so a call sent again after a reconnect does not run twice.
   */
  public byte[] opLogKey(int partition, byte[] origin) {
    return concat(opLogPrefixes[partition], origin);
  }

  /**
   * The entry key of an encoded key known to live in {@code partition} (saves hashing it again).
   */
  public byte[] entryKeyIn(int partition, byte[] encodedKey) {
    return concat(entryPrefixes[partition], encodedKey);
  }

  public byte[] deadLetterKey() {
    return bytes("cascade:" + escaped + "#dead");
  }

  public byte[] flushersKey() {
    return bytes("cascade:" + escaped + "#flushers");
  }

  /**
   * The roster of listening JVMs: when each last renewed its listener marks (a hash: origin, epoch
   * ms). Whether another JVM is on it decides whether a JVM publishes its changes at all.
   */
  public byte[] listenersSeenKey() {
    return bytes("cascade:" + escaped + "#listeners");
  }

  /**
   * The encoded key inside an entry key, or null if {@code entryKey} is not one of this cache's.
   */
  public byte[] encodedKeyOf(byte[] entryKey) {
    byte[] first = entryPrefixes[0];
    if (entryKey.length <= tagStart || !startsWith(entryKey, first, tagStart)) {
      return null;
    }
    // skip "<escaped>#<p>" up to the "}:" that closes the hash tag; the escaped name has no '}'
    for (int i = tagStart; i < entryKey.length - 1; i++) {
      if (entryKey[i] == '}' && entryKey[i + 1] == ':') {
        byte[] key = new byte[entryKey.length - i - 2];
        System.arraycopy(entryKey, i + 2, key, 0, key.length);
        return key;
      }
    }
    return null;
  }

  /** {@code SCAN MATCH} pattern of every entry of this cache. */
  public byte[] entryPattern() {
    return bytes("cascade:" + escaped + ":{" + escaped + "#*");
  }

  /** {@code SCAN MATCH} pattern of every auxiliary key (locks, flags, streams). */
  public byte[] auxiliaryPattern() {
    return bytes("cascade:" + escaped + "#*");
  }

  public byte[] metaKey() {
    return metaKeyOf(cacheName);
  }

  public static byte[] metaKeyOf(String cacheName) {
    return bytes("cascade:" + escape(cacheName) + ":meta");
  }

  public byte[] eventChannel() {
    return bytes("cascade:" + escaped + "#events");
  }

  /** The channel on which JVMs tell each other that the cache's listeners changed. */
  public byte[] controlChannel() {
    return bytes("cascade:" + escaped + "#control");
  }

  /**
   * Percent-encodes every byte outside {@code [A-Za-z0-9._$-]}, so the name cannot open or close a
   * hash tag, separate key parts, or act as a glob character in {@code SCAN MATCH}.
   */
  static String escape(String name) {
    StringBuilder sb = new StringBuilder(name.length());
    for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
      char c = (char) (b & 0xFF);
      if ((c >= 'a' && c <= 'z')
          || (c >= 'A' && c <= 'Z')
          || (c >= '0' && c <= '9')
          || c == '.'
          || c == '_'
          || c == '-'
          || c == '$') {
        sb.append(c);
      } else {
        sb.append('%')
            .append(Character.toUpperCase(Character.forDigit((b >> 4) & 0xF, 16)))
            .append(Character.toUpperCase(Character.forDigit(b & 0xF, 16)));
      }
    }
    return sb.toString();
  }

  /** The cache name of a percent-encoded one ({@link #escape}'s inverse). */
  static String unescape(String escaped) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(escaped.length());
    for (int i = 0; i < escaped.length(); i++) {
      char c = escaped.charAt(i);
      if (c == '%' && i + 2 < escaped.length()) {
        out.write(Integer.parseInt(escaped.substring(i + 1, i + 3), 16));
        i += 2;
      } else {
        out.write((byte) c);
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  private static boolean startsWith(byte[] array, byte[] prefix, int length) {
    for (int i = 0; i < length; i++) {
      if (array[i] != prefix[i]) {
        return false;
      }
    }
    return true;
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static byte[] concat(byte[] a, byte[] b) {
    byte[] out = new byte[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
