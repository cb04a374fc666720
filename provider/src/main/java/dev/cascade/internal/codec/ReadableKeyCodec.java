package dev.cascade.internal.codec;

import dev.cascade.codec.Codec;
import dev.cascade.codec.CodecException;
import java.nio.charset.StandardCharsets;
import java.util.function.Function;

/**
 * Keys of caches declared with a non-final or untyped key class: a short type tag, then text where
 * the key has a text form ({@code s:alice}, {@code l:123}, {@code i:7}), else Java serialization
 * ({@code j:...}). The tag keeps {@code "123"} and {@code 123L} apart in one cache. Thread-safe.
 */
final class ReadableKeyCodec implements Codec<Object> {

  private final JavaSerializationCodec serialization;

  ReadableKeyCodec(JavaSerializationCodec serialization) {
    this.serialization = serialization;
  }

  @Override
  public byte[] encode(Object key) {
    Class<?> type = key.getClass();
    if (type == String.class) {
      return tagged('s', ((String) key).getBytes(StandardCharsets.UTF_8));
    }
    if (type == Long.class) {
      return tagged('l', key.toString().getBytes(StandardCharsets.US_ASCII));
    }
    if (type == Integer.class) {
      return tagged('i', key.toString().getBytes(StandardCharsets.US_ASCII));
    }
    return tagged('j', serialization.encode(key));
  }

  @Override
  public Object decode(byte[] bytes) {
    if (bytes.length < 2 || bytes[1] != ':') {
      throw new CodecException(
          "Cannot decode key '"
              + new String(bytes, StandardCharsets.UTF_8)
              + "': it was not written by Cascade's default key codec");
    }
    switch (bytes[0]) {
      case 's':
        return new String(bytes, 2, bytes.length - 2, StandardCharsets.UTF_8);
      case 'l':
        return decimal(bytes, Long::parseLong);
      case 'i':
        return decimal(bytes, Integer::parseInt);
      case 'j':
        return serialization.readFrom(bytes, 2, bytes.length - 2);
      default:
        throw new CodecException("Cannot decode key with tag '" + (char) bytes[0] + "'");
    }
  }

  private static Object decimal(byte[] bytes, Function<String, Object> parse) {
    String text = new String(bytes, 2, bytes.length - 2, StandardCharsets.US_ASCII);
    try {
      Object number = parse.apply(text);
      if (!number.toString().equals(text)) {
        // "+5" or "05": handed back as 5, it would name another entry (iterator.remove)
        throw new NumberFormatException("not as Cascade writes " + number);
      }
      return number;
    } catch (NumberFormatException e) {
      throw new CodecException(
          "Cannot decode key '"
              + new String(bytes, StandardCharsets.UTF_8)
              + "': '"
              + text
              + "' is not a decimal number",
          e);
    }
  }

  private static byte[] tagged(char tag, byte[] payload) {
    byte[] out = new byte[payload.length + 2];
    out[0] = (byte) tag;
    out[1] = ':';
    System.arraycopy(payload, 0, out, 2, payload.length);
    return out;
  }
}
