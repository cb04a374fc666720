package dev.cascade.internal.codec;

import dev.cascade.codec.SerializationLimits;
import java.io.ObjectInputFilter;

/**
 * The filter of one deserialization: the {@link SerializationFilter}'s limits and allow-list, and
 * one check only a stream of known length can make: the arrays it declares must fit in its bytes. A
 * primitive array's elements follow it in the stream, and every element of an object array is at
 * least one byte, so 28 bytes cannot hold a {@code long[60_000_000]}; without this check the array
 * would be allocated (480 MB) before the stream ran out. Remembers why it refused, for the
 * exception. A JVM-wide filter ({@code jdk.serialFilter}) still applies: it is asked first. Not
 * thread-safe: one per {@code readObject}.
 */
final class StreamFilter implements ObjectInputFilter {

  private final SerializationFilter filter;

  /** The JVM-wide filter ({@code jdk.serialFilter}), asked first; null when there is none. */
  private final ObjectInputFilter jvmWide;

  private final long length;

  /** The fewest bytes the arrays declared so far need, summed. */
  private long promised;

  private String refusal;

  StreamFilter(SerializationFilter filter, ObjectInputFilter jvmWide, long length) {
    this.filter = filter;
    this.jvmWide = jvmWide;
    this.length = length;
  }

  /** Why the stream was refused, as the message for the caller; null when it was not. */
  String refusal() {
    return refusal;
  }

  @Override
  public Status checkInput(FilterInfo info) {
    // setting a stream's filter replaces the JVM-wide one: ask it here, so Cascade never allows
    // what the JVM's operator refused
    if (jvmWide != null && jvmWide.checkInput(info) == Status.REJECTED) {
      return refuse(
          "Refusing to deserialize a value"
              + filter.ofCache()
              + ": the JVM-wide serialization"
              + " filter (jdk.serialFilter: "
              + jvmWide
              + ") rejects "
              + (info.serialClass() == null ? "it" : info.serialClass().getTypeName()));
    }
    String limit = filter.limitExceeded(info);
    if (limit != null) {
      return refuse(filter.refusedLimit(exceeded(limit, info), limit));
    }
    Class<?> type = info.serialClass();
    if (info.arrayLength() >= 0) {
      promised += fewestBytes(type, info.arrayLength());
      if (promised > length) {
        return refuse(
            filter.refusedMalformed(
                "it declares "
                    + arrayName(type, info.arrayLength())
                    + ": its arrays need at least "
                    + promised
                    + " bytes, more than the "
                    + length
                    + " bytes of the whole value"));
      }
    }
    if (type == null) {
      return Status.UNDECIDED;
    }
    if (filter.allows(type)) {
      return Status.ALLOWED;
    }
    Class<?> element = type;
    while (element.isArray()) {
      element = element.getComponentType();
    }
    return refuse(filter.refusedClass(element.getName()));
  }

  private Status refuse(String why) {
    if (refusal == null) {
      refusal = why;
    }
    return Status.REJECTED;
  }

  private String exceeded(String limit, FilterInfo info) {
    SerializationLimits l = filter.limits();
    switch (limit) {
      case SerializationLimits.MAX_DEPTH:
        return "it nests objects deeper than " + limit + " " + l.maxDepth();
      case SerializationLimits.MAX_REFS:
        return "it holds more objects and references than " + limit + " " + l.maxRefs();
      case SerializationLimits.MAX_ARRAY:
        return "it declares "
            + arrayName(info.serialClass(), info.arrayLength())
            + ", longer than "
            + limit
            + " "
            + l.maxArray();
      default:
        return "it is longer than " + limit + " " + l.maxBytes() + " bytes";
    }
  }

  /**
   * The fewest bytes a stream holds for an array (or a collection's table) of {@code n} elements. A
   * primitive array: its elements' bytes. References: one byte each at least, but a collection
   * checks its hash table, which holds up to 8 slots per element (a load factor of 0.25) whose
   * entries take 2 bytes and more; half a byte per slot is below every real stream.
   */
  private static long fewestBytes(Class<?> arrayType, long n) {
    Class<?> element = arrayType == null ? null : arrayType.getComponentType();
    if (element == null || !element.isPrimitive()) {
      return (n + 1) / 2;
    }
    if (element == long.class || element == double.class) {
      return n * 8;
    }
    if (element == int.class || element == float.class) {
      return n * 4;
    }
    if (element == short.class || element == char.class) {
      return n * 2;
    }
    return n;
  }

  private static String arrayName(Class<?> arrayType, long n) {
    Class<?> element = arrayType == null ? null : arrayType.getComponentType();
    return (element == null ? "an array" : element.getTypeName()) + "[" + n + "]";
  }
}
