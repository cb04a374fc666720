package dev.cascade.internal.event;

import java.nio.ByteBuffer;
import java.util.Arrays;
import javax.cache.event.EventType;

/**
 * A change published by {@code mutate.lua} on a cache's event channel, still encoded:
 * {@code kind(1) origin key new old}, each field a 4-byte big-endian length (0xFFFFFFFF = none)
 * followed by its bytes.
 */
public final class RemoteChange {

  public final EventType type;
  public final byte[] origin;
  public final byte[] entryKey;
  public final byte[] value;
  public final byte[] oldValue;

  private RemoteChange(EventType type, byte[] origin, byte[] entryKey, byte[] value, byte[] oldValue) {
    this.type = type;
    this.origin = origin;
    this.entryKey = entryKey;
    this.value = value;
    this.oldValue = oldValue;
  }

  /** @throws IllegalArgumentException if the message is not one of Cascade's */
  public static RemoteChange parse(byte[] message) {
    ByteBuffer b = ByteBuffer.wrap(message);
    EventType type;
    switch (b.get()) {
      case 'C': type = EventType.CREATED; break;
      case 'U': type = EventType.UPDATED; break;
      case 'R': type = EventType.REMOVED; break;
      case 'X': type = EventType.EXPIRED; break;
      default: throw new IllegalArgumentException("unknown event kind " + message[0]);
    }
    return new RemoteChange(type, field(b), field(b), field(b), field(b));
  }

  private static byte[] field(ByteBuffer b) {
    int length = b.getInt();
    if (length == -1) {
      return null;
    }
    byte[] bytes = new byte[length];
    b.get(bytes);
    return bytes;
  }

  public boolean isFrom(byte[] someOrigin) {
    return Arrays.equals(origin, someOrigin);
  }
}
