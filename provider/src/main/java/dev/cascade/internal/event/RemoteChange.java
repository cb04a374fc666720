package dev.cascade.internal.event;

import java.nio.ByteBuffer;
import java.util.Arrays;
import javax.cache.event.EventType;

/**
 * A change published by {@code mutate.lua} on a cache's event channel, still encoded: {@code
 * kind(1) origin key new old}, each field a 4-byte big-endian length (0xFFFFFFFF = none) followed
 * by its bytes.
 *
 * <p>Anybody who may PUBLISH on the channel can send anything, so {@link #parse} trusts nothing: it
 * checks every declared length against the bytes that follow before it allocates, and the shape of
 * the message against what {@code mutate.lua} publishes for its kind.
 */
public final class RemoteChange {

  /** The shortest message: a kind and four lengths. */
  static final int MIN_LENGTH = 1 + 4 * 4;

  private static final int NONE = -1;

  public final EventType type;
  public final byte[] origin;
  public final byte[] entryKey;
  public final byte[] value;
  public final byte[] oldValue;

  private RemoteChange(
      EventType type, byte[] origin, byte[] entryKey, byte[] value, byte[] oldValue) {
    this.type = type;
    this.origin = origin;
    this.entryKey = entryKey;
    this.value = value;
    this.oldValue = oldValue;
  }

  /**
   * @throws IllegalArgumentException saying what is wrong, if the message is not one that {@code
   *     mutate.lua} publishes; never allocates more than the message's length
   */
  public static RemoteChange parse(byte[] message) {
    if (message.length < MIN_LENGTH) {
      throw new IllegalArgumentException(
          "a message of "
              + message.length
              + " bytes is shorter than the "
              + MIN_LENGTH
              + " of the shortest event");
    }
    EventType type;
    switch (message[0]) {
      case 'C':
        type = EventType.CREATED;
        break;
      case 'U':
        type = EventType.UPDATED;
        break;
      case 'R':
        type = EventType.REMOVED;
        break;
      case 'X':
        type = EventType.EXPIRED;
        break;
      default:
        throw new IllegalArgumentException("unknown event kind " + message[0]);
    }
    ByteBuffer b = ByteBuffer.wrap(message, 1, message.length - 1);
    byte[] origin = field(b, "origin");
    byte[] entryKey = field(b, "key");
    byte[] value = field(b, "new value");
    byte[] oldValue = field(b, "old value");
    if (b.hasRemaining()) {
      throw new IllegalArgumentException(b.remaining() + " bytes follow the last field");
    }
    if (origin == null || entryKey == null) {
      throw new IllegalArgumentException(
          "the message has no " + (origin == null ? "origin" : "key"));
    }
    // mutate.lua: C has a new value only, U both, R and X the old value only
    boolean hasNew = type == EventType.CREATED || type == EventType.UPDATED;
    boolean hasOld = type != EventType.CREATED;
    if ((value != null) != hasNew || (oldValue != null) != hasOld) {
      throw new IllegalArgumentException(
          "a "
              + type
              + " event "
              + (value != null ? "with" : "without")
              + " a new value and "
              + (oldValue != null ? "with" : "without")
              + " an old one");
    }
    return new RemoteChange(type, origin, entryKey, value, oldValue);
  }

  private static byte[] field(ByteBuffer b, String name) {
    if (b.remaining() < 4) {
      throw new IllegalArgumentException("the message ends before the length of its " + name);
    }
    int length = b.getInt();
    if (length == NONE) {
      return null;
    }
    // checked before the array exists: a forged length must not allocate gigabytes
    if (length < 0 || length > b.remaining()) {
      throw new IllegalArgumentException(
          "its "
              + name
              + " declares "
              + Integer.toUnsignedString(length)
              + " bytes, but only "
              + b.remaining()
              + " follow");
    }
    byte[] bytes = new byte[length];
    b.get(bytes);
    return bytes;
  }

  public boolean isFrom(byte[] someOrigin) {
    return Arrays.equals(origin, someOrigin);
  }
}
