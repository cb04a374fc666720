package dev.cascade.internal.config;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Modifier;
import javax.cache.CacheException;
import javax.cache.configuration.Factory;

/**
 * Makes a loader or writer named in the configuration file: a public class with a public no-arg
 * constructor. Serializable as JCache asks of factories (by class name); the class was checked when
 * the file was read, so {@link #create()} fails only if the constructor itself does.
 */
final class ClassNameFactory<T> implements Factory<T> {

  private static final long serialVersionUID = 1L;

  private final String className;
  private transient Class<? extends T> type;

  private ClassNameFactory(Class<? extends T> type) {
    this.className = type.getName();
    this.type = type;
  }

  /**
   * The factory of the class {@code node} names.
   *
   * @throws CacheException naming the file, line and key when the class is missing, is not a {@code
   *     required}, or cannot be made with a public no-arg constructor
   */
  static <T> ClassNameFactory<T> of(ConfigNode node, Class<T> required, ClassLoader loader) {
    Class<?> c = DeclaredCaches.loadClass(node, loader);
    if (!required.isAssignableFrom(c)) {
      throw node.fail(
          "class " + c.getName() + " is not a " + required.getName() + " (it must implement it)");
    }
    if (c.isInterface() || Modifier.isAbstract(c.getModifiers())) {
      throw node.fail("class " + c.getName() + " is abstract; name a concrete class");
    }
    if (!Modifier.isPublic(c.getModifiers())) {
      throw node.fail("class " + c.getName() + " is not public");
    }
    try {
      c.getConstructor();
    } catch (NoSuchMethodException e) {
      throw node.fail("class " + c.getName() + " has no public constructor without arguments");
    }
    return new ClassNameFactory<>(c.asSubclass(required));
  }

  @Override
  public T create() {
    try {
      if (type == null) {
        // deserialized in another JVM: find the class again
        ClassLoader cl = Thread.currentThread().getContextClassLoader();
        @SuppressWarnings("unchecked")
        Class<? extends T> found = (Class<? extends T>) Class.forName(className, true, cl);
        type = found;
      }
      return type.getConstructor().newInstance();
    } catch (InvocationTargetException e) {
      throw new CacheException(
          "Creating " + className + " (named in the Cascade configuration) failed: " + e.getCause(),
          e.getCause());
    } catch (ReflectiveOperationException | LinkageError e) {
      throw new CacheException(
          "Cannot create " + className + " (named in the Cascade configuration): " + e, e);
    }
  }

  @Override
  public String toString() {
    return className;
  }
}
