package dev.cascade.internal.codec;

import dev.cascade.codec.Codec;
import dev.cascade.codec.CodecException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Codecs for caches declared with a final JDK type: the bytes are the plain text or bytes, so
 * {@code redis-cli} shows {@code cascade:users:{users#2.18}:123} and values people can read. Only
 * valid when every JVM declares the same type; the cache registry checks that.
 */
final class DirectCodecs {

  private DirectCodecs() {}

  static final Codec<String> UTF8 =
      new Codec<>() {
        @Override
        public byte[] encode(String value) {
          return value.getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public String decode(byte[] bytes) {
          return new String(bytes, StandardCharsets.UTF_8);
        }
      };

  static final Codec<Long> DECIMAL_LONG =
      new Codec<>() {
        @Override
        public byte[] encode(Long value) {
          return Long.toString(value).getBytes(StandardCharsets.US_ASCII);
        }

        @Override
        public Long decode(byte[] bytes) {
          try {
            return Long.parseLong(new String(bytes, StandardCharsets.US_ASCII));
          } catch (NumberFormatException e) {
            throw notDecimal(bytes);
          }
        }
      };

  static final Codec<Integer> DECIMAL_INTEGER =
      new Codec<>() {
        @Override
        public byte[] encode(Integer value) {
          return Integer.toString(value).getBytes(StandardCharsets.US_ASCII);
        }

        @Override
        public Integer decode(byte[] bytes) {
          try {
            return Integer.parseInt(new String(bytes, StandardCharsets.US_ASCII));
          } catch (NumberFormatException e) {
            throw notDecimal(bytes);
          }
        }
      };

  static final Codec<byte[]> BYTES =
      new Codec<>() {
        @Override
        public byte[] encode(byte[] value) {
          return value.clone();
        }

        @Override
        public byte[] decode(byte[] bytes) {
          return Arrays.copyOf(bytes, bytes.length);
        }
      };

  private static CodecException notDecimal(byte[] bytes) {
    return new CodecException(
        "Cannot decode '"
            + new String(bytes, StandardCharsets.UTF_8)
            + "' as a decimal number: was the cache created with another key or value type?");
  }
}
