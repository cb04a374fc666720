package dev.cascade.internal.codec;

import dev.cascade.codec.Codec;
import dev.cascade.codec.CodecException;
import dev.cascade.codec.SerializationLimits;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InvalidClassException;
import java.io.NotSerializableException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.ObjectStreamClass;

/**
 * Java serialization, guarded by a {@link SerializationFilter} allow-list on the way in.
 *
 * <p>Classes are resolved through the CacheManager's class loader first, so application classes
 * load in containers where the provider sits in a parent loader. Thread-safe.
 */
public final class JavaSerializationCodec implements Codec<Object> {

  private final SerializationFilter filter;
  private final ClassLoader classLoader;

  public JavaSerializationCodec(SerializationFilter filter, ClassLoader classLoader) {
    this.filter = filter;
    this.classLoader = classLoader;
  }

  @Override
  public byte[] encode(Object value) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(128);
    writeTo(bytes, value);
    return bytes.toByteArray();
  }

  /** Serializes {@code value} onto {@code out}, so callers can put a tag in front cheaply. */
  void writeTo(ByteArrayOutputStream out, Object value) {
    try (ObjectOutputStream oos = new ObjectOutputStream(out)) {
      oos.writeObject(value);
    } catch (NotSerializableException e) {
      throw new CodecException(
          "Cannot store a "
              + value.getClass().getName()
              + ": class "
              + e.getMessage()
              + " is not Serializable (implement java.io.Serializable,"
              + " or configure a Codec for this cache)",
          e);
    } catch (IOException e) {
      throw new CodecException("Cannot serialize a " + value.getClass().getName() + ": " + e, e);
    }
  }

  @Override
  public Object decode(byte[] bytes) {
    return readFrom(bytes, 0, bytes.length);
  }

  SerializationFilter filter() {
    return filter;
  }

  /**
   * @throws CodecException for every way the bytes can be wrong: a class the filter refuses, a
   *     limit exceeded, a class this loader cannot see, a malformed stream, or a failing {@code
   *     readObject}
   */
  Object readFrom(byte[] bytes, int offset, int length) {
    if (length > filter.limits().maxBytes()) {
      // refused before a stream exists: nothing of it is read
      throw new CodecException(
          filter.refusedLimit(
              "it is "
                  + length
                  + " bytes long, longer than "
                  + SerializationLimits.MAX_BYTES
                  + " "
                  + filter.limits().maxBytes(),
              SerializationLimits.MAX_BYTES));
    }
    StreamFilter streamFilter = null;
    try (ObjectInputStream in =
        new LoaderObjectInputStream(new ByteArrayInputStream(bytes, offset, length), classLoader)) {
      streamFilter = new StreamFilter(filter, in.getObjectInputFilter(), length);
      in.setObjectInputFilter(streamFilter);
      return in.readObject();
    } catch (InvalidClassException e) {
      if (streamFilter != null && streamFilter.refusal() != null) {
        throw new CodecException(streamFilter.refusal(), e);
      }
      throw new CodecException("Cannot deserialize: " + e.getMessage(), e);
    } catch (ClassNotFoundException e) {
      throw new CodecException(
          "Cannot deserialize: class "
              + e.getMessage()
              + " is not visible to the CacheManager's class loader "
              + classLoader,
          e);
    } catch (IOException e) {
      throw new CodecException("Cannot deserialize: " + e, e);
    } catch (RuntimeException e) {
      // malformed streams make ObjectInputStream, and the readObject of allowed classes, throw
      // unchecked exceptions (NegativeArraySizeException, ClassCastException,
      // IllegalStateException...)
      throw new CodecException("Cannot deserialize: " + e, e);
    }
  }

  private static final class LoaderObjectInputStream extends ObjectInputStream {
    private final ClassLoader loader;

    LoaderObjectInputStream(InputStream in, ClassLoader loader) throws IOException {
      super(in);
      this.loader = loader;
    }

    @Override
    protected Class<?> resolveClass(ObjectStreamClass desc)
        throws IOException, ClassNotFoundException {
      if (loader != null) {
        try {
          return Class.forName(desc.getName(), false, loader);
        } catch (ClassNotFoundException e) {
          // fall through: primitives and JDK classes resolve below
        }
      }
      return super.resolveClass(desc);
    }
  }
}
