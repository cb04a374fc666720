package dev.cascade.internal.codec;

import dev.cascade.codec.CodecProvider;
import java.lang.reflect.InvocationTargetException;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import javax.cache.CacheException;

/**
 * Finds a {@link CodecProvider} by name: the built-in {@code java} and {@code json}, then the
 * providers registered in {@code META-INF/services/dev.cascade.codec.CodecProvider} (by their
 * {@code name()}), then a class of that name that implements {@code CodecProvider}. A name read
 * from a registry entry in Redis goes through the same lookup: it can only choose among the
 * providers this JVM's class path holds, and a class is checked to be a {@code CodecProvider}
 * before anything of it runs.
 */
public final class CodecProviders {

  /** The codec of caches that name none. */
  public static final String DEFAULT = JavaCodecProvider.NAME;

  private CodecProviders() {}

  /**
   * @param setting where the name came from, for the message when it names nothing
   * @throws CacheException naming the cache, the setting and what the name could have been
   */
  public static CodecProvider named(
      String name, ClassLoader loader, String cacheName, String setting) {
    String n = name.trim();
    if (n.equals(JavaCodecProvider.NAME)) {
      return new JavaCodecProvider();
    }
    if (n.equals(JsonCodecProvider.NAME)) {
      return new JsonCodecProvider();
    }
    List<String> registered = new ArrayList<>();
    try {
      for (CodecProvider p : ServiceLoader.load(CodecProvider.class, loaderOrOwn(loader))) {
        if (n.equals(p.name())) {
          return p;
        }
        registered.add(p.name());
      }
    } catch (ServiceConfigurationError e) {
      throw new CacheException(
          "Cache '"
              + cacheName
              + "': a CodecProvider registered in META-INF/services cannot be loaded while"
              + " looking for codec '"
              + n
              + "': "
              + e.getMessage(),
          e);
    }
    Class<?> type = classNamed(n, loader);
    if (type == null) {
      throw new CacheException(
          "Cache '"
              + cacheName
              + "' asks for codec '"
              + n
              + "' ("
              + setting
              + "), which is neither a built-in codec (java, json), nor the name of a CodecProvider"
              + " registered in META-INF/services/dev.cascade.codec.CodecProvider"
              + (registered.isEmpty() ? "" : " (registered: " + String.join(", ", registered) + ")")
              + ", nor a class this CacheManager's class loader can load");
    }
    if (!CodecProvider.class.isAssignableFrom(type)) {
      throw new CacheException(
          "Cache '"
              + cacheName
              + "' asks for codec '"
              + n
              + "' ("
              + setting
              + "): class "
              + n
              + " does not implement dev.cascade.codec.CodecProvider");
    }
    try {
      return (CodecProvider) type.getConstructor().newInstance();
    } catch (NoSuchMethodException | IllegalAccessException | InstantiationException e) {
      throw new CacheException(
          "Cache '"
              + cacheName
              + "' asks for codec '"
              + n
              + "' ("
              + setting
              + "): the CodecProvider needs a public no-argument constructor",
          e);
    } catch (InvocationTargetException e) {
      throw new CacheException(
          "Cache '"
              + cacheName
              + "' asks for codec '"
              + n
              + "' ("
              + setting
              + "): its constructor failed: "
              + e.getCause(),
          e.getCause());
    }
  }

  private static Class<?> classNamed(String name, ClassLoader loader) {
    try {
      // not initialized: nothing of a class that turns out not to be a CodecProvider runs
      return Class.forName(name, false, loaderOrOwn(loader));
    } catch (ClassNotFoundException | LinkageError e) {
      return null;
    }
  }

  private static ClassLoader loaderOrOwn(ClassLoader loader) {
    return loader != null ? loader : CodecProviders.class.getClassLoader();
  }
}
