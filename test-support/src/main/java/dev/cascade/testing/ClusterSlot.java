package dev.cascade.testing;

/**
 * Redis Cluster's key-to-slot function, as in the cluster specification: CRC16 (XMODEM: polynomial
 * 0x1021, initial value 0) of the key, or of its hash tag, modulo 16384. The hash tag is the part
 * between the first {@code '{'} and the first {@code '}'} after it, when that part is not empty.
 *
 * <p>Stateless and thread-safe.
 */
final class ClusterSlot {

  static final int SLOTS = 16384;
  private static final int[] TABLE = new int[256];

  static {
    for (int i = 0; i < 256; i++) {
      int crc = i << 8;
      for (int bit = 0; bit < 8; bit++) {
        crc = (crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1;
      }
      TABLE[i] = crc & 0xFFFF;
    }
  }

  private ClusterSlot() {}

  static int of(byte[] key) {
    int start = 0;
    int end = key.length;
    int open = indexOf(key, (byte) '{', 0);
    if (open >= 0) {
      int close = indexOf(key, (byte) '}', open + 1);
      if (close > open + 1) {
        start = open + 1;
        end = close;
      }
    }
    return crc16(key, start, end) % SLOTS;
  }

  static int crc16(byte[] bytes, int from, int to) {
    int crc = 0;
    for (int i = from; i < to; i++) {
      crc = ((crc << 8) ^ TABLE[((crc >>> 8) ^ bytes[i]) & 0xFF]) & 0xFFFF;
    }
    return crc;
  }

  private static int indexOf(byte[] bytes, byte b, int from) {
    for (int i = from; i < bytes.length; i++) {
      if (bytes[i] == b) {
        return i;
      }
    }
    return -1;
  }
}
