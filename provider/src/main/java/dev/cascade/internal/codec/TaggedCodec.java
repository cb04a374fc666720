package dev.cascade.internal.codec;

import dev.cascade.codec.Codec;
import dev.cascade.codec.CodecException;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The default codec for caches whose type is not one of the direct ones: one tag byte, then the
 * payload. Strings, byte arrays and boxed primitives skip Java serialization (smaller and several
 * times faster); everything else is Java-serialized under the allow-list.
 *
 * <p>With {@link ValueTags} (a secret, {@code cascade.codec.hmac-key}), a Java-serialized value is
 * written as {@link #AUTHENTICATED}: the serialization, then its HMAC. Reading one whose tag
 * verifies may create any class (within the limits; only the allow-list in strict mode); one whose
 * tag does not, or a value without a tag ({@link #SERIALIZED}), is refused before any of it is
 * deserialized. The other forms carry no tag: nothing in them is deserialized. A JVM without the
 * secret reads {@link #AUTHENTICATED} values under its allow-list, ignoring the tag, so the secret
 * can be rolled out JVM by JVM. Thread-safe.
 */
public final class TaggedCodec implements Codec<Object> {

  static final byte STRING = 1;
  static final byte BYTES = 2;
  static final byte LONG = 3;
  static final byte INTEGER = 4;
  static final byte SHORT = 5;
  static final byte BYTE = 6;
  static final byte DOUBLE = 7;
  static final byte FLOAT = 8;
  static final byte BOOLEAN = 9;
  static final byte CHARACTER = 10;
  static final byte SERIALIZED = 0x7F;

  /** Java serialization followed by its {@link ValueTags#TAG_LENGTH}-byte HMAC. */
  static final byte AUTHENTICATED = 0x7E;

  private final JavaSerializationCodec serialization;

  /** Reads values whose tag verified; null without a secret. */
  private final JavaSerializationCodec verified;

  private final ValueTags tags;

  /** Java serialization under the allow-list; no secret. */
  public TaggedCodec(JavaSerializationCodec serialization) {
    this(serialization, null, null);
  }

  /**
   * @param verified reads values whose tag verified (a filter that allows any class within the
   *     limits, or the allow-list itself in strict mode); null when {@code tags} is null
   * @param tags the secret that tags and verifies values; null for none
   */
  public TaggedCodec(
      JavaSerializationCodec serialization, JavaSerializationCodec verified, ValueTags tags) {
    if ((verified == null) != (tags == null)) {
      throw new IllegalArgumentException("a codec for verified values goes with ValueTags");
    }
    this.serialization = serialization;
    this.verified = verified;
    this.tags = tags;
  }

  @Override
  public byte[] encode(Object value) {
    Class<?> type = value.getClass();
    if (type == String.class) {
      String s = (String) value;
      byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
      byte[] out = new byte[utf8.length + 1];
      out[0] = STRING;
      System.arraycopy(utf8, 0, out, 1, utf8.length);
      return out;
    }
    if (type == byte[].class) {
      byte[] b = (byte[]) value;
      byte[] out = new byte[b.length + 1];
      out[0] = BYTES;
      System.arraycopy(b, 0, out, 1, b.length);
      return out;
    }
    if (type == Long.class) {
      return ByteBuffer.allocate(9).put(LONG).putLong((Long) value).array();
    }
    if (type == Integer.class) {
      return ByteBuffer.allocate(5).put(INTEGER).putInt((Integer) value).array();
    }
    if (type == Short.class) {
      return ByteBuffer.allocate(3).put(SHORT).putShort((Short) value).array();
    }
    if (type == Byte.class) {
      return new byte[] {BYTE, (Byte) value};
    }
    if (type == Double.class) {
      return ByteBuffer.allocate(9).put(DOUBLE).putDouble((Double) value).array();
    }
    if (type == Float.class) {
      return ByteBuffer.allocate(5).put(FLOAT).putFloat((Float) value).array();
    }
    if (type == Boolean.class) {
      return new byte[] {BOOLEAN, (byte) (((Boolean) value) ? 1 : 0)};
    }
    if (type == Character.class) {
      return ByteBuffer.allocate(3).put(CHARACTER).putChar((Character) value).array();
    }
    Buffer out = new Buffer();
    if (tags == null) {
      out.write(SERIALIZED);
      serialization.writeTo(out, value);
      return out.toByteArray();
    }
    out.write(AUTHENTICATED);
    serialization.writeTo(out, value);
    out.writeBytes(tags.tag(out.bytes(), out.size()));
    return out.toByteArray();
  }

  /** A byte stream whose bytes can be tagged where they lie, without a copy. */
  private static final class Buffer extends ByteArrayOutputStream {
    Buffer() {
      super(128);
    }

    byte[] bytes() {
      return buf;
    }
  }

  @Override
  public Object decode(byte[] bytes) {
    if (bytes.length == 0) {
      throw new CodecException("Cannot decode an empty value: it was not written by Cascade");
    }
    switch (bytes[0]) {
      case STRING:
        return new String(bytes, 1, bytes.length - 1, StandardCharsets.UTF_8);
      case BYTES:
        return Arrays.copyOfRange(bytes, 1, bytes.length);
      case LONG:
        return fixed(bytes, Long.BYTES, "Long").getLong();
      case INTEGER:
        return fixed(bytes, Integer.BYTES, "Integer").getInt();
      case SHORT:
        return fixed(bytes, Short.BYTES, "Short").getShort();
      case BYTE:
        return fixed(bytes, Byte.BYTES, "Byte").get();
      case DOUBLE:
        return fixed(bytes, Double.BYTES, "Double").getDouble();
      case FLOAT:
        return fixed(bytes, Float.BYTES, "Float").getFloat();
      case BOOLEAN:
        return fixed(bytes, 1, "Boolean").get() != 0;
      case CHARACTER:
        return fixed(bytes, Character.BYTES, "Character").getChar();
      case SERIALIZED:
        if (tags != null && !tags.acceptsUntagged()) {
          throw new CodecException(serialization.filter().refusedUntagged());
        }
        return serialization.readFrom(bytes, 1, bytes.length - 1);
      case AUTHENTICATED:
        if (bytes.length < 1 + ValueTags.TAG_LENGTH) {
          throw new CodecException(
              serialization.filter().refusedMalformed("it is too short to hold its tag"));
        }
        if (tags == null) {
          // written by a JVM with the secret; without it, the allow-list guards alone
          return serialization.readFrom(bytes, 1, bytes.length - 1 - ValueTags.TAG_LENGTH);
        }
        if (!tags.verify(bytes)) {
          throw new CodecException(serialization.filter().refusedTag());
        }
        return verified.readFrom(bytes, 1, bytes.length - 1 - ValueTags.TAG_LENGTH);
      default:
        throw new CodecException(
            "Cannot decode a value with tag "
                + bytes[0]
                + ": it was not written by Cascade's default codec (was the cache created with another codec?)");
    }
  }

  /**
   * The payload of a fixed-width tag, which {@link #encode} writes with exactly {@code size} bytes.
   */
  private static ByteBuffer fixed(byte[] bytes, int size, String type) {
    if (bytes.length - 1 != size) {
      throw new CodecException(
          "Cannot decode a "
              + type
              + " value of "
              + (bytes.length - 1)
              + " bytes: Cascade writes it with "
              + size
              + "; the bytes were not written by Cascade");
    }
    return ByteBuffer.wrap(bytes, 1, size);
  }
}
