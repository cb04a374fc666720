package dev.cascade;

import dev.cascade.codec.Codec;
import dev.cascade.codec.CodecContext;
import dev.cascade.codec.CodecException;
import dev.cascade.codec.CodecProvider;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/**
 * A codec provider of the tests' own, registered in {@code META-INF/services}: strings as the hex
 * of their UTF-8 bytes, so a test can tell its bytes from every built-in codec's.
 */
public final class HexCodecProvider implements CodecProvider {

  public static final String NAME = "test-hex";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public <K> Codec<K> keyCodec(Class<K> type, CodecContext context) {
    return hex(type, context);
  }

  @Override
  public <V> Codec<V> valueCodec(Class<V> type, CodecContext context) {
    return hex(type, context);
  }

  @SuppressWarnings("unchecked")
  private static <T> Codec<T> hex(Class<T> type, CodecContext context) {
    if (type != String.class) {
      throw new IllegalArgumentException(
          "Cache '" + context.cacheName() + "': the test-hex codec stores strings only");
    }
    return (Codec<T>)
        new Codec<String>() {
          @Override
          public byte[] encode(String value) {
            return HexFormat.of()
                .formatHex(value.getBytes(StandardCharsets.UTF_8))
                .getBytes(StandardCharsets.US_ASCII);
          }

          @Override
          public String decode(byte[] bytes) {
            try {
              return new String(
                  HexFormat.of().parseHex(new String(bytes, StandardCharsets.US_ASCII)),
                  StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
              throw new CodecException("not hex", e);
            }
          }
        };
  }
}
